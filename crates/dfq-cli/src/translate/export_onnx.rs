//! `--export-onnx`: module (float or QDQ) → ONNX model.

use clap::{Arg, ArgMatches};
use dfq_ir::Diagnostic;
use dfq_onnx::{export_onnx, ExportOptions};

use super::Failure;
use crate::{io, load};

pub const FLAG: &str = "export-onnx";

/// The options of this translation, shown under their own heading.
pub fn options() -> Vec<Arg> {
    vec![Arg::new("entry")
        .long("entry")
        .value_name("NAME")
        .help("The function to export (default: @main, or the module's only function)")
        .help_heading("ONNX export")]
}

pub fn run(matches: &ArgMatches, input: &str, output: &str) -> Result<(), Failure> {
    let (source, module) = load::load_module(input, &dfq_dialects::Registry::new())
        .map_err(|e| Failure::Rendered(e.render("dfq-translate")))?;
    let options = ExportOptions { entry: matches.get_one::<String>("entry").cloned() };
    let bytes = export_onnx(&module, &options).map_err(|e| match e.location() {
        // An op's error points at the op, with its source line, as dfq-opt's do.
        Some(loc) => Failure::Rendered(Diagnostic::error(Some(loc.clone()), e.to_string()).render(&[&source])),
        None => Failure::Message(format!("{}: {e}", load::display_name(input))),
    })?;
    io::write_output(output, &bytes).map_err(Failure::Message)
}
