//! Helpers shared by the tests: one-op functions built in code, quantized types,
//! seeded random data, float comparison.
#![allow(dead_code)]

use dfq_dialects::infer_types;
use dfq_interp::{run_function, InterpError, Tensor, TensorData};
use dfq_ir::{Argument, Attribute, Attributes, ElementType, Function, Operation, QuantParams, QuantType, Type, Value};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

pub fn rng(seed: u64) -> ChaCha8Rng {
    ChaCha8Rng::seed_from_u64(seed)
}

pub fn uniform(rng: &mut ChaCha8Rng, n: usize, lo: f32, hi: f32) -> Vec<f32> {
    (0..n).map(|_| rng.gen_range(lo..hi)).collect()
}

/// A function `@main` whose arguments feed one op `name`, which it returns.
pub struct OpCase {
    name: String,
    args: Vec<(Type, Tensor)>,
    attrs: Attributes,
    result_element: Option<ElementType>,
}

impl OpCase {
    pub fn new(name: &str) -> OpCase {
        OpCase { name: name.into(), args: Vec::new(), attrs: Attributes::new(), result_element: None }
    }

    /// An f32 operand.
    pub fn f32(self, shape: &[usize], data: Vec<f32>) -> OpCase {
        let ty = tensor_type(shape, ElementType::F32);
        self.operand(ty, Tensor::from_f32(shape.to_vec(), data))
    }

    /// An operand of any type, with its runtime value.
    pub fn operand(mut self, ty: Type, value: Tensor) -> OpCase {
        self.args.push((ty, value));
        self
    }

    pub fn attr(mut self, name: &str, value: Attribute) -> OpCase {
        self.attrs.insert(name.into(), value);
        self
    }

    pub fn ints(self, name: &str, values: &[i64]) -> OpCase {
        self.attr(name, Attribute::DenseI64Array(values.to_vec()))
    }

    pub fn int(self, name: &str, value: i64) -> OpCase {
        self.attr(name, Attribute::i64(value))
    }

    /// The result's element type where the op leaves it free (qnn results).
    pub fn result(mut self, element: ElementType) -> OpCase {
        self.result_element = Some(element);
        self
    }

    pub fn function(&self) -> Function {
        let types: Vec<&Type> = self.args.iter().map(|(t, _)| t).collect();
        let inferred = infer_types(&self.name, &types, &self.attrs).unwrap_or_else(|e| panic!("{}: {e}", self.name));
        let first = inferred.into_iter().next().expect("one result");
        let result = match &self.result_element {
            Some(e) => match first.known() {
                Some(Type::Tensor(t)) => {
                    Type::Tensor(dfq_ir::TensorType { shape: t.shape.clone(), element: e.clone() })
                }
                _ => first.with_free_element(e.clone()),
            },
            None => first.known().expect("the result type follows from the operands").clone(),
        };
        let args = self.args.iter().map(|(t, _)| Argument::new(t.clone())).collect();
        let mut f = Function::new("main", args, vec![result.clone()]);
        let operands = (0..self.args.len() as u32).map(Value::Arg).collect();
        let mut op = Operation::new(self.name.clone(), operands, vec![result]);
        op.attributes = self.attrs.clone();
        let id = f.push_op(op);
        f.push_op(Operation::new("func.return", vec![Value::Result(id, 0)], vec![]));
        f
    }

    pub fn try_run(&self) -> Result<Tensor, InterpError> {
        let inputs = self.args.iter().map(|(_, t)| t.clone()).collect();
        Ok(run_function(&self.function(), inputs)?.remove(0))
    }

    pub fn run(&self) -> Tensor {
        self.try_run().unwrap_or_else(|e| panic!("{}: {e}", self.name))
    }

    pub fn run_f32(&self) -> Vec<f32> {
        self.run().as_f32().expect("an f32 result").to_vec()
    }
}

pub fn tensor_type(shape: &[usize], element: ElementType) -> Type {
    let dims: Vec<i64> = shape.iter().map(|&d| d as i64).collect();
    Type::tensor(&dims, element)
}

/// `!quant.uniform<u8:f32, scale:zero_point>` (or i8 when `signed`).
pub fn quant(signed: bool, scale: f64, zero_point: i64) -> ElementType {
    quant_with(signed, QuantParams::PerTensor { scale, zero_point })
}

/// i8 weights quantized along axis 0.
pub fn quant_axis0(scales: Vec<f64>, zero_points: Vec<i64>) -> ElementType {
    quant_with(true, QuantParams::PerAxis { axis: 0, scales, zero_points })
}

pub fn quant_with(signed: bool, params: QuantParams) -> ElementType {
    ElementType::Quant(Box::new(QuantType {
        storage_signed: signed,
        storage_width: 8,
        storage_range: None,
        expressed: ElementType::F32,
        params,
    }))
}

/// A quantized operand: its type and its stored integers (u8 or i8 by the type).
pub fn quant_operand(shape: &[usize], element: ElementType, values: &[i64]) -> (Type, Tensor) {
    let signed = element.as_quant().expect("a quantized type").storage_signed;
    let data = if signed {
        TensorData::I8(values.iter().map(|&v| i8::try_from(v).unwrap()).collect())
    } else {
        TensorData::U8(values.iter().map(|&v| u8::try_from(v).unwrap()).collect())
    };
    (tensor_type(shape, element), Tensor::new(shape.to_vec(), data))
}

/// An i32 operand (a bias).
pub fn i32_operand(values: &[i32]) -> (Type, Tensor) {
    (tensor_type(&[values.len()], ElementType::I32), Tensor::from_i32(vec![values.len()], values.to_vec()))
}

/// The stored integers of a result, widened.
pub fn ints(t: &Tensor) -> Vec<i64> {
    match &t.data {
        TensorData::I8(v) => v.iter().map(|&x| x.into()).collect(),
        TensorData::U8(v) => v.iter().map(|&x| x.into()).collect(),
        TensorData::I32(v) => v.iter().map(|&x| x.into()).collect(),
        TensorData::I64(v) => v.clone(),
        TensorData::F32(_) => panic!("expected integers, got f32"),
    }
}

#[track_caller]
pub fn assert_close(got: &[f32], want: &[f32], tol: f32) {
    assert_eq!(got.len(), want.len(), "lengths differ");
    for (i, (&g, &w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * (1.0 + w.abs()), "element {i}: got {g}, want {w} (tolerance {tol})");
    }
}
