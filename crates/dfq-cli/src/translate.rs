//! `dfq-translate`: converts models between dfq IR and other formats, in the
//! habits of `mlir-translate`. Each translation is one flag of the `translation`
//! group and one module under `translate/`; adding one (say `--export-onnx`)
//! means a flag, a [`Translation`] variant and its module.

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
  dfq-opt --fold-bn lite0.mlir -o lite0.folded.mlir";

/// The conversions dfq-translate performs; exactly one is chosen per run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Translation {
    ImportOnnx,
}

impl Translation {
    fn from_matches(matches: &ArgMatches) -> Translation {
        if matches.get_flag(import_onnx::FLAG) {
            return Translation::ImportOnnx;
        }
        unreachable!("clap requires one translation flag")
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
             import are listed together, each with its node's name.",
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
        .group(ArgGroup::new("translation").args([import_onnx::FLAG]).required(true))
        .args(import_onnx::options())
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
        Translation::ImportOnnx => import_onnx::run(&matches, input, output),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("dfq-translate: error: {message}");
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
