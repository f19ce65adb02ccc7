//! `dfq-translate`: converts models between dfq IR and other formats, in the
//! habits of `mlir-translate`. Each translation is one flag of the `translation`
//! group and one module under `translate/`; adding one means a flag, a
//! [`Translation`] variant and its module.

mod export_onnx;
mod import_onnx;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgGroup, ArgMatches, Command};

const EXAMPLES: &str = "\
Examples:
  # An ONNX model with a fixed input shape, for ImageNet-normalized input
  dfq-translate --import-onnx mobilenet.onnx --input-range=imagenet -o mobilenet.mlir

  # A model exported with a dynamic batch: fix it, give the input range
  dfq-translate --import-onnx model.onnx --input-shape 1,3,224,224 --input-range=-2.12,2.64 -o model.mlir

  # EfficientNet-Lite ((x - 127) / 128 on 0-255 pixels), then fold its batch norms
  dfq-translate --import-onnx efficientnet_lite0.onnx --input-range=efficientnet -o lite0.mlir
  dfq-opt --fold-bn lite0.mlir -o lite0.folded.mlir

  # Quantize data-free, then write a QDQ ONNX model for onnxruntime
  dfq-opt --dfq lite0.mlir -o lite0.q.mlir
  dfq-translate --export-onnx lite0.q.mlir -o lite0.q.onnx";

/// Why a translation failed.
pub(crate) enum Failure {
    /// Printed as `dfq-translate: error: <message>`.
    Message(String),
    /// Already in its final form (located diagnostics with source lines).
    Rendered(String),
}

/// The conversions dfq-translate performs; exactly one is chosen per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Translation {
    ImportOnnx,
    ExportOnnx,
}

impl Translation {
    /// The chosen translation; clap's required group guarantees there is one.
    fn from_matches(matches: &ArgMatches) -> Option<Translation> {
        if matches.get_flag(import_onnx::FLAG) {
            Some(Translation::ImportOnnx)
        } else if matches.get_flag(export_onnx::FLAG) {
            Some(Translation::ExportOnnx)
        } else {
            None
        }
    }
}

fn command() -> Command {
    Command::new("dfq-translate")
        .about("Translate models between dfq IR (MLIR text) and other formats, like mlir-translate")
        .long_about(
            "Translates a model between dfq's MLIR-compatible IR and another format. Choose the translation \
             with one flag.\n\n\
             --import-onnx reads an ONNX model and writes an nn-dialect module: one func.func @main, \
             initializers as arith.constant (large ones as dense_resource blobs), batch norms kept as \
             nn.batch_norm, every result type inferred from the input's static shape. Operators dfq cannot \
             import are listed together, each with its node's name.\n\n\
             --export-onnx writes a function (@main) as an ONNX model (opset 13): nn ops as the ONNX \
             operators they are named after, qnn.quantize/qnn.dequantize as QuantizeLinear/DequantizeLinear \
             (per-axis through 'axis'), quantized constants as int8/int32 initializers. Float models and the \
             QDQ form of dfq-opt --quantize or --dfq export; ops that cannot are listed together.",
        )
        .after_help(EXAMPLES)
        .arg(Arg::new("input").value_name("INPUT").default_value("-").help("Input file, '-' for stdin"))
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .default_value("-")
                .help("Output file, written atomically (complete or not at all); '-' for stdout"),
        )
        .arg(
            Arg::new(import_onnx::FLAG)
                .long(import_onnx::FLAG)
                .action(ArgAction::SetTrue)
                .help("ONNX model (.onnx) → nn-dialect module (.mlir)")
                .help_heading("Translations"),
        )
        .arg(
            Arg::new(export_onnx::FLAG)
                .long(export_onnx::FLAG)
                .action(ArgAction::SetTrue)
                .help("Float or QDQ module (.mlir) → ONNX model (.onnx) with QuantizeLinear/DequantizeLinear")
                .help_heading("Translations"),
        )
        .group(ArgGroup::new("translation").args([import_onnx::FLAG, export_onnx::FLAG]).required(true))
        .args(only_with(import_onnx::options(), &[export_onnx::FLAG]))
        .args(only_with(export_onnx::options(), &[import_onnx::FLAG]))
}

/// A translation's options, refused with the other translations' flags. (Not
/// `requires`: a SetTrue flag counts as present through its default `false`.)
fn only_with(options: Vec<Arg>, other_flags: &[&'static str]) -> Vec<Arg> {
    options.into_iter().map(|o| o.conflicts_with_all(other_flags)).collect()
}

/// Runs dfq-translate with `args` (including the program name).
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let matches = match command().try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    let input = matches.get_one::<String>("input").expect("has default");
    let output = matches.get_one::<String>("output").expect("has default");
    let result = match Translation::from_matches(&matches) {
        Some(Translation::ImportOnnx) => import_onnx::run(&matches, input, output).map_err(Failure::Message),
        Some(Translation::ExportOnnx) => export_onnx::run(&matches, input, output),
        None => Err(Failure::Message("no translation chosen".into())),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Message(message)) => {
            eprintln!("dfq-translate: error: {message}");
            ExitCode::FAILURE
        }
        Err(Failure::Rendered(text)) => {
            eprint!("{text}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_is_well_formed() {
        command().debug_assert();
    }
}
