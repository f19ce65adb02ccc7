//! `dfq-run`: execute a function of a module on `.npy` or random inputs, in the
//! habits of `mlir-runner`.

mod bench;
mod engine;
mod eval;
mod inputs;
mod json;
mod limits;
pub mod npy;
pub(crate) mod qdq;
mod random;
mod summary;

use std::ffi::OsString;
use std::process::ExitCode;

use clap::Parser;
use dfq_interp::InterpError;
use dfq_ir::{Diagnostic, Function, Location, SourceFile};

pub(crate) use engine::{Engine, Prepared};
pub use random::random_inputs;

use crate::{io, load};

const SHORT_EXAMPLES: &str = "\
Examples:
  dfq-run examples/mobilenet_tiny.mlir --random-input --seed 1
  dfq-run model.mlir --input x.npy -o logits.npy
  dfq-run model.q.mlir --random-input --bench
  dfq-run model.q.mlir --eval imagenet-sample --reference model.mlir

More examples, and what the summary shows: dfq-run --help";

const EXAMPLES: &str = "\
Examples:
  # Random inputs shaped by the signature (uniform in the argument's dfq.range,
  # standard normal without one), summary of every result on stdout:
  dfq-run examples/mobilenet_tiny.mlir --random-input --seed 1

  # An input saved by NumPy (Python: np.save('x.npy', x.astype(np.float32))),
  # the result saved for NumPy (np.load('logits.npy')):
  dfq-run model.mlir --input x.npy -o logits.npy

  # Several arguments and results: one --input per argument, one -o per result, in order:
  dfq-run model.mlir --entry pair -i a.npy -i b.npy -o y0.npy -o y1.npy

  # How fast: compile time, median/min/p90 latency over 20 runs, GOPS; the same on
  # the reference interpreter, and the JIT on one thread:
  dfq-run model.q.mlir --random-input --bench
  dfq-run model.q.mlir --random-input --bench --interp --runs 3
  dfq-run model.q.mlir --random-input --bench --threads 1

  # The float model and its quantized version on the same input:
  dfq-opt --dfq model.mlir -o model.q.mlir
  dfq-run model.mlir -i x.npy -o ref.npy --print
  dfq-run model.q.mlir -i x.npy -o quant.npy --print

  # Top-1/top-5 accuracy on a directory of labelled images (DIR/labels.csv), and
  # how often the quantized model's top class agrees with the float model's:
  dfq-run model.q.mlir --eval imagenet-sample --reference model.mlir --json q.json

The summary (--print), per result: its runtime type; min, max, mean and standard
deviation; and for an [N, C] result with C >= 2, the five largest entries of each
row as `class (value)`:
  result #0: tensor<1x10xf32>
    min -0.599363  max 1.87409  mean 0.491142  std 0.676118
    top-5 row 0: 3 (1.87409), 7 (1.18807), 5 (0.846025), 6 (0.602216), 8 (0.507559)

Inputs are .npy files of float32, int8, uint8, int32 or int64 in C order, matching
the argument's type exactly (quantized arguments take their storage integers).
Outputs are little-endian .npy files, written atomically: an existing file is
replaced only by a complete result. Exit status: 0 on success, 1 on any error,
2 on a command-line mistake.";

/// Run a function of a dfq module on inputs from .npy files or random ones.
///
/// Reads and verifies the module like dfq-opt (same located diagnostics), compiles the
/// entry function with the JIT (or takes the reference interpreter: --interp), runs it,
/// then saves its results as .npy files (-o) and/or prints a summary of each: shape,
/// dtype, min/max/mean/std, and for a classifier output [N, C] the top-5 classes of
/// every row. A QDQ model (dfq-opt --quantize) is lowered to integer ops first, as
/// dfq-opt --lower-int8 does.
#[derive(Parser, Debug)]
#[command(name = "dfq-run", version, after_help = SHORT_EXAMPLES, after_long_help = EXAMPLES)]
#[command(group(clap::ArgGroup::new("measuring").args(["eval", "bench"])))]
struct Cli {
    /// The module to run: dfq's MLIR text, '-' for stdin.
    #[arg(value_name = "MODEL")]
    model: String,

    /// A .npy file for the next argument of the entry function; give one per argument, in order.
    #[arg(short, long = "input", value_name = "FILE.npy")]
    inputs: Vec<String>,

    /// Draw every input at random instead: shape and dtype from the signature; f32 uniform in the
    /// argument's `dfq.range = [lo, hi]`, standard normal without one; integers uniform over their
    /// storage range (i32/i64: [-128, 127]).
    #[arg(long, conflicts_with = "inputs")]
    random_input: bool,

    /// Seed of --random-input (ChaCha8): the same seed gives the same inputs on every run [default: 0].
    #[arg(long, value_name = "N", requires = "random_input")]
    seed: Option<u64>,

    /// Write the next result to FILE.npy ('-' for stdout); give one per result, in order.
    #[arg(short, long = "output", value_name = "FILE.npy")]
    outputs: Vec<String>,

    /// The function to run.
    #[arg(long, value_name = "NAME", default_value = "main")]
    entry: String,

    /// Execute with the reference interpreter (dfq-interp): exact semantics, plain loops, one
    /// thread. Without it the JIT (dfq-jit) compiles the function to native code, and a function
    /// it cannot compile runs on the interpreter after a warning.
    #[arg(long)]
    interp: bool,

    /// Threads of the JIT [default: all cores; with --eval: 1 per image, images in parallel].
    #[arg(long, value_name = "N", conflicts_with = "interp", value_parser = clap::value_parser!(u16).range(1..=1024))]
    threads: Option<u16>,

    /// Print a summary of every result (on by default when neither -o nor --bench is given; goes
    /// to stderr when a result is written to stdout).
    #[arg(long)]
    print: bool,

    /// Also write the numbers of --bench or --eval as JSON to PATH ('-' for stdout; the text
    /// then goes to stderr).
    #[arg(long, value_name = "PATH", requires = "measuring")]
    json: Option<String>,

    /// Refuse to run when one run needs more than SIZE bytes by an estimate from the function's
    /// types (constants plus the largest set of values alive at once; with --eval, times the
    /// images run in parallel), checked before any input is read: 512M, 4G, ... [default: the
    /// machine's physical memory].
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    max_memory: Option<u64>,

    /// Refuse to run when one value (an argument, a constant, an op's result) would take more
    /// than SIZE bytes [default: 2G].
    #[arg(long, value_name = "SIZE", value_parser = limits::parse_size)]
    max_tensor_size: Option<u64>,

    /// No progress bar and no notes (warnings and errors are still shown).
    #[arg(short, long)]
    quiet: bool,

    #[command(flatten)]
    bench: bench::BenchArgs,

    #[command(flatten)]
    evaluation: eval::EvalArgs,
}

/// Why a run failed: a message, located in the model when it is about it.
#[derive(Debug)]
pub(crate) struct Failure {
    message: String,
    loc: Option<Location>,
}

impl Failure {
    pub fn plain(message: impl Into<String>) -> Failure {
        Failure { message: message.into(), loc: None }
    }

    pub fn at(loc: Option<Location>, message: impl Into<String>) -> Failure {
        Failure { message: message.into(), loc }
    }

    /// `file:line:col: error: ...` with the source line and a caret when located,
    /// `dfq-run: error: ...` otherwise.
    fn render(&self, source: Option<&SourceFile>) -> String {
        match &self.loc {
            Some(_) => Diagnostic::error(self.loc.clone(), &self.message).render(&Vec::from_iter(source)),
            None => format!("dfq-run: error: {}\n", self.message),
        }
    }
}

impl From<InterpError> for Failure {
    fn from(e: InterpError) -> Failure {
        Failure::at(e.loc, e.message)
    }
}

/// Runs dfq-run with `args` (including the program name).
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    if let Err(failure) = check_stdio_use(&cli) {
        eprint!("{}", failure.render(None));
        return ExitCode::from(2);
    }
    let (source, module) = match load_model(&cli.model, cli.quiet) {
        Ok(loaded) => loaded,
        Err(message) => {
            eprint!("{message}");
            return ExitCode::FAILURE;
        }
    };
    if let Some(dir) = &cli.evaluation.eval {
        return eval::main(&cli, dir, &source, &module);
    }
    match run(&cli, &module) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprint!("{}", failure.render(Some(&source)));
            ExitCode::FAILURE
        }
    }
}

/// Reads and verifies a model and lowers it if it is in QDQ form, with a note unless
/// `quiet`; the error as printed.
fn load_model(path: &str, quiet: bool) -> Result<(SourceFile, dfq_ir::Module), String> {
    let (source, mut module) =
        load::load_module(path, &dfq_dialects::Registry::new()).map_err(|e| e.render("dfq-run"))?;
    match qdq::lower_if_qdq(&mut module) {
        Ok(Some(left)) if !quiet => eprintln!("{}", qdq::note("dfq-run", load::display_name(path), "running", left)),
        Ok(_) => {}
        Err(message) => return Err(Failure::plain(message).render(Some(&source))),
    }
    Ok((source, module))
}

impl Cli {
    fn limits(&self) -> limits::Limits {
        limits::Limits {
            max_memory: self.max_memory.unwrap_or_else(limits::default_max_memory),
            max_tensor: self.max_tensor_size.unwrap_or(limits::DEFAULT_MAX_TENSOR),
        }
    }

    fn engine(&self) -> Engine {
        Engine::from_flags(self.interp, self.threads.map(usize::from))
    }

    /// Whether a result or the JSON goes to stdout, which then carries nothing else.
    fn stdout_taken(&self) -> bool {
        self.outputs.iter().chain(&self.json).any(|o| o == "-")
    }

    /// Prints `text` on stdout, or on stderr when stdout is taken.
    fn show(&self, text: &str) -> Result<(), Failure> {
        if self.stdout_taken() {
            eprint!("{text}");
            Ok(())
        } else {
            // Through write_output: a reader that stops early (`| head`) is no error.
            io::write_output("-", text.as_bytes()).map_err(Failure::plain)
        }
    }
}

fn run(cli: &Cli, module: &dfq_ir::Module) -> Result<(), Failure> {
    let func = module.function(&cli.entry).ok_or_else(|| no_such_function(module, &cli.entry))?;
    check_output_count(func, &cli.outputs)?;
    cli.limits().check(func, 1, 1)?;
    let inputs = if cli.random_input {
        random_inputs(func, cli.seed.unwrap_or(0))?
    } else {
        inputs::read_inputs(func, &cli.inputs)?
    };
    let prepared = cli.engine().prepare(func);
    let (results, bench) = match cli.bench.bench {
        true => {
            let (bench, results) = bench::measure(&prepared, &inputs, &cli.bench)?;
            (results, Some(bench))
        }
        false => (prepared.run(inputs)?, None),
    };
    // Encode everything first: a failure then leaves every -o file untouched.
    let encoded = results.iter().map(npy::encode).collect::<Result<Vec<_>, _>>().map_err(Failure::plain)?;
    for (path, bytes) in cli.outputs.iter().zip(&encoded) {
        io::write_output(path, bytes).map_err(Failure::plain)?;
    }
    if let Some(bench) = &bench {
        let model = load::display_name(&cli.model);
        if let Some(path) = &cli.json {
            io::write_output(path, bench.json(model, &cli.entry).as_bytes()).map_err(Failure::plain)?;
        }
        cli.show(&bench.text(model, &cli.entry))?;
    }
    if cli.print || (cli.outputs.is_empty() && bench.is_none()) {
        cli.show(&summary::render(&results))?;
    }
    Ok(())
}

fn no_such_function(module: &dfq_ir::Module, entry: &str) -> Failure {
    let names: Vec<String> = module.functions.iter().map(|f| format!("@{}", f.name)).collect();
    let known = match names.is_empty() {
        true => "it has no functions".to_string(),
        false => format!("it has {}", names.join(", ")),
    };
    Failure::plain(format!("no function '@{entry}' in the module ({known}); choose one with --entry"))
}

/// Stdin can be read once, by the model or by one input; stdout can take one result.
fn check_stdio_use(cli: &Cli) -> Result<(), Failure> {
    let readers = std::iter::once(&cli.model).chain(&cli.inputs).filter(|p| *p == "-").count();
    if readers > 1 {
        return Err(Failure::plain("'-' (stdin) can be given only once among the model and the inputs"));
    }
    if cli.outputs.iter().filter(|p| *p == "-").count() > 1 {
        return Err(Failure::plain("'-o -' (stdout) can be given only once"));
    }
    if cli.json.as_deref() == Some("-") && cli.outputs.iter().any(|p| p == "-") {
        return Err(Failure::plain("stdout can take a result (-o -) or the JSON (--json -), not both"));
    }
    Ok(())
}

/// Checked before running, so a long run does not end in a usage error.
fn check_output_count(func: &Function, outputs: &[String]) -> Result<(), Failure> {
    let results = func.result_types.len();
    if outputs.is_empty() || outputs.len() == results {
        return Ok(());
    }
    Err(Failure::plain(format!(
        "'@{}' returns {}, but {} given; give one -o per result, in order",
        func.name,
        inputs::count(results, "result"),
        match outputs.len() {
            1 => "1 -o was".to_string(),
            n => format!("{n} -o were"),
        }
    )))
}
