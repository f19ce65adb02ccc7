//! int8 GEMM 256×256×256 (`qnn.linear`, u8 × i8 → u8 with the requantization
//! epilogue) on one thread, per kernel family: GOPS = 2·M·N·K / time, the time
//! being the median of the GEMM step alone.
//!
//! `cargo bench -p dfq-jit --bench gemm [-- --size 256 --runs 200 --mnk M,N,K]`

use dfq_interp::{Tensor, TensorData};
use dfq_ir::{Argument, Attribute, DenseData, DenseElements, ElementType, Function, Operation, QuantParams, QuantType, TensorType, Type, Value};
use dfq_jit::{CompiledFunction, JitOptions, KernelChoice};

fn quant(signed: bool, scale: f64, zero_point: i64) -> ElementType {
    ElementType::Quant(Box::new(QuantType {
        storage_signed: signed,
        storage_width: 8,
        storage_range: None,
        expressed: ElementType::F32,
        params: QuantParams::PerTensor { scale, zero_point },
    }))
}

fn constant(f: &mut Function, ty: Type, storage: ElementType, data: DenseData) -> Value {
    let shape: Vec<i64> = ty.as_tensor().expect("tensor").shape.iter().map(|d| d.expect("static")).collect();
    let dense = DenseElements::new(TensorType::new(&shape, storage.clone()), data).expect("dense");
    let storage_ty = Type::tensor(&shape, storage);
    let c = f.push_op(Operation::new("arith.constant", vec![], vec![storage_ty.clone()]).with_attr("value", Attribute::Dense(dense)));
    if storage_ty == ty {
        return Value::Result(c, 0);
    }
    // Quantized weights: storage integers typed by a quant.scast, as lower-int8 writes them.
    Value::Result(f.push_op(Operation::new("quant.scast", vec![Value::Result(c, 0)], vec![ty])), 0)
}

/// y = linear(x, W, b) for x (m, k) u8, W (n, k) i8 with a zero point.
fn linear(m: usize, n: usize, k: usize) -> Function {
    let t = |s: &[usize], e: ElementType| Type::tensor(&s.iter().map(|&d| d as i64).collect::<Vec<_>>(), e);
    let x = t(&[m, k], quant(false, 0.05, 3));
    let y = t(&[m, n], quant(false, 0.05 * 0.01 * 1500.0, 128));
    let mut f = Function::new("main", vec![Argument::new(x)], vec![y.clone()]);
    let w: Vec<i8> = (0..n * k).map(|i| (i as u64).wrapping_mul(2654435761) as i8).collect();
    let b: Vec<i32> = (0..n).map(|j| j as i32 * 7 - 900).collect();
    let w = constant(&mut f, t(&[n, k], quant(true, 0.01, -3)), ElementType::I8, DenseData::I8(w));
    let b = constant(&mut f, t(&[n], ElementType::I32), ElementType::I32, DenseData::I32(b));
    let op = f.push_op(Operation::new("qnn.linear", vec![Value::Arg(0), w, b], vec![y]));
    f.push_op(Operation::new("func.return", vec![Value::Result(op, 0)], vec![]));
    f
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: usize| args.iter().position(|a| a == name).and_then(|i| args.get(i + 1)).and_then(|s| s.parse().ok()).unwrap_or(default);
    let (size, runs) = (arg("--size", 256), arg("--runs", 200));
    // `--mnk M,N,K`: another shape (MobileNet's 1×1 convs are M×N×K = pixels × out × in).
    let mnk: Vec<usize> = match args.iter().position(|a| a == "--mnk").and_then(|i| args.get(i + 1)) {
        Some(s) => s.split(',').map(|d| d.parse().expect("--mnk M,N,K")).collect(),
        None => vec![size; 3],
    };
    let [m, n, k] = <[usize; 3]>::try_from(mnk).expect("--mnk M,N,K");
    let f = linear(m, n, k);
    let x = Tensor::new(vec![m, k], TensorData::U8((0..m * k).map(|i| (i * 31 % 251) as u8).collect()));
    let ops = 2.0 * (m * n * k) as f64;
    println!("int8 GEMM {m}×{n}×{k}, 1 thread, median of {runs} runs of the GEMM step:");
    for kernel in KernelChoice::supported() {
        let compiled = CompiledFunction::compile(&f, &JitOptions { threads: 1, kernel }).expect("compile");
        let profile = compiled.profile(std::slice::from_ref(&x), runs).expect("profile");
        let (_, t) = profile.iter().find(|(l, _)| l.contains("qnn.linear: gemm")).expect("the GEMM step");
        println!("  {:12} {:8.1} µs  {:7.1} GOPS", kernel.name(), t.as_secs_f64() * 1e6, ops / t.as_secs_f64() / 1e9);
    }
}
