//! `--export-tosa`: int8 module → TOSA int8 (NHWC) as MLIR text. A QDQ module
//! (`dfq-opt --dfq`) is lowered first, as `dfq-opt --lower-int8` would.

use dfq_mlir::tosa::export_tosa;

use super::Failure;
use crate::run::qdq;
use crate::{io, load};

pub const FLAG: &str = "export-tosa";

pub fn run(input: &str, output: &str) -> Result<(), Failure> {
    let (source, mut module) = load::load_module(input, &dfq_dialects::Registry::new())
        .map_err(|e| Failure::Rendered(e.render("dfq-translate")))?;
    if let Some(left) = qdq::lower_if_qdq(&mut module).map_err(Failure::Message)? {
        eprintln!("{}", qdq::note("dfq-translate", load::display_name(input), "exporting", left));
    }
    // Ops without a TOSA form are all reported, each at its op.
    let export = export_tosa(&module).map_err(|d| Failure::Rendered(d.render(&[&source])))?;
    io::write_output(output, export.text.as_bytes()).map_err(Failure::Message)
}
