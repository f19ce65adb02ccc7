//! `--verify-mlir`: does upstream MLIR read this file as dfq does? Parses and
//! verifies it in MLIR 22 (every upstream dialect, unregistered ones allowed),
//! then checks that MLIR's generic print of it is the same graph for dfq.

use clap::ArgMatches;

use super::Failure;

pub const FLAG: &str = "verify-mlir";

#[cfg(not(feature = "mlir"))]
pub fn run(_matches: &ArgMatches, _input: &str, _output: &str) -> Result<(), Failure> {
    Err(Failure::Message(
        "--verify-mlir needs MLIR, and this dfq-translate was built without it: rebuild with \
         `cargo build --release -p dfq-cli --features mlir` (LLVM/MLIR 22 installed, MLIR_SYS_220_PREFIX and \
         TABLEGEN_220_PREFIX set; see docs/mlir.md)"
            .into(),
    ))
}

#[cfg(feature = "mlir")]
pub fn run(matches: &ArgMatches, input: &str, output: &str) -> Result<(), Failure> {
    use dfq_ir::{parse_module, SourceFile};
    use dfq_mlir::bridge::{Mlir, PrintForm};

    use crate::{io, load};

    let source = load::read_source(input).map_err(|e| Failure::Rendered(e.render("dfq-translate")))?;
    let registry = dfq_dialects::Registry::new().allow_unregistered(true);
    let ours = load::parse_and_verify(&source, &registry);
    let mlir = Mlir::new();
    let theirs = mlir.print(&source, PrintForm::Generic);
    let name = load::display_name(input);
    let (module, generic) = match (ours, theirs) {
        (Ok(m), Ok(text)) => (m, text),
        (Ok(_), Err(d)) => {
            return Err(Failure::Rendered(format!(
                "{}dfq-translate: error: disagreement: dfq accepts {name}, MLIR rejects it\n",
                d.render(&[&source])
            )))
        }
        (Err(d), Ok(_)) => {
            return Err(Failure::Rendered(format!(
                "{}dfq-translate: error: disagreement: MLIR accepts {name}, dfq rejects it\n",
                dfq_ir::Diagnostics(d).render(&[&source])
            )))
        }
        (Err(ours), Err(theirs)) => {
            return Err(Failure::Rendered(format!(
                "{}{}dfq-translate: error: both dfq and MLIR reject {name}\n",
                dfq_ir::Diagnostics(ours).render(&[&source]),
                theirs.render(&[&source])
            )))
        }
    };
    let back_name = format!("{name} (MLIR's generic print)");
    let back = SourceFile::new(&back_name, &generic);
    let reread = parse_module(&back).map_err(|d| {
        Failure::Rendered(format!(
            "{}dfq-translate: error: disagreement: dfq cannot read MLIR's generic print of {name}\n",
            d.render(&[&back])
        ))
    })?;
    dfq_mlir::compare::same_graph(&module, &reread).map_err(|e| {
        Failure::Message(format!("disagreement: MLIR's generic print of {name} is another graph for dfq: {e}"))
    })?;
    if matches.value_source("output") == Some(clap::parser::ValueSource::CommandLine) {
        io::write_output(output, generic.as_bytes()).map_err(Failure::Message)?;
    } else {
        let ops: usize = module.functions.iter().map(|f| f.num_ops()).sum();
        eprintln!(
            "dfq-translate: MLIR verifies {name} ({} function(s), {ops} ops) and its generic print reads back as the same graph",
            module.functions.len()
        );
    }
    Ok(())
}
