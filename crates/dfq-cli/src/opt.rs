//! `dfq-opt`: parse, verify, run passes, print, in the habits of `mlir-opt`.

use std::cell::RefCell;
use std::ffi::OsString;
use std::rc::Rc;
use std::process::ExitCode;

use clap::{Arg, ArgAction, ArgMatches, Command};
use dfq_ir::{print_module, Diagnostic, Diagnostics, Module, PrintOptions, SourceFile};
use dfq_rewrite::{parse_pipeline, PassContext, PassError, PassManager, PassRegistry, PipelineEntry};

use crate::load::{self, LoadError};
use crate::{expected, io, split};

/// Flags of dfq-opt itself; pass flags are added from the registry.
const OWN_FLAGS: &[&str] = &[
    "input",
    "output",
    "pass-pipeline",
    "split-input-file",
    "verify-diagnostics",
    "print-ir-after-all",
    "mlir-print-debuginfo",
    "allow-unregistered-dialect",
    "list-passes",
    "print-pipeline",
    "inline-elements-limit",
    "dfq",
    "calibration",
    "report",
];

fn command(registry: &PassRegistry) -> Command {
    let mut cmd = Command::new("dfq-opt")
        .about("Parse, verify, transform and print dfq IR (MLIR text), like mlir-opt")
        .long_about(
            "Reads a module in dfq's MLIR-compatible text form, verifies it, runs the passes given on the \
             command line in that order, and prints the result.\n\n\
             Passes are flags: `dfq-opt --canonicalize --dce in.mlir -o out.mlir`. Pass options follow MLIR: \
             `--quantize='weight-bits=4 per-channel'`, or give the exact pipeline with \
             `--pass-pipeline='builtin.module(canonicalize,dce)'`.\n\n\
             The DFQ steps (fold-bn, relu6-to-relu, equalize, absorb-bias, quantize, bias-correct, lower-int8) \
             are selected by their flags and always run in that order, with the steps they depend on added: \
             `dfq-opt --equalize --bias-correct model.mlir` runs fold-bn, equalize, quantize, bias-correct. \
             `--dfq` selects the whole recommended pipeline; `--print-pipeline` shows what will run.",
        )
        .after_help(pass_list(registry))
        .arg(Arg::new("input").value_name("INPUT").default_value("-").help("Input file, '-' for stdin"))
        .arg(
            Arg::new("output")
                .short('o')
                .long("output")
                .value_name("FILE")
                .default_value("-")
                .help("Output file, written atomically (may be the input file); '-' for stdout"),
        )
        .arg(
            Arg::new("pass-pipeline")
                .long("pass-pipeline")
                .value_name("PIPELINE")
                .help("Exact pass pipeline, e.g. 'builtin.module(canonicalize,dce)'; excludes pass flags"),
        )
        .arg(flag("split-input-file", "Treat '// -----' lines as separators of independent inputs"))
        .arg(flag("verify-diagnostics", "Check diagnostics against 'expected-error {{...}}' comments in the input"))
        .arg(flag("print-ir-after-all", "Print the IR to stderr after every pass"))
        .arg(flag("mlir-print-debuginfo", "Print source locations of ops as loc(...)"))
        .arg(flag("allow-unregistered-dialect", "Accept ops of dialects dfq does not know"))
        .arg(flag("list-passes", "List the available passes and exit"))
        .arg(flag("print-pipeline", "Print the pipeline that would run, then exit"))
        .arg(flag(
            "dfq",
            "The full data-free quantization pipeline: fold-bn, equalize, absorb-bias, quantize, bias-correct",
        ))
        .arg(
            Arg::new("calibration")
                .long("calibration")
                .value_name("FILE.npy")
                .help("Empirical bias correction (not data-free): measure the quantization shift on these float32 inputs (N×C×H×W, or one C×H×W sample); sets bias-correct's 'calibration' option and selects bias-correct"),
        )
        .arg(
            Arg::new("report")
                .long("report")
                .value_name("PATH")
                .help("Write per-layer figures (weight ranges before/after CLE, scales, SQNR, bias shifts) as Markdown to PATH; if PATH is a directory (or ends in '/'), to PATH/report.md with SVG figures beside it"),
        )
        .arg(
            Arg::new("inline-elements-limit")
                .long("inline-elements-limit")
                .value_name("N")
                .value_parser(clap::value_parser!(u64))
                .default_value("64")
                .help("Constants with more elements are printed as dense_resource blobs"),
        );
    for info in registry.passes() {
        cmd = cmd.arg(
            Arg::new(info.name)
                .long(info.name)
                .value_name("OPTIONS")
                .num_args(0..=1)
                .require_equals(true)
                .default_missing_value("")
                .action(ArgAction::Append)
                .help(info.summary)
                .help_heading("Passes"),
        );
    }
    cmd
}

fn flag(name: &'static str, help: &'static str) -> Arg {
    Arg::new(name).long(name).action(ArgAction::SetTrue).help(help)
}

fn pass_list(registry: &PassRegistry) -> String {
    let mut out = String::from("Available passes (run in the order given):\n");
    for info in registry.passes() {
        out.push_str(&format!("  --{:<20} {}\n", info.name, info.summary));
        for o in info.options {
            out.push_str(&format!("      {}={:<12} {} (default: {})\n", o.name, format!("<{:?}>", o.kind).to_lowercase(), o.help, o.default));
        }
    }
    out
}

/// Pass flags in command-line order, with their option text.
fn pipeline_from_flags(matches: &ArgMatches, registry: &PassRegistry) -> Result<Vec<PipelineEntry>, String> {
    let mut entries: Vec<(usize, PipelineEntry)> = Vec::new();
    for info in registry.passes() {
        if OWN_FLAGS.contains(&info.name) {
            continue;
        }
        let (Some(indices), Some(values)) = (matches.indices_of(info.name), matches.get_many::<String>(info.name)) else {
            continue;
        };
        for (i, v) in indices.zip(values) {
            entries.push((i, PipelineEntry { name: info.name.to_string(), options: v.clone() }));
        }
    }
    let dfq_index = matches.get_flag("dfq").then(|| matches.index_of("dfq")).flatten();
    if let Some(i) = dfq_index {
        for step in dfq_passes::pipeline::RECOMMENDED {
            entries.push((i, PipelineEntry { name: step.to_string(), options: String::new() }));
        }
    }
    // --calibration selects bias-correct where it stands, unless a flag did.
    let calibration = matches.get_one::<String>("calibration");
    if let (Some(_), Some(i)) = (calibration, matches.index_of("calibration")) {
        if !entries.iter().any(|(_, e)| e.name == "bias-correct") {
            entries.push((i, PipelineEntry { name: "bias-correct".to_string(), options: String::new() }));
        }
    }
    entries.sort_by_key(|(i, _)| *i);
    let mut entries: Vec<PipelineEntry> = entries.into_iter().map(|(_, e)| e).collect();
    if let Some(path) = calibration {
        dfq_passes::pipeline::set_calibration(&mut entries, path)?;
    }
    // DFQ steps run in their canonical order, with what they depend on.
    Ok(dfq_passes::pipeline::resolve(&entries))
}

struct Settings {
    pipeline: Vec<PipelineEntry>,
    report: bool,
    verify_diagnostics: bool,
    print_ir_after_all: bool,
    allow_unregistered: bool,
    print: PrintOptions,
}

/// Runs dfq-opt with `args` (including the program name).
pub fn main_with_args(args: Vec<OsString>) -> ExitCode {
    let registry = dfq_passes::registry();
    let matches = match command(&registry).try_get_matches_from(args) {
        Ok(m) => m,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { ExitCode::from(2) } else { ExitCode::SUCCESS };
        }
    };
    if matches.get_flag("list-passes") {
        print!("{}", pass_list(&registry));
        return ExitCode::SUCCESS;
    }
    let mut pipeline = match pipeline_from_flags(&matches, &registry) {
        Ok(p) => p,
        Err(e) => return fail(&e),
    };
    if let Some(text) = matches.get_one::<String>("pass-pipeline") {
        if matches.get_one::<String>("calibration").is_some() {
            return fail("--calibration cannot be combined with --pass-pipeline; write bias-correct{calibration=FILE} in the pipeline");
        }
        if !pipeline.is_empty() {
            return fail("--pass-pipeline cannot be combined with pass flags");
        }
        pipeline = match parse_pipeline(text) {
            Ok(p) => p,
            Err(e) => return fail(&format!("invalid --pass-pipeline: {e}")),
        };
    }
    // Validate every pass and its options before touching the input.
    let mut resolved = Vec::new();
    for entry in &pipeline {
        match registry.create(entry) {
            Ok((_, options)) => resolved.push(format!("{}{{{}}}", entry.name, options.render()).replace("{}", "")),
            Err(e) => return fail(&e),
        }
    }
    if matches.get_flag("print-pipeline") {
        println!("builtin.module({})", resolved.join(","));
        return ExitCode::SUCCESS;
    }
    // A directory (an existing one, or a path ending in '/') gets report.md and the figures.
    let report_dir =
        matches.get_one::<String>("report").filter(|p| p.ends_with('/') || std::path::Path::new(p).is_dir());
    let report_path = matches.get_one::<String>("report").map(|p| match report_dir {
        Some(dir) => format!("{}/report.md", dir.trim_end_matches('/')),
        None => p.clone(),
    });
    let settings = Settings {
        pipeline,
        report: report_path.is_some(),
        verify_diagnostics: matches.get_flag("verify-diagnostics"),
        print_ir_after_all: matches.get_flag("print-ir-after-all"),
        allow_unregistered: matches.get_flag("allow-unregistered-dialect"),
        print: PrintOptions {
            inline_elements_limit: *matches.get_one::<u64>("inline-elements-limit").expect("has default"),
            debug_info: matches.get_flag("mlir-print-debuginfo"),
        },
    };
    let input = matches.get_one::<String>("input").expect("has default");
    let output = matches.get_one::<String>("output").expect("has default");
    let source = match load::read_source(input) {
        Ok(s) => s,
        Err(LoadError::Io(e)) => return fail(&e),
        Err(LoadError::Invalid { source, diagnostics }) => return report_unchecked(&settings, &source, diagnostics),
    };
    let name = load::display_name(input);
    let chunks = if matches.get_flag("split-input-file") {
        split::split_input(name, source.text())
    } else {
        vec![source]
    };
    let mut outputs = Vec::new();
    let mut reports = Vec::new();
    let mut failed = false;
    for chunk in &chunks {
        let (module, diags, report) = process_chunk(chunk, &settings, &registry);
        reports.extend(report);
        if settings.verify_diagnostics {
            let problems = expected::verify(chunk, &diags);
            eprint!("{}", Diagnostics(problems.clone()).render(&[chunk]));
            failed |= !problems.is_empty();
        } else {
            eprint!("{}", Diagnostics(diags.clone()).render(&[chunk]));
            failed |= diags.iter().any(|d| d.severity == dfq_ir::Severity::Error);
        }
        if let Some(m) = module {
            outputs.push(print_module(&m, &settings.print));
        }
    }
    if failed {
        return ExitCode::FAILURE;
    }
    if let Some(path) = &report_path {
        let report = dfq_passes::report::Report::join(reports);
        let written = match report_dir {
            // Figures first, so that report.md never links a file that is not there.
            Some(dir) => std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the report directory '{dir}': {e}"))
                .and_then(|()| {
                    report.files.iter().try_for_each(|(name, svg)| {
                        io::write_output(&format!("{}/{name}", dir.trim_end_matches('/')), svg)
                    })
                })
                .and_then(|()| io::write_output(path, report.markdown.as_bytes())),
            None => io::write_output(path, report.markdown_without_figures.as_bytes()),
        };
        if let Err(e) = written {
            return fail(&e);
        }
    }
    match io::write_output(output, outputs.join(&format!("{}\n", split::SEPARATOR)).as_bytes()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

/// Parses, verifies and transforms one input. Returns the module if all went
/// well, every diagnostic produced on the way, and the report if one was asked for.
fn process_chunk(
    src: &SourceFile,
    settings: &Settings,
    registry: &PassRegistry,
) -> (Option<Module>, Vec<Diagnostic>, Option<dfq_passes::report::Report>) {
    let dialects = dfq_dialects::Registry::new().allow_unregistered(settings.allow_unregistered);
    let mut module = match load::parse_and_verify(src, &dialects) {
        Ok(m) => m,
        Err(d) => return (None, d, None),
    };
    let mut pm = PassManager::new();
    for entry in &settings.pipeline {
        // Validated before reading the input, but a pass may read a file again
        // (bias-correct's calibration data), which can have changed since.
        match registry.create(entry) {
            Ok((pass, _)) => pm.add(pass),
            Err(e) => return (None, vec![Diagnostic::error(None, e)], None),
        }
    }
    pm.verify_each(move |m| dfq_dialects::verify_module_with(m, &dialects));
    let snapshots = Rc::new(RefCell::new(vec![("input".to_string(), module.clone())]));
    let print_after_all = settings.print_ir_after_all.then(|| settings.print.clone());
    let report = settings.report;
    let hook_snapshots = snapshots.clone();
    pm.after_each(move |pass, m| {
        if let Some(print) = &print_after_all {
            eprintln!("// -----// IR Dump After {pass} //----- //\n{}", print_module(m, print));
        }
        if report {
            hook_snapshots.borrow_mut().push((pass.to_string(), m.clone()));
        }
    });
    let mut ctx = PassContext::default();
    let result = pm.run(&mut module, &mut ctx);
    let mut diags = ctx.diagnostics;
    match result {
        Ok(()) => {
            let report = settings.report.then(|| dfq_passes::report::render(&snapshots.borrow()));
            (Some(module), diags, report)
        }
        Err(PassError::Diagnostics(d)) => {
            diags.extend(d.0);
            (None, diags, None)
        }
        Err(PassError::Message(m)) => {
            diags.push(Diagnostic::error(None, m));
            (None, diags, None)
        }
    }
}

fn report_unchecked(settings: &Settings, src: &SourceFile, diags: Vec<Diagnostic>) -> ExitCode {
    let shown = if settings.verify_diagnostics { expected::verify(src, &diags) } else { diags };
    eprint!("{}", Diagnostics(shown.clone()).render(&[src]));
    if shown.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("dfq-opt: error: {message}");
    ExitCode::FAILURE
}
