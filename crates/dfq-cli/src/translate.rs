//! `dfq-translate`: converts models between dfq IR and other formats, in the
//! habits of `mlir-translate`. Each translation is one flag of the `translation`
//! group and one module under `translate/`; adding one means a flag, a
//! [`Translation`] variant and its module.

mod export_onnx;
mod export_tosa;
mod import_onnx;
mod verify_mlir;

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
  dfq-translate --export-onnx lite0.q.mlir -o lite0.q.onnx

  # The int8 model as TOSA for MLIR, and a check that MLIR reads dfq's text as dfq does
  dfq-opt --lower-int8 lite0.q.mlir -o lite0.int8.mlir
  dfq-translate --export-tosa lite0.int8.mlir -o lite0.tosa.mlir
  dfq-translate --verify-mlir lite0.int8.mlir";

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
    ExportTosa,
    VerifyMlir,
}

impl Translation {
    /// The chosen translation; clap's required group guarantees there is one.
    fn from_matches(matches: &ArgMatches) -> Option<Translation> {
        if matches.get_flag(import_onnx::FLAG) {
            Some(Translation::ImportOnnx)
        } else if matches.get_flag(export_onnx::FLAG) {
            Some(Translation::ExportOnnx)
        } else if matches.get_flag(export_tosa::FLAG) {
            Some(Translation::ExportTosa)
        } else if matches.get_flag(verify_mlir::FLAG) {
            Some(Translation::VerifyMlir)
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
             QDQ form of dfq-opt --quantize or --dfq export; ops that cannot are listed together.\n\n\
             --export-tosa writes an int8 module (dfq-opt --lower-int8; a QDQ module is lowered first) as \
             TOSA int8 in NHWC for MLIR \
             (mlir-opt --tosa-validate, --tosa-to-linalg-pipeline), with dfq's integer arithmetic bit for bit; \
             the function takes and returns the quantized tensors. See docs/mlir.md.\n\n\
             --verify-mlir (in builds with the 'mlir' feature) parses and verifies the file in MLIR 22 with every \
             upstream dialect, reports where dfq and MLIR disagree, and checks that MLIR's generic print reads \
             back as the same graph; -o writes that print.",
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
        .arg(
            Arg::new(export_tosa::FLAG)
                .long(export_tosa::FLAG)
                .action(ArgAction::SetTrue)
                .help("int8 or QDQ module (.mlir) → TOSA int8 in NHWC (.mlir)")
                .help_heading("Translations"),
        )
        .arg(
            Arg::new(verify_mlir::FLAG)
                .long(verify_mlir::FLAG)
                .action(ArgAction::SetTrue)
                .help("Check the module in real MLIR 22 (builds with --features mlir); -o writes MLIR's generic print")
                .help_heading("Translations"),
        )
        .group(
            ArgGroup::new("translation")
                .args([import_onnx::FLAG, export_onnx::FLAG, export_tosa::FLAG, verify_mlir::FLAG])
                .required(true),
        )
        .args(only_with(import_onnx::options(), &[export_onnx::FLAG, export_tosa::FLAG, verify_mlir::FLAG]))
        .args(only_with(export_onnx::options(), &[import_onnx::FLAG, export_tosa::FLAG, verify_mlir::FLAG]))
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
        Some(Translation::ExportTosa) => export_tosa::run(input, output),
        Some(Translation::VerifyMlir) => verify_mlir::run(&matches, input, output),
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
