//! Everything dfq prints is valid MLIR, and MLIR's print of it is the same graph
//! for dfq: the generic form (`--mlir-print-op-generic`) and the custom one.

use dfq_fixtures::Preset;
use dfq_ir::{parse_module, print_module, PrintOptions, SourceFile};
use dfq_mlir::bridge::{Mlir, PrintForm};
use dfq_mlir::compare::same_graph;

use crate::corpus::{self, Case};
use crate::harness::Test;

pub fn register(tests: &mut Vec<Test>) {
    tests.push(Test::new("roundtrip::lit_inputs", || check_all(corpus::lit_inputs())));
    for preset in Preset::ALL {
        tests.push(Test::new(format!("roundtrip::preset::{preset}"), move || {
            let module = preset.build(1);
            let mut cases = vec![corpus::case(format!("{preset} (float)"), &module)];
            // The large presets take long through the passes in a test build; the
            // small ones cover every pass's output.
            if matches!(preset, Preset::Tiny | Preset::Random) {
                let q = corpus::run_passes(module, corpus::DFQ)?;
                cases.push(corpus::case(format!("{preset} (--dfq)"), &q));
                let int8 = corpus::run_passes(q, "lower-int8")?;
                cases.push(corpus::case(format!("{preset} (--dfq, lower-int8)"), &int8));
            }
            check_all(cases)
        }));
    }
    tests.push(Test::new("roundtrip::example_int8", || {
        check_all(vec![corpus::case("mobilenet_tiny (--dfq, lower-int8)".into(), &corpus::example_int8())])
    }));
}

fn check_all(cases: Vec<Case>) -> Result<(), String> {
    if cases.is_empty() {
        return Err("no inputs".into());
    }
    let mlir = Mlir::new();
    let failures: Vec<String> = cases.iter().filter_map(|c| check(&mlir, c).err()).collect();
    if failures.is_empty() {
        Ok(())
    } else {
        Err(format!("{} of {} inputs disagree with MLIR:\n\n{}", failures.len(), cases.len(), failures.join("\n")))
    }
}

fn check(mlir: &Mlir, case: &Case) -> Result<(), String> {
    let text = print_module(&case.module, &PrintOptions::default());
    let src = SourceFile::new(&case.name, &text);
    mlir.verify(&src).map_err(|d| format!("MLIR rejects dfq's print of {}:\n{}", case.name, d.render(&[&src])))?;
    for form in [PrintForm::Generic, PrintForm::Custom] {
        let back = mlir.print(&src, form).map_err(|d| d.render(&[&src]))?;
        let back_src = SourceFile::new(&format!("{} (MLIR's {form:?} print)", case.name), &back);
        let module = parse_module(&back_src)
            .map_err(|d| format!("dfq cannot parse MLIR's {form:?} print of {}:\n{}", case.name, d.render(&[&back_src])))?;
        same_graph(&case.module, &module).map_err(|e| format!("{}: MLIR's {form:?} print is another graph: {e}", case.name))?;
    }
    Ok(())
}
