//! `--export-tosa`: lowered int8 module → TOSA int8 (NHWC) as MLIR text.

use dfq_mlir::tosa::export_tosa;

use super::Failure;
use crate::{io, load};

pub const FLAG: &str = "export-tosa";

pub fn run(input: &str, output: &str) -> Result<(), Failure> {
    let (source, module) = load::load_module(input, &dfq_dialects::Registry::new())
        .map_err(|e| Failure::Rendered(e.render("dfq-translate")))?;
    // Ops without a TOSA form are all reported, each at its op.
    let export = export_tosa(&module).map_err(|d| Failure::Rendered(d.render(&[&source])))?;
    io::write_output(output, export.text.as_bytes()).map_err(Failure::Message)
}
