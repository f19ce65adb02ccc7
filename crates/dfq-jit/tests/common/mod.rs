//! Shared helpers: building quantized networks with the pass pipeline, drawing
//! inputs, and comparing the JIT with the interpreter.

#![allow(dead_code)]

use dfq_interp::{expected_input, run_function, Tensor, TensorData};
use dfq_ir::{Function, Module};
use dfq_jit::{CompiledFunction, JitOptions, KernelChoice};
use dfq_rewrite::{parse_pipeline, PassContext};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Runs a textual pipeline (`fold-bn,quantize,lower-int8`) on `module`.
pub fn run_passes(mut module: Module, pipeline: &str) -> Module {
    let registry = dfq_passes::registry();
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).unwrap() {
        let (pass, _) = registry.create(&entry).unwrap_or_else(|e| panic!("{e}"));
        pass.run(&mut module, &mut ctx).unwrap_or_else(|e| panic!("{}: {e:?}", entry.name));
    }
    module
}

/// The integer network of an nn module: fold-bn → quantize → lower-int8.
pub fn lower_int8(module: Module, quantize_options: &str) -> Module {
    let q = if quantize_options.is_empty() { "quantize".to_string() } else { format!("quantize{{{quantize_options}}}") };
    run_passes(module, &format!("fold-bn,{q},lower-int8"))
}

/// Random inputs for every argument: f32 uniform in [-2.5, 2.5] (beyond the
/// usual input range, to exercise saturation), integers over their whole range.
pub fn random_inputs(f: &Function, seed: u64) -> Vec<Tensor> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..f.args.len())
        .map(|i| {
            let (shape, dtype) = expected_input(f, i).unwrap();
            let n: usize = shape.iter().product();
            let data = match dtype {
                "f32" => TensorData::F32((0..n).map(|_| rng.gen_range(-2.5f32..2.5)).collect()),
                "u8" => TensorData::U8((0..n).map(|_| rng.gen()).collect()),
                "i8" => TensorData::I8((0..n).map(|_| rng.gen()).collect()),
                d => panic!("no random inputs of {d}"),
            };
            Tensor::new(shape, data)
        })
        .collect()
}

/// Every kernel family this CPU runs, as forced choices.
pub fn kernels() -> Vec<KernelChoice> {
    KernelChoice::supported()
}

/// JIT outputs equal the interpreter's, for each kernel and 1 and 2 threads.
pub fn assert_bit_exact(f: &Function, inputs: &[Tensor], what: &str) {
    let expect = run_function(f, inputs.to_vec()).unwrap_or_else(|e| panic!("{what}: interpreter: {e}"));
    for kernel in kernels() {
        for threads in [1, 2] {
            let opts = JitOptions { threads, kernel };
            let compiled = CompiledFunction::compile(f, &opts).unwrap_or_else(|e| panic!("{what}: compile ({kernel}): {e}"));
            let got = compiled.run(inputs.to_vec()).unwrap_or_else(|e| panic!("{what}: run: {e}"));
            assert_eq!(got.len(), expect.len());
            for (g, e) in got.iter().zip(&expect) {
                assert_eq!(g.shape, e.shape, "{what}: shape ({kernel}, {threads} threads)");
                if g.data != e.data {
                    let diffs = first_differences(g, e);
                    panic!("{what}: JIT ≠ interpreter ({kernel}, {threads} threads); first differences (index, jit, interp): {diffs:?}");
                }
            }
        }
    }
}

fn first_differences(a: &Tensor, b: &Tensor) -> Vec<(usize, f32, f32)> {
    let (x, y) = (a.to_f32_lossy(), b.to_f32_lossy());
    x.iter().zip(&y).enumerate().filter(|(_, (p, q))| p.to_bits() != q.to_bits()).take(8).map(|(i, (p, q))| (i, *p, *q)).collect()
}

use dfq_ir::{Argument, Attribute, Attributes, DenseData, DenseElements, ElementType, Operation, QuantParams, QuantType, TensorType, Type, Value};

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn tensor_type(shape: &[usize], element: ElementType) -> Type {
    let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    Type::tensor(&dims, element)
}

/// `!quant.uniform<u8:f32, s:z>` (i8 when `signed`).
pub fn quant(signed: bool, scale: f64, zero_point: i64) -> ElementType {
    quant_params(signed, QuantParams::PerTensor { scale, zero_point })
}

pub fn quant_params(signed: bool, params: QuantParams) -> ElementType {
    ElementType::Quant(Box::new(QuantType { storage_signed: signed, storage_width: 8, storage_range: None, expressed: ElementType::F32, params }))
}

/// A random 8-bit activation quantization: u8 with any zero point, or i8.
pub fn random_act_quant(r: &mut ChaCha8Rng, scale: f64) -> ElementType {
    if r.gen_bool(0.5) {
        quant(false, scale, r.gen_range(0..=255))
    } else {
        quant(true, scale, r.gen_range(-128..=127))
    }
}

/// As [`random_act_quant`], with a scale drawn from `range`.
pub fn random_act(r: &mut ChaCha8Rng, range: std::ops::Range<f64>) -> ElementType {
    let scale = r.gen_range(range);
    random_act_quant(r, scale)
}

/// What feeds an op: an argument (the runtime input) or a constant.
#[derive(Clone, Copy)]
pub enum Src {
    Arg(usize),
    Const(usize),
}

/// A function of arguments and constants feeding one op, which it returns.
pub struct OneOp {
    pub name: String,
    pub args: Vec<Type>,
    pub consts: Vec<(Type, DenseElements)>,
    pub operands: Vec<Src>,
    pub attrs: Attributes,
    pub result: Type,
}

impl OneOp {
    pub fn new(name: &str, result: Type) -> OneOp {
        OneOp { name: name.into(), args: Vec::new(), consts: Vec::new(), operands: Vec::new(), attrs: Attributes::new(), result }
    }

    pub fn arg(mut self, ty: Type) -> OneOp {
        self.operands.push(Src::Arg(self.args.len()));
        self.args.push(ty);
        self
    }

    /// A constant operand of type `ty` stored as `data` (storage integers for quantized types).
    pub fn constant(mut self, ty: Type, data: DenseData) -> OneOp {
        let shape: Vec<i64> = ty.as_tensor().unwrap().shape.iter().map(|d| d.unwrap()).collect();
        let storage = match &data {
            DenseData::I8(_) => ElementType::I8,
            DenseData::I32(_) => ElementType::I32,
            DenseData::F32(_) => ElementType::F32,
            d => panic!("no constants of {:?}", d.kind()),
        };
        let dense = DenseElements::new(TensorType::new(&shape, storage), data).unwrap();
        self.operands.push(Src::Const(self.consts.len()));
        self.consts.push((ty, dense));
        self
    }

    pub fn attr(mut self, name: &str, value: Attribute) -> OneOp {
        self.attrs.insert(name.into(), value);
        self
    }

    pub fn ints(self, name: &str, values: &[i64]) -> OneOp {
        self.attr(name, Attribute::DenseI64Array(values.to_vec()))
    }

    pub fn int(self, name: &str, value: i64) -> OneOp {
        self.attr(name, Attribute::i64(value))
    }

    pub fn function(&self) -> Function {
        let args = self.args.iter().map(|t| Argument::new(t.clone())).collect();
        let mut f = Function::new("main", args, vec![self.result.clone()]);
        let consts: Vec<Value> = self
            .consts
            .iter()
            .map(|(ty, d)| {
                let storage = Type::Tensor(d.ty().clone());
                let op = Operation::new("arith.constant", vec![], vec![storage.clone()]).with_attr("value", Attribute::Dense(d.clone()));
                let v = Value::Result(f.push_op(op), 0);
                if storage == *ty {
                    return v;
                }
                // Quantized weights: storage integers typed by a quant.scast, as lower-int8 writes them.
                Value::Result(f.push_op(Operation::new("quant.scast", vec![v], vec![ty.clone()])), 0)
            })
            .collect();
        let operands = self
            .operands
            .iter()
            .map(|s| match *s {
                Src::Arg(i) => Value::Arg(i as u32),
                Src::Const(i) => consts[i],
            })
            .collect();
        let mut op = Operation::new(self.name.clone(), operands, vec![self.result.clone()]);
        op.attributes = self.attrs.clone();
        let id = f.push_op(op);
        f.push_op(Operation::new("func.return", vec![Value::Result(id, 0)], vec![]));
        f
    }

    /// Bit-exact against the interpreter on `inputs` random inputs.
    pub fn check(&self, seed: u64, what: &str) {
        let f = self.function();
        let inputs = random_inputs(&f, seed);
        assert_bit_exact(&f, &inputs, what);
    }
}

/// JIT outputs within `tol` of the interpreter's, relative to each output's
/// largest magnitude (f32 GEMMs sum in another order).
pub fn assert_close(f: &Function, inputs: &[Tensor], tol: f32, what: &str) {
    let expect = run_function(f, inputs.to_vec()).unwrap_or_else(|e| panic!("{what}: interpreter: {e}"));
    for threads in [1, 2] {
        for kernel in [KernelChoice::Auto, KernelChoice::Portable] {
            let compiled = CompiledFunction::compile(f, &JitOptions { threads, kernel }).unwrap_or_else(|e| panic!("{what}: compile: {e}"));
            let got = compiled.run(inputs.to_vec()).unwrap_or_else(|e| panic!("{what}: run: {e}"));
            for (g, e) in got.iter().zip(&expect) {
                assert_eq!(g.shape, e.shape, "{what}");
                let (g, e) = (g.to_f32_lossy(), e.to_f32_lossy());
                let scale = e.iter().fold(0f32, |m, v| m.max(v.abs())).max(1e-6);
                for (i, (x, y)) in g.iter().zip(&e).enumerate() {
                    assert!((x - y).abs() <= tol * scale, "{what} ({kernel}, {threads} threads): element {i}: jit {x}, interpreter {y} (scale {scale})");
                }
            }
        }
    }
}
