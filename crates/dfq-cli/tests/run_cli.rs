//! `dfq-run` end to end: the real binary on real files.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use dfq_cli::run::npy;
use dfq_interp::Tensor;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn dfq_run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_dfq-run")).args(args).current_dir(root()).output().expect("dfq-run starts")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn read_npy(path: &Path) -> Tensor {
    npy::decode("t", &std::fs::read(path).unwrap()).unwrap()
}

fn write_npy(dir: &Path, name: &str, t: &Tensor) -> String {
    let path = dir.join(name);
    std::fs::write(&path, npy::encode(t).unwrap()).unwrap();
    path.to_str().unwrap().to_string()
}

fn write_model(dir: &Path, text: &str) -> String {
    let path = dir.join("model.mlir");
    std::fs::write(&path, text).unwrap();
    path.to_str().unwrap().to_string()
}

const GOLDEN: &str = "tools/golden/golden_net.mlir";

/// A model with an op whose argument declaration sits on line 1, column 17.
const RELU: &str = "func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = \"nn.relu\"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
";

#[test]
fn golden_network_matches_numpy() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.npy");
    for engine in [&["--interp"][..], &[], &["--threads", "1"]] {
        let mut args = vec![GOLDEN, "--input", "tools/golden/input.npy", "-o", out.to_str().unwrap()];
        args.extend(engine);
        let run = dfq_run(&args);
        assert!(run.status.success(), "{engine:?}: {}", stderr(&run));
        assert!(run.stdout.is_empty(), "no summary unless --print when -o is given");
        assert!(run.stderr.is_empty(), "{engine:?}: the JIT compiles it: {}", stderr(&run));
        let got = read_npy(&out);
        let want = read_npy(&root().join("tools/golden/expected.npy"));
        assert_eq!((got.shape.as_slice(), got.dtype()), (want.shape.as_slice(), "f32"));
        // 1e-5 relative, measured against at least 1 so that entries near zero
        // (where f32 and NumPy's float64 differ by rounding alone) do not dominate.
        for (i, (g, w)) in got.as_f32().unwrap().iter().zip(want.as_f32().unwrap()).enumerate() {
            assert!((g - w).abs() <= 1e-5 * w.abs().max(1.0), "{engine:?}, element {i}: dfq-run {g}, NumPy {w}");
        }
    }
}

/// `dfq-opt FLAGS examples/mobilenet_tiny.mlir -o DIR/NAME`; the output's path.
fn quantized_example(dir: &Path, flags: &[&str], name: &str) -> String {
    let path = dir.join(name).to_str().unwrap().to_string();
    let opt = Command::new(env!("CARGO_BIN_EXE_dfq-opt"))
        .args(flags)
        .args(["examples/mobilenet_tiny.mlir", "-o", &path])
        .current_dir(root())
        .output()
        .unwrap();
    assert!(opt.status.success(), "{}", stderr(&opt));
    path
}

/// Runs `model` on random inputs (seed 3) with `flags`, writing the result to
/// DIR/NAME; its bytes and dfq-run's stderr.
fn run_to_npy(dir: &Path, model: &str, flags: &[&str], name: &str) -> (Vec<u8>, String) {
    let out = dir.join(name);
    let mut args = vec![model, "--random-input", "--seed", "3", "-o", out.to_str().unwrap()];
    args.extend(flags);
    let run = dfq_run(&args);
    assert!(run.status.success(), "{flags:?}: {}", stderr(&run));
    (std::fs::read(&out).unwrap(), stderr(&run))
}

#[test]
fn jit_and_interpreter_agree_bit_for_bit_on_the_dfq_quantized_example() {
    let dir = tempfile::tempdir().unwrap();
    // The QDQ form of --dfq, lowered by dfq-run itself for both engines.
    let model = quantized_example(dir.path(), &["--dfq"], "dfq.mlir");
    let (jit, note) = run_to_npy(dir.path(), &model, &[], "jit.npy");
    let (one_thread, _) = run_to_npy(dir.path(), &model, &["--threads", "1"], "jit1.npy");
    let (interp, interp_note) = run_to_npy(dir.path(), &model, &["--interp"], "interp.npy");
    assert_eq!(jit, interp, "the JIT's integers equal the interpreter's");
    assert_eq!(jit, one_thread);
    // The output is a real result, not a constant.
    let values = npy::decode("jit", &jit).unwrap().to_f32_lossy();
    assert_eq!(values.len(), 10);
    assert!(values.iter().any(|&v| v != values[0]), "{values:?}");
    let lowered =
        format!("dfq-run: note: '{model}' is in QDQ form: lowered it to integer ops (lower-int8) before running");
    for stderr in [&note, &interp_note] {
        assert_eq!(stderr.lines().count(), 1, "one note, no JIT fallback: {stderr}");
        assert!(stderr.starts_with(&lowered), "{stderr}");
    }
    let (_, quiet) = run_to_npy(dir.path(), &model, &["-q"], "quiet.npy");
    assert_eq!(quiet, "", "-q hides the note");
}

#[test]
fn a_qdq_model_runs_lowered_like_dfq_opt_lowers_it() {
    let dir = tempfile::tempdir().unwrap();
    let qdq = quantized_example(dir.path(), &["--quantize"], "qdq.mlir");
    let int8 = quantized_example(dir.path(), &["--quantize", "--lower-int8"], "int8.mlir");
    let (from_qdq, note) = run_to_npy(dir.path(), &qdq, &[], "qdq.npy");
    let (from_int8, silence) = run_to_npy(dir.path(), &int8, &[], "int8.npy");
    let (from_qdq_interp, _) = run_to_npy(dir.path(), &qdq, &["--interp"], "qdq-interp.npy");
    assert_eq!(from_qdq, from_int8);
    assert_eq!(from_qdq, from_qdq_interp);
    assert_eq!(
        note,
        format!("dfq-run: note: '{qdq}' is in QDQ form: lowered it to integer ops (lower-int8) before running\n")
    );
    assert_eq!(silence, "", "an int8 model is run as it is");
}

/// The value of `label` in --bench's text output.
fn bench_field<'a>(text: &'a str, label: &str) -> &'a str {
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("{label:<13}")))
        .unwrap_or_else(|| panic!("no {label} in\n{text}"));
    line[13..].trim_end()
}

#[test]
fn bench_prints_engine_latencies_and_gops() {
    let dir = tempfile::tempdir().unwrap();
    let model = quantized_example(dir.path(), &["--dfq"], "dfq.mlir");
    let bench = |flags: &[&str]| {
        let mut args = vec![model.as_str(), "--random-input", "--bench", "--runs", "3", "-q"];
        args.extend(flags);
        let out = dfq_run(&args);
        assert!(out.status.success(), "{flags:?}: {}", stderr(&out));
        assert_eq!(stderr(&out), "", "{flags:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let ms = |text: &str, label: &str| {
        let value = bench_field(text, label);
        let (number, unit) = value.split_once(' ').unwrap_or_else(|| panic!("{label}: {value}"));
        let scale = match unit {
            "s" => 1e3,
            "ms" => 1.0,
            "µs" => 1e-3,
            _ => panic!("{label}: unit of {value}"),
        };
        number.parse::<f64>().unwrap() * scale
    };

    let jit = bench(&[]);
    assert_eq!(bench_field(&jit, "model"), format!("{model} (@main)"));
    assert_eq!(bench_field(&jit, "engine"), "jit");
    assert!(["avx512-vnni", "avx-vnni", "avx2", "portable"].contains(&bench_field(&jit, "kernel")), "{jit}");
    let cores = std::thread::available_parallelism().unwrap().get();
    assert_eq!(bench_field(&jit, "threads"), cores.to_string(), "all cores by default");
    assert_eq!(bench_field(&jit, "runs"), "3 (after 3 warm-up)");
    assert!(ms(&jit, "compile") > 0.0);
    let (min, median, p90) = (ms(&jit, "min"), ms(&jit, "median"), ms(&jit, "p90"));
    assert!(0.0 < min && min <= median && median <= p90, "{jit}");
    // mobilenet_tiny: 1,101,952 MACs in its convs and linear layer (counted on the lowered qnn ops).
    assert_eq!(bench_field(&jit, "MACs"), "1.10 M");
    let gops: f64 = bench_field(&jit, "GOPS").parse().unwrap();
    assert!((gops - 2.0 * 1_101_952.0 / (median * 1e-3) / 1e9).abs() <= 0.01 + 0.01 * gops, "{jit}");

    let one = bench(&["--threads", "1", "--warmup", "0"]);
    assert_eq!((bench_field(&one, "engine"), bench_field(&one, "threads")), ("jit", "1"));
    assert_eq!(bench_field(&one, "runs"), "3 (after 0 warm-up)");

    let interp = bench(&["--interp"]);
    assert_eq!(
        ["engine", "kernel", "threads", "compile", "MACs"].map(|l| bench_field(&interp, l)),
        ["interp", "-", "1", "-", "1.10 M"]
    );

    // --json - puts the numbers on stdout and the text on stderr; -o still writes the result.
    let npy_path = dir.path().join("bench.npy");
    let out = dfq_run(&[
        &model,
        "--random-input",
        "--seed",
        "3",
        "--bench",
        "--runs",
        "2",
        "--json",
        "-",
        "-o",
        npy_path.to_str().unwrap(),
        "-q",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let json = String::from_utf8_lossy(&out.stdout);
    for field in
        ["\"engine\": \"jit\"", "\"runs\": 2", "\"warmup\": 3", "\"macs\": 1101952", "\"median_ms\": ", "\"gops\": "]
    {
        assert!(json.contains(field), "{field} in\n{json}");
    }
    assert_eq!(bench_field(&stderr(&out), "engine"), "jit");
    let (plain, _) = run_to_npy(dir.path(), &model, &[], "plain.npy");
    assert_eq!(std::fs::read(&npy_path).unwrap(), plain, "--bench writes the last run's result");
}

const SIGMOID: &str = "func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = \"nn.sigmoid\"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %0 : tensor<1x4xf32>
}
";

#[test]
fn a_function_the_jit_cannot_compile_falls_back_with_one_warning() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(dir.path(), SIGMOID);
    let (fallback, warning) = run_to_npy(dir.path(), &model, &[], "fallback.npy");
    assert_eq!(
        warning,
        format!(
            "dfq-run: warning: the JIT cannot compile '@main' ({model}:2:3: 'nn.sigmoid' op is not supported by the JIT); \
             running it on the reference interpreter instead (--interp selects the interpreter without this warning)\n"
        )
    );
    let (interp, silence) = run_to_npy(dir.path(), &model, &["--interp"], "interp.npy");
    assert_eq!(silence, "");
    assert_eq!(fallback, interp);
    // --bench says which engine ran.
    let out = dfq_run(&[&model, "--random-input", "--bench", "--runs", "1"]);
    assert!(out.status.success());
    assert_eq!(bench_field(&String::from_utf8_lossy(&out.stdout), "engine"), "interp");
    assert_eq!(stderr(&out).lines().count(), 1, "{}", stderr(&out));
}

#[test]
fn same_seed_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let run = |seed: &str, name: &str| {
        let path = dir.path().join(name);
        let out = dfq_run(&[GOLDEN, "--random-input", "--seed", seed, "-o", path.to_str().unwrap(), "--print"]);
        assert!(out.status.success(), "{}", stderr(&out));
        (std::fs::read(path).unwrap(), out.stdout)
    };
    let (a, summary_a) = run("5", "a.npy");
    let (b, summary_b) = run("5", "b.npy");
    let (c, _) = run("6", "c.npy");
    assert_eq!(a, b);
    assert_eq!(summary_a, summary_b);
    assert_ne!(a, c);
}

#[test]
fn shape_and_dtype_mismatches_name_the_argument() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(dir.path(), RELU);
    let wide = write_npy(dir.path(), "wide.npy", &Tensor::from_f32(vec![1, 5], vec![0.0; 5]));
    let out = dfq_run(&[&model, "--input", &wide]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let message = format!(
        "{model}:1:17: error: input '{wide}' does not match argument #0 (%x) of '@main': \
         expected tensor<1x4xf32>, the file holds tensor<1x5xf32> (float32)\n"
    );
    assert!(err.starts_with(&message), "{err}");
    assert!(err.ends_with("\nfunc.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {\n                ^\n"), "{err}");

    let ints = write_npy(dir.path(), "ints.npy", &Tensor::from_i8(vec![1, 4], vec![1; 4]));
    let err = stderr(&dfq_run(&[&model, "--input", &ints]));
    assert!(err.contains("expected tensor<1x4xf32>, the file holds tensor<1x4xi8> (int8)"), "{err}");
}

#[test]
fn unsupported_and_malformed_npy_files() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(dir.path(), RELU);
    let cases: [(&str, Vec<u8>, &str); 4] = [
        ("text.npy", b"1 2 3 4\n".to_vec(), "is not a .npy file"),
        ("header.npy", b"\x93NUMPY\x01\x00\xff\xffgarbage".to_vec(), "malformed header"),
        ("f64.npy", npy_file("<f8", "(1, 4)", &[0; 32]), "unsupported dtype float64 ('<f8')"),
        ("short.npy", npy_file("<f4", "(1, 4)", &[0; 12]), "announces 16 bytes of data (1x4 float32), but 12 follow"),
    ];
    for (name, bytes, message) in cases {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let out = dfq_run(&[&model, "--input", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{name}");
        let err = stderr(&out);
        assert!(err.starts_with("dfq-run: error: ") && err.contains(message), "{name}: {err}");
    }
}

/// A version-1.0 `.npy` file, assembled by hand so that any dtype can be written.
fn npy_file(descr: &str, shape: &str, data: &[u8]) -> Vec<u8> {
    let mut header = format!("{{'descr': '{descr}', 'fortran_order': False, 'shape': {shape}, }}");
    while !(10 + header.len() + 1).is_multiple_of(64) {
        header.push(' ');
    }
    header.push('\n');
    let mut out = b"\x93NUMPY\x01\x00".to_vec();
    out.extend((header.len() as u16).to_le_bytes());
    out.extend(header.bytes());
    out.extend(data);
    out
}

#[test]
fn missing_and_surplus_inputs() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(dir.path(), RELU);
    let err = stderr(&dfq_run(&[&model]));
    assert_eq!(
        err,
        "dfq-run: error: '@main' takes 1 argument (%x: tensor<1x4xf32>), but no --input was given \
         (or use --random-input)\n"
    );
    let x = write_npy(dir.path(), "x.npy", &Tensor::from_f32(vec![1, 4], vec![0.0; 4]));
    let err = stderr(&dfq_run(&[&model, "-i", &x, "-i", &x]));
    assert!(err.ends_with("but 2 --input files were given\n"), "{err}");
    let missing = dir.path().join("missing.npy");
    let out = dfq_run(&[&model, "-i", missing.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).starts_with("dfq-run: error: cannot read"), "{}", stderr(&out));
}

#[test]
fn invalid_model_gets_located_diagnostics() {
    let dir = tempfile::tempdir().unwrap();
    // Parses, but nn.relu must keep its operand's type: the verifier's error.
    let model = write_model(dir.path(), &RELU.replace("1x4xf32>\n", "1x3xf32>\n").replace("1x4xf32> {", "1x3xf32> {"));
    let out = dfq_run(&[&model, "--random-input"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("{model}:2:3: error: 'nn.relu' op")), "{err}");
    assert!(err.contains("\n  %0 = \"nn.relu\"(%x)") && err.contains("\n  ^\n"), "{err}");
}

#[test]
fn interpreter_errors_point_at_the_op() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(
        dir.path(),
        "func.func @main(%x: tensor<1x2x0x0xf32>) -> tensor<1x2x1x1xf32> {
  %0 = \"nn.global_avg_pool\"(%x) : (tensor<1x2x0x0xf32>) -> tensor<1x2x1x1xf32>
  return %0 : tensor<1x2x1x1xf32>
}
",
    );
    let out = dfq_run(&[&model, "--random-input", "--interp"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(err.starts_with(&format!("{model}:2:3: error: 'nn.global_avg_pool' op ")), "{err}");
    assert!(err.contains("\n  ^\n"), "{err}");
    // The JIT refuses it too; the interpreter then reports the error, after the warning.
    let out = dfq_run(&[&model, "--random-input"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    let (warning, error) = err.split_once('\n').unwrap();
    assert!(warning.starts_with("dfq-run: warning: the JIT cannot compile '@main'"), "{err}");
    assert!(error.starts_with(&format!("{model}:2:3: error: 'nn.global_avg_pool' op ")), "{err}");
}

#[test]
fn output_is_replaced_only_by_a_complete_result() {
    let dir = tempfile::tempdir().unwrap();
    let model = write_model(dir.path(), RELU);
    let out_path = dir.path().join("out.npy");
    let out = out_path.to_str().unwrap();
    std::fs::write(&out_path, b"previous result").unwrap();

    let bad = dir.path().join("bad.npy");
    std::fs::write(&bad, b"not numpy").unwrap();
    assert!(!dfq_run(&[&model, "-i", bad.to_str().unwrap(), "-o", out]).status.success());
    assert!(!dfq_run(&[&model, "--random-input", "-o", out, "-o", out]).status.success());
    assert_eq!(std::fs::read(&out_path).unwrap(), b"previous result");

    let x = write_npy(dir.path(), "x.npy", &Tensor::from_f32(vec![1, 4], vec![-1.0, 2.0, -3.0, 4.0]));
    let run = dfq_run(&[&model, "-i", &x, "-o", out]);
    assert!(run.status.success(), "{}", stderr(&run));
    assert_eq!(read_npy(&out_path), Tensor::from_f32(vec![1, 4], vec![0.0, 2.0, 0.0, 4.0]));
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(leftovers.len(), 4, "no temporary files remain: {leftovers:?}");
}

#[test]
fn stdin_model_and_stdout_result() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dfq-run"))
        .args(["-", "--random-input", "-o", "-", "--print"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    std::io::Write::write_all(&mut child.stdin.take().unwrap(), RELU.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let t = npy::decode("stdout", &out.stdout).unwrap();
    assert_eq!(t.shape, vec![1, 4]);
    // The summary moves to stderr so that stdout stays a valid .npy file.
    assert!(stderr(&out).starts_with("result #0: tensor<1x4xf32>\n"), "{}", stderr(&out));
}

#[test]
fn command_line_mistakes_exit_2() {
    let mistakes = [
        &[GOLDEN, "--seed", "1"][..],
        &[GOLDEN, "--random-input", "-i", "x.npy"],
        &["-", "-i", "-"],
        &[GOLDEN, "--random-input", "-o", "-", "-o", "-"],
        &[],
        &[GOLDEN, "--random-input", "--threads", "0"],
        &[GOLDEN, "--random-input", "--threads", "2", "--interp"],
        &[GOLDEN, "--random-input", "--runs", "3"],
        &[GOLDEN, "--random-input", "--bench", "--runs", "0"],
        &[GOLDEN, "--random-input", "--json", "x.json"],
        &[GOLDEN, "--random-input", "--bench", "--json", "-", "-o", "-"],
        &[GOLDEN, "--bench", "--eval", "."],
        &[GOLDEN, "--eval", ".", "--warmup", "1"],
    ];
    for args in mistakes {
        let out = dfq_run(args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
    }
    let help = dfq_run(&["--help"]);
    assert!(help.status.success());
    let text = String::from_utf8(help.stdout).unwrap();
    for flag in ["Examples:", "--interp", "--bench", "--threads", "--runs", "--warmup"] {
        assert!(text.contains(flag), "{flag} in {text}");
    }
}

#[test]
fn unknown_entry_lists_the_functions() {
    let err = stderr(&dfq_run(&[GOLDEN, "--entry", "nope", "--random-input"]));
    assert_eq!(err, "dfq-run: error: no function '@nope' in the module (it has @main); choose one with --entry\n");
}
