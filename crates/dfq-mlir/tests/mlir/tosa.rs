//! `--export-tosa`: the exported text's shape (pure Rust, always), and with the
//! feature: `mlir-opt-22 --tosa-validate` accepts it, `--tosa-to-linalg-pipeline`
//! lowers it, and, lowered to LLVM and run by `mlir-runner-22`, it computes what
//! dfq's interpreter computes, bit for bit.

use dfq_ir::{parse_module, Module, SourceFile};
use dfq_mlir::tosa::export_tosa;

use crate::corpus;
use crate::harness::Test;

pub fn register(tests: &mut Vec<Test>) {
    tests.push(Test::new("tosa::example_exports", example_exports));
    tests.push(Test::new("tosa::unsupported_ops_are_located", unsupported_ops_are_located));
    #[cfg(feature = "mlir")]
    mlir::register(tests);
}

fn example_exports() -> Result<(), String> {
    let export = export_tosa(&corpus::example_int8()).map_err(|d| d.to_string())?;
    let text = &export.text;
    for needle in [
        "tosa.conv2d",
        "tosa.depthwise_conv2d",
        "rounding_mode = SINGLE_ROUND",
        "tosa.matmul",
        "tosa.add",
        "tosa.reduce_sum",
        "tosa.reshape",
    ] {
        if !text.contains(needle) {
            return Err(format!("no '{needle}' in the export:\n{text}"));
        }
    }
    if text.contains("quant.uniform<u8") || text.contains("nn.") {
        return Err(format!("the export must be plain i8 TOSA:\n{text}"));
    }
    // Input: the quantized 1x3x32x32 image in NHWC; output: the 10 logits.
    let (input, output) = (&export.inputs[0], &export.outputs[0]);
    check(input.tosa_shape == [1, 32, 32, 3] && input.float_in_dfq, format!("input {input:?}"))?;
    check(output.tosa_shape == [1, 10] && output.float_in_dfq, format!("output {output:?}"))
}

fn unsupported_ops_are_located() -> Result<(), String> {
    let text = r#"func.func @main(%x: tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:3>>
  %d = "qnn.dequantize"(%q) : (tensor<1x4x4x4x!quant.uniform<u8:f32, 0.1:3>>) -> tensor<1x4x4x4xf32>
  %s = "nn.softmax"(%d) {axis = 1 : i64} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
  return %s : tensor<1x4x4x4xf32>
}"#;
    let module = parse(text)?;
    let Err(diags) = export_tosa(&module) else { return Err("nn.softmax exported".into()) };
    let shown = diags.to_string();
    check(shown.starts_with("t.mlir:4:3: error: 'nn.softmax' op: has no int8 TOSA form"), shown)
}

pub(crate) fn parse(text: &str) -> Result<Module, String> {
    parse_module(&SourceFile::new("t.mlir", text)).map_err(|d| d.to_string())
}

fn check(ok: bool, what: String) -> Result<(), String> {
    if ok {
        Ok(())
    } else {
        Err(what)
    }
}

#[cfg(feature = "mlir")]
mod mlir {
    use std::path::{Path, PathBuf};
    use std::process::Command;

    use dfq_fixtures::Preset;
    use dfq_interp::Tensor;
    use dfq_ir::Module;
    use dfq_mlir::tosa::{export_tosa, TosaExport};
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use crate::corpus;
    use crate::harness::Test;

    pub fn register(tests: &mut Vec<Test>) {
        tests.push(Test::new("tosa::example_validates_and_lowers", || {
            let export = export_tosa(&corpus::example_int8()).map_err(|d| d.to_string())?;
            validate(&export, "example")
        }));
        tests.push(Test::new("tosa::example_runs_bit_exact", || {
            let module = corpus::example_int8();
            run_compare(&module, "example", 3)
        }));
        tests.push(Test::new("tosa::pools_and_tables_run_bit_exact", || {
            // A sigmoid kept in float by lower-int8 (a 256-entry tosa.table), max
            // and average pooling with padding and stride, a clamp.
            let module = crate::tosa::parse(POOLS)?;
            let q = corpus::run_passes(module, "quantize")?;
            let int8 = corpus::run_passes(q, "lower-int8")?;
            let text = export_tosa(&int8).map_err(|d| d.to_string())?.text;
            for op in ["tosa.table", "tosa.max_pool2d", "tosa.depthwise_conv2d"] {
                if !text.contains(op) {
                    return Err(format!("no {op} in:\n{text}"));
                }
            }
            run_compare(&int8, "pools", 3)
        }));
        tests.push(Test::new("tosa::random_nets_run_bit_exact", || {
            // Between them: residual adds, concats, max and average pools, per-channel clips.
            for seed in 1..=6 {
                let q = corpus::run_passes(Preset::Random.build(seed), corpus::DFQ)?;
                let module = corpus::run_passes(q, "lower-int8")?;
                run_compare(&module, &format!("random seed {seed}"), 1)?;
            }
            Ok(())
        }));
    }

    const POOLS: &str = r#"func.func @main(%x: tensor<1x2x6x6xf32> {dfq.range = [-1.0, 1.0]}) -> tensor<1x4x2x2xf32> {
  %w = arith.constant dense<[[[[0.5, -0.25, 0.1], [0.2, 0.3, -0.4], [0.05, 0.6, -0.1]], [[-0.3, 0.2, 0.1], [0.4, -0.5, 0.2], [0.1, 0.1, 0.1]]], [[[0.2, 0.2, 0.2], [-0.2, -0.2, -0.2], [0.3, 0.0, -0.3]], [[0.1, -0.1, 0.1], [-0.1, 0.1, -0.1], [0.7, 0.0, 0.2]]], [[[-0.6, 0.1, 0.0], [0.2, 0.9, 0.1], [0.0, 0.1, -0.2]], [[0.3, 0.3, -0.3], [0.1, -0.8, 0.1], [0.0, 0.2, 0.4]]], [[[0.05, 0.1, 0.15], [0.2, 0.25, 0.3], [0.35, 0.4, 0.45]], [[-0.05, -0.1, -0.15], [-0.2, -0.25, -0.3], [-0.35, -0.4, -0.45]]]]> : tensor<4x2x3x3xf32>
  %b = arith.constant dense<[0.1, -0.2, 0.05, 0.3]> : tensor<4xf32>
  %0 = "nn.conv2d"(%x, %w, %b) {pads = array<i64: 1, 1, 1, 1>} : (tensor<1x2x6x6xf32>, tensor<4x2x3x3xf32>, tensor<4xf32>) -> tensor<1x4x6x6xf32>
  %1 = "nn.sigmoid"(%0) : (tensor<1x4x6x6xf32>) -> tensor<1x4x6x6xf32>
  %2 = "nn.max_pool2d"(%1) {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, pads = array<i64: 1, 1, 1, 1>} : (tensor<1x4x6x6xf32>) -> tensor<1x4x3x3xf32>
  %3 = "nn.avg_pool2d"(%2) {kernel = array<i64: 2, 2>} : (tensor<1x4x3x3xf32>) -> tensor<1x4x2x2xf32>
  %4 = "nn.relu6"(%3) : (tensor<1x4x2x2xf32>) -> tensor<1x4x2x2xf32>
  return %4 : tensor<1x4x2x2xf32>
}"#;

    fn tmp() -> Result<tempfile::TempDir, String> {
        tempfile::tempdir().map_err(|e| e.to_string())
    }

    fn tool(name: &str, args: &[&str], what: &str) -> Result<String, String> {
        let out = Command::new(name).args(args).output().map_err(|e| format!("{what}: cannot run {name}: {e}"))?;
        if !out.status.success() {
            return Err(format!("{what}: {name} {} failed:\n{}", args.join(" "), String::from_utf8_lossy(&out.stderr)));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    /// `mlir-opt-22` validates the export strictly for the integer profile, and lowers it.
    fn validate(export: &TosaExport, what: &str) -> Result<(), String> {
        let dir = tmp()?;
        let path = dir.path().join("model.tosa.mlir");
        std::fs::write(&path, &export.text).map_err(|e| e.to_string())?;
        let p = path.to_str().ok_or("temp path is not UTF-8")?;
        tool(
            "mlir-opt-22",
            &[p, "--tosa-attach-target=profiles=pro_int", "--tosa-validate=strict-op-spec-alignment", "-o", "/dev/null"],
            what,
        )?;
        tool("mlir-opt-22", &[p, "--tosa-to-linalg-pipeline", "-o", "/dev/null"], what)?;
        Ok(())
    }

    fn llvm_lib_dir() -> PathBuf {
        let prefix = std::env::var_os("MLIR_SYS_220_PREFIX").map_or(PathBuf::from("/usr/lib/llvm-22"), PathBuf::from);
        prefix.join("lib")
    }

    /// Runs `module` on `inputs` random inputs through the interpreter and
    /// through TOSA → linalg → LLVM → mlir-runner-22, and compares.
    fn run_compare(module: &Module, what: &str, inputs: u64) -> Result<(), String> {
        let export = export_tosa(module).map_err(|d| format!("{what}: {d}"))?;
        validate(&export, what)?;
        let func = module.function(&export.function).ok_or("no exported function")?;
        let [input] = &export.inputs[..] else { return Err(format!("{what}: one input expected")) };
        let [output] = &export.outputs[..] else { return Err(format!("{what}: one output expected")) };
        let range = func.args.first().and_then(|a| dfq_dialects::input_range(a).ok().flatten()).unwrap_or((-1.0, 1.0));
        for seed in 0..inputs {
            let mut rng = ChaCha8Rng::seed_from_u64(seed);
            let n: i64 = input.shape.iter().product();
            let x: Vec<f32> = (0..n).map(|_| rng.gen_range(range.0 as f32..range.1 as f32)).collect();
            let shape: Vec<usize> = input.shape.iter().map(|&d| d as usize).collect();
            let expect = dfq_interp::run_function(func, vec![Tensor::from_f32(shape, x.clone())])
                .map_err(|e| format!("{what}: interpreter: {e}"))?;
            let expect = expect[0].as_f32().ok_or("the interpreter's output is not f32")?.to_vec();
            // The host side of the boundary: qnn.quantize, the i8 shift, NHWC.
            let q = &input.quant;
            let shift = if q.shifted_from_u8 { 128 } else { 0 };
            let (lo, hi) = (q.range.0 + shift, q.range.1 + shift);
            let ints: Vec<i64> =
                x.iter().map(|&v| dfq_quant::quantize(v, q.scale as f32, q.zero_point + shift, lo, hi) - shift).collect();
            let got = run_tosa(&export, &nchw_to_nhwc(&ints, &input.shape))?;
            let o = &output.quant;
            let oshift = if o.shifted_from_u8 { 128 } else { 0 };
            let got: Vec<f32> =
                nhwc_to_nchw(&got, &output.shape).iter().map(|&v| dfq_quant::dequantize(v + oshift, o.scale as f32, o.zero_point + oshift)).collect();
            if got.len() != expect.len() {
                return Err(format!("{what}: {} outputs, the interpreter has {}", got.len(), expect.len()));
            }
            let differ = got.iter().zip(&expect).filter(|(a, b)| a.to_bits() != b.to_bits()).count();
            let max = got.iter().zip(&expect).map(|(a, b)| (a - b).abs()).fold(0f32, f32::max);
            if differ > 0 {
                return Err(format!("{what}, input {seed}: {differ} of {} outputs differ from the interpreter (max |diff| {max})\n  tosa:   {got:?}\n  interp: {expect:?}", got.len()));
            }
        }
        Ok(())
    }

    fn nchw_to_nhwc(v: &[i64], shape: &[i64]) -> Vec<i64> {
        let [n, c, h, w] = shape[..] else { return v.to_vec() };
        let mut out = Vec::with_capacity(v.len());
        for nn in 0..n {
            for y in 0..h {
                for x in 0..w {
                    for cc in 0..c {
                        out.push(v[(((nn * c + cc) * h + y) * w + x) as usize]);
                    }
                }
            }
        }
        out
    }

    fn nhwc_to_nchw(v: &[i64], shape: &[i64]) -> Vec<i64> {
        let [n, c, h, w] = shape[..] else { return v.to_vec() };
        let mut out = vec![0; v.len()];
        let mut i = 0;
        for nn in 0..n {
            for y in 0..h {
                for x in 0..w {
                    for cc in 0..c {
                        out[(((nn * c + cc) * h + y) * w + x) as usize] = v[i];
                        i += 1;
                    }
                }
            }
        }
        out
    }

    /// The export with a driver that feeds `input` (NHWC i8) and prints the
    /// output as i32, lowered to LLVM and run.
    fn run_tosa(export: &TosaExport, input: &[i64]) -> Result<Vec<i64>, String> {
        let (i, o) = (&export.inputs[0], &export.outputs[0]);
        let ty = |s: &[i64], e: &str| format!("tensor<{}x{e}>", s.iter().map(i64::to_string).collect::<Vec<_>>().join("x"));
        let (in_ty, out_ty, out32) = (ty(&i.tosa_shape, "i8"), ty(&o.tosa_shape, "i8"), ty(&o.tosa_shape, "i32"));
        let hex: String = input.iter().map(|&v| format!("{:02X}", v as i8 as u8)).collect();
        let body = export.text.trim_end().strip_suffix('}').ok_or("the export does not end its module")?;
        let name = &export.function;
        let program = format!(
            "{body}
  func.func private @printMemrefI32(memref<*xi32>) attributes {{llvm.emit_c_interface}}
  func.func @entry() {{
    %in = arith.constant dense<\"0x{hex}\"> : {in_ty}
    %out = call @{name}(%in) : ({in_ty}) -> {out_ty}
    %wide = tosa.cast %out : ({out_ty}) -> {out32}
    %u = tensor.cast %wide : {out32} to tensor<*xi32>
    %m = bufferization.to_buffer %u : tensor<*xi32> to memref<*xi32>
    call @printMemrefI32(%m) : (memref<*xi32>) -> ()
    return
  }}
}}
"
        );
        let dir = tmp()?;
        let src = dir.path().join("run.mlir");
        let lowered = dir.path().join("run.llvm.mlir");
        std::fs::write(&src, program).map_err(|e| e.to_string())?;
        let path = |p: &Path| p.to_str().map(str::to_string).ok_or("temp path is not UTF-8");
        let (src, lowered) = (path(&src)?, path(&lowered)?);
        let pipeline = [
            "--tosa-to-linalg-pipeline",
            "--tosa-to-tensor",
            "--tosa-to-arith=include-apply-rescale=true",
            "--one-shot-bufferize=bufferize-function-boundaries",
            "--buffer-deallocation-pipeline",
            "--convert-linalg-to-loops",
            "--lower-affine",
            "--convert-scf-to-cf",
            "--expand-strided-metadata",
            "--finalize-memref-to-llvm",
            "--convert-arith-to-llvm",
            "--convert-func-to-llvm",
            "--convert-cf-to-llvm",
            "--convert-index-to-llvm",
            "--reconcile-unrealized-casts",
        ];
        let mut args: Vec<&str> = vec![&src];
        args.extend(pipeline);
        args.extend(["-o", &lowered]);
        tool("mlir-opt-22", &args, "lowering to LLVM")?;
        let libs = llvm_lib_dir();
        let shared = format!(
            "-shared-libs={},{}",
            libs.join("libmlir_runner_utils.so").display(),
            libs.join("libmlir_c_runner_utils.so").display()
        );
        let out = tool("mlir-runner-22", &[&lowered, "-e", "entry", "-entry-point-result=void", &shared], "mlir-runner-22")?;
        let data = out.split_once("data =").map(|(_, d)| d).ok_or_else(|| format!("no data in the runner's output:\n{out}"))?;
        let values: Vec<i64> = data
            .split(|c: char| !(c.is_ascii_digit() || c == '-'))
            .filter(|t| !t.is_empty())
            .map(|t| t.parse::<i64>().map_err(|e| format!("'{t}': {e}")))
            .collect::<Result<_, _>>()?;
        let n: i64 = o.tosa_shape.iter().product();
        if values.len() as i64 != n {
            return Err(format!("the runner printed {} values, expected {n}:\n{out}", values.len()));
        }
        Ok(values)
    }
}
