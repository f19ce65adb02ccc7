//! `dfq-run MODEL --eval DIR`: the top-1 and top-5 accuracy of an image
//! classifier on a directory of labelled images (DIR/labels.csv), and with
//! `--reference` how often its top class agrees with another model's.

mod classifier;
mod labels;
mod preprocess;
mod report;
mod resample;
mod runner;
mod score;

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use dfq_ir::{Function, Module, SourceFile};
use indicatif::{ProgressBar, ProgressStyle};

use classifier::Classifier;
use labels::Labelled;
use preprocess::Preprocess;
use report::Report;
use runner::Evaluation;

use super::{Cli, Engine, Failure};
use crate::io;

/// The flags of a plain run, which --eval replaces. Each --eval flag conflicts with them
/// itself: clap drops a `requires` whose target conflicts with a flag given.
const PLAIN_RUN: [&str; 4] = ["inputs", "random_input", "outputs", "print"];

/// The --eval flags, part of dfq-run's command line.
#[derive(clap::Args, Debug)]
pub(super) struct EvalArgs {
    /// Evaluate MODEL as an image classifier on DIR: DIR/labels.csv names each image (column `file`)
    /// and its class (`class_index`); prints top-1/top-5 accuracy and the wall time.
    #[arg(long, value_name = "DIR", conflicts_with_all = PLAIN_RUN)]
    pub eval: Option<PathBuf>,

    /// Evaluate N images only, spread evenly over labels.csv.
    #[arg(long, value_name = "N", requires = "eval", conflicts_with_all = PLAIN_RUN,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,

    /// Also run this model (usually the float original of a quantized MODEL) on every image and
    /// report how often the two models' top-1 classes agree.
    #[arg(long, value_name = "FLOAT.mlir", requires = "eval", conflicts_with_all = PLAIN_RUN)]
    pub reference: Option<String>,

    /// How pixels are normalized [default: the convention whose value range the input's dfq.range
    /// records].
    #[arg(long, value_enum, value_name = "KIND", requires = "eval", conflicts_with_all = PLAIN_RUN)]
    pub preprocess: Option<Preprocess>,

    /// Images per run when the input's batch dimension is dynamic [default: 1]; a batch fixed by the
    /// signature is used as it is (and --batch must agree with it).
    #[arg(long, value_name = "B", requires = "eval", conflicts_with_all = PLAIN_RUN,
          value_parser = clap::value_parser!(u64).range(1..))]
    pub batch: Option<u64>,

}

/// Runs `--eval DIR` for the loaded model and prints what went wrong, if anything.
pub(super) fn main(cli: &Cli, dir: &Path, source: &SourceFile, module: &Module) -> ExitCode {
    let reference = match &cli.evaluation.reference {
        Some(path) => match super::load_model(path, cli.quiet) {
            Ok(loaded) => Some(loaded),
            Err(message) => {
                eprint!("{message}");
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    match evaluate(cli, dir, module, reference.as_ref().map(|(_, m)| m)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // Show the source line of whichever model the failure is located in.
            let mut sources = std::iter::once(source).chain(reference.as_ref().map(|(s, _)| s));
            let file = failure.loc.as_ref().map(|l| l.file.clone());
            let located_in = sources.find(|s| file.as_ref() == Some(s.name()));
            eprint!("{}", failure.render(located_in));
            ExitCode::FAILURE
        }
    }
}

fn evaluate(cli: &Cli, dir: &Path, module: &Module, reference: Option<&Module>) -> Result<(), Failure> {
    let args = &cli.evaluation;
    let model = Classifier::new(entry(module, &cli.entry)?, args.batch.map(|b| b as usize))?;
    let reference = reference.map(|m| Classifier::new(entry(m, &cli.entry)?, None)).transpose()?;
    // Images run in parallel, one per rayon thread, each with its own values.
    let parallel = rayon::current_num_threads() as u64;
    cli.limits().check(model.func, model.batch as u64, parallel)?;
    if let Some(r) = &reference {
        cli.limits().check(r.func, r.batch as u64, parallel)?;
    }
    if let Some(r) = &reference {
        model.check_reference(r)?;
    }
    let (preprocess, from_range) = choose_preprocess(args.preprocess, model.func)?;
    let images = labels::read_labels(dir).map_err(Failure::plain)?;
    let images = labels::spread(images, args.limit.map(|n| n as usize));
    check_classes(&images, model.classes)?;

    // Compiled once; each image then runs on one JIT thread, images in parallel on
    // all cores (faster than threads per image: see docs/dfq-run.md).
    let engine = match cli.engine() {
        Engine::Jit { .. } if cli.threads.is_none() => Engine::Jit { threads: 1 },
        engine => engine,
    };
    let prepared = engine.prepare(model.func);
    let prepared_reference = reference.as_ref().map(|r| engine.prepare(r.func));

    let progress = progress_bar(images.len(), cli.quiet);
    let start = Instant::now();
    let evaluation = Evaluation {
        model: &model,
        engine: &prepared,
        reference: prepared_reference.as_ref(),
        dir,
        preprocess,
    };
    let tally = evaluation.run(&images, &progress);
    progress.finish_and_clear(); // also before an error message
    let mut tally = tally?;
    let seconds = start.elapsed().as_secs_f64();
    if tally.evaluated == 0 {
        return Err(Failure::plain(format!("none of the {} images could be decoded", images.len())));
    }
    tally.skipped.sort();

    let report = Report {
        model: &cli.model,
        reference: args.reference.as_deref(),
        engine: prepared.describe(),
        preprocess: preprocess.name(),
        preprocess_from_range: from_range,
        tally: &tally,
        seconds,
        threads: rayon::current_num_threads(),
    };
    if let Some(path) = &cli.json {
        io::write_output(path, report.json().as_bytes()).map_err(Failure::plain)?;
    }
    cli.show(&report.summary())
}

fn entry<'m>(module: &'m Module, name: &str) -> Result<&'m Function, Failure> {
    module.function(name).ok_or_else(|| super::no_such_function(module, name))
}

/// --preprocess, or else the convention whose value range the input's
/// `dfq.range` records (`dfq-translate --input-range=efficientnet|imagenet`):
/// the wrong one costs accuracy silently, so the module's word is checked too.
fn choose_preprocess(flag: Option<Preprocess>, func: &Function) -> Result<(Preprocess, bool), Failure> {
    let arg = &func.args[0];
    let range = dfq_dialects::input_range(arg).map_err(|e| Failure::at(arg.loc.clone(), e))?;
    // Printed ranges may be shortened (-2.1179 for -2.117904...): compare loosely.
    let close = |(lo, hi): (f64, f64), p: Preprocess| {
        let (want_lo, want_hi) = p.input_range();
        (lo - want_lo).abs() < 1e-3 && (hi - want_hi).abs() < 1e-3
    };
    let recorded =
        [Preprocess::Efficientnet, Preprocess::Imagenet].into_iter().find(|&p| range.is_some_and(|r| close(r, p)));
    match (flag, recorded) {
        (Some(flag), Some(recorded)) if flag != recorded => {
            eprintln!(
                "dfq-run: warning: --preprocess {} given, but the input's dfq.range is {}'s",
                flag.name(),
                recorded.name()
            );
            Ok((flag, false))
        }
        (Some(flag), _) => Ok((flag, false)),
        (None, Some(recorded)) => Ok((recorded, true)),
        (None, None) => {
            let what = match range {
                Some((lo, hi)) => format!("its dfq.range [{lo}, {hi}] is neither's"),
                None => "it has no dfq.range".to_string(),
            };
            Err(Failure::at(
                arg.loc.clone(),
                format!(
                    "--eval cannot tell how '@{}' expects pixels normalized ({what}): \
                     give --preprocess efficientnet or --preprocess imagenet",
                    func.name
                ),
            ))
        }
    }
}

/// Every label must be one of the model's classes, or no answer could be right.
fn check_classes(images: &[Labelled], classes: usize) -> Result<(), Failure> {
    match images.iter().find(|i| i.class >= classes) {
        Some(bad) => Err(Failure::plain(format!(
            "labels.csv gives '{}' class_index {}, but the model scores {classes} classes (0 to {})",
            bad.file,
            bad.class,
            classes - 1
        ))),
        None => Ok(()),
    }
}

/// A bar on stderr, unless --quiet or stderr is not a terminal (a log file).
fn progress_bar(images: usize, quiet: bool) -> ProgressBar {
    if quiet || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let style = ProgressStyle::with_template("{bar:40} {pos}/{len} images, {elapsed} (eta {eta})")
        .expect("a valid progress template");
    ProgressBar::new(images as u64).with_style(style)
}
