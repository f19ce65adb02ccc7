//! `dfq-gen-model`: writes a seeded MobileNet-like network as nn-dialect MLIR.

use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use clap::{Parser, ValueEnum};
use dfq_fixtures::{mobilenet_v1, Activation, Preset};
use dfq_ir::{print_module, PrintOptions};

/// Generate a MobileNet-like network with random but realistic weights, in dfq's
/// nn dialect (MLIR text).
///
/// The same preset and seed give the same bytes on every machine. Weights follow
/// He initialization and batch norms stay unfolded, with statistics that give the
/// per-channel range disparity that breaks naive int8 quantization (see the
/// dfq-fixtures crate docs).
#[derive(Parser, Debug)]
#[command(
    name = "dfq-gen-model",
    version,
    after_help = "Example:\n  dfq-gen-model --preset tiny --seed 1 -o examples/mobilenet_tiny.mlir"
)]
struct Cli {
    /// Which network to build.
    #[arg(long, default_value = "tiny", value_parser = preset_parser())]
    preset: Preset,

    /// Seed of the weights (and, for `random`, of the architecture).
    #[arg(long, default_value_t = 1)]
    seed: u64,

    /// Output file, written atomically; standard output if omitted or `-`.
    #[arg(short, long, value_name = "FILE")]
    output: Option<PathBuf>,

    /// Constants with more elements than this go to the `dialect_resources`
    /// section as hex blobs; smaller ones are printed inline.
    #[arg(long, value_name = "N", default_value_t = PrintOptions::default().inline_elements_limit)]
    inline_limit: u64,

    /// Activation of mobilenet-v1: the paper's ReLU (default), or TF-slim's
    /// ReLU6. The other presets have theirs fixed.
    #[arg(long, value_enum)]
    activation: Option<ActivationArg>,

    /// Instead of a network: N chained ReLUs on a tensor<4xf32> with an input
    /// range, for timing passes and tools on very long functions.
    #[arg(long, value_name = "N", conflicts_with_all = ["preset", "activation"])]
    relu_chain: Option<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ActivationArg {
    Relu,
    Relu6,
}

fn preset_parser() -> impl TypedValueParser<Value = Preset> {
    let values = Preset::ALL.map(|p| PossibleValue::new(p.name()).help(p.description()));
    PossibleValuesParser::new(values).map(|name| name.parse::<Preset>().expect("a listed preset"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(ops) = cli.relu_chain {
        let text = dfq_fixtures::stress::relu_chain(ops, " {dfq.range = [-1.0, 1.0]}");
        return write_output(cli.output.as_deref(), &text);
    }
    let module = match (cli.preset, cli.activation) {
        (Preset::MobileNetV1, Some(ActivationArg::Relu6)) => mobilenet_v1(cli.seed, Activation::Relu6),
        (Preset::MobileNetV1, _) | (_, None) => cli.preset.build(cli.seed),
        (preset, Some(_)) => {
            eprintln!("dfq-gen-model: --activation applies to mobilenet-v1 only, not {preset}");
            return ExitCode::from(2);
        }
    };
    let opts = PrintOptions { inline_elements_limit: cli.inline_limit, ..PrintOptions::default() };
    write_output(cli.output.as_deref(), &print_module(&module, &opts))
}

/// Writes `text` to `output` (standard output if None or `-`).
fn write_output(output: Option<&Path>, text: &str) -> ExitCode {
    let written = match output {
        None => std::io::stdout().lock().write_all(text.as_bytes()),
        Some(path) if path == Path::new("-") => std::io::stdout().lock().write_all(text.as_bytes()),
        Some(path) => write_atomically(path, text.as_bytes()),
    };
    match written {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let target = output.map_or("standard output".into(), |p| p.display().to_string());
            eprintln!("dfq-gen-model: cannot write {target}: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Writes a temporary file beside `path` and renames it over `path`, so readers
/// never see a half-written model. The file gets the usual permissions (umask).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let name = path.file_name().ok_or_else(|| std::io::Error::other("the output path names no file"))?;
    let mut tmp_name = OsString::from(".");
    tmp_name.push(name);
    tmp_name.push(format!(".{}.tmp", std::process::id()));
    let tmp = path.with_file_name(tmp_name);
    let result = File::create_new(&tmp)
        .and_then(|mut file| {
            file.write_all(bytes)?;
            file.sync_all()
        })
        .and_then(|()| std::fs::rename(&tmp, path));
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}
