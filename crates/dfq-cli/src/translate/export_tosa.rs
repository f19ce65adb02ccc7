//! `--export-tosa`: int8 module → TOSA int8 (NHWC) as MLIR text. A QDQ module
//! (`dfq-opt --dfq`) is lowered first, as `dfq-opt --lower-int8` would.

use dfq_ir::Module;
use dfq_mlir::tosa::export_tosa;
use dfq_rewrite::{Pass, PassContext};

use super::Failure;
use crate::{io, load};

pub const FLAG: &str = "export-tosa";

pub fn run(input: &str, output: &str) -> Result<(), Failure> {
    let (source, mut module) = load::load_module(input, &dfq_dialects::Registry::new())
        .map_err(|e| Failure::Rendered(e.render("dfq-translate")))?;
    if is_qdq(&module) {
        let mut ctx = PassContext::default();
        dfq_passes::LowerInt8.run(&mut module, &mut ctx).map_err(|e| Failure::Message(format!("lower-int8: {e}")))?;
        dfq_dialects::verify_module(&module)
            .map_err(|d| Failure::Message(format!("lower-int8 produced an invalid module: {d}")))?;
        eprintln!(
            "dfq-translate: note: '{}' is in QDQ form: lowered it to integer ops (lower-int8) before exporting",
            load::display_name(input)
        );
    }
    // Ops without a TOSA form are all reported, each at its op.
    let export = export_tosa(&module).map_err(|d| Failure::Rendered(d.render(&[&source])))?;
    io::write_output(output, export.text.as_bytes()).map_err(Failure::Message)
}

/// Whether a function quantizes a computed value or a constant (what lower-int8
/// rewrites); a lowered module quantizes only its arguments.
fn is_qdq(module: &Module) -> bool {
    module.functions.iter().any(|f| {
        f.ops().any(|id| {
            let op = f.op(id);
            op.name == dfq_dialects::qnn::Quantize::NAME && op.operands().first().is_some_and(|v| v.producer().is_some())
        })
    })
}
