//! TOSA int8 export: a lowered integer module (`dfq-opt --dfq` then
//! `--lower-int8`) as a TOSA 1.0 function in NHWC that `mlir-opt-22
//! --tosa-attach-target=profiles=pro_int --tosa-validate=strict-op-spec-alignment`
//! accepts and `--tosa-to-linalg-pipeline` lowers.
//!
//! The arithmetic is dfq's, bit for bit (`dialects/qnn.toml`):
//! - every tensor is `i8`; a `u8` tensor with zero point z is the same reals as
//!   the `i8` tensor q − 128 with zero point z − 128, so u8 activations shift;
//! - requantization is `tosa.rescale` with dfq's 32-bit multiplier and shift
//!   (`dfq_quant::quantize_multiplier`) and `SINGLE_ROUND`, which is dfq's
//!   rounding (halves toward +∞); qnn.add's 2^20 pre-shift folds into the
//!   shift of its two input rescales (exact, as the shifts are ≥ 21);
//! - weights are transposed to TOSA's layouts (OHWI, depthwise HWCM, matmul
//!   K×M) at export; zero points are operands;
//! - average pools are sums (a depthwise convolution with ones, or
//!   `reduce_sum`) rescaled by s_in / (s_out·count), as dfq computes them, with
//!   one rescale per count and a `tosa.select` where the count varies at borders;
//! - a float chain left between a `qnn.dequantize` and a `qnn.quantize` (a
//!   per-channel `nn.clip` that lower-int8 keeps) maps each int8 value to one
//!   int8 value: it becomes a clamp, a per-channel clamp (`maximum`/`minimum`
//!   in i32), or a 256-entry `tosa.table`, computed with dfq's f32 arithmetic.
//!
//! The function's boundary stays on the host: it takes the quantized inputs
//! and returns the quantized outputs (annotated with `dfq.scale` and
//! `dfq.zero_point`), since the integer profile has no float ops;
//! [`TosaExport`] says how to convert.

mod emit;
mod ops;

use std::collections::HashMap;
use std::fmt::Write;

use dfq_ir::{Diagnostic, Diagnostics, Function, Module, OpId, QuantParams, Type, Value};

use emit::{Elem, Emitter, TType, TValue};

/// A quantized tensor in TOSA's signed domain: stored i8 q stands for
/// scale·(q − zero_point).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Int8Quant {
    pub scale: f64,
    pub zero_point: i64,
    /// The storage range in the i8 domain (narrower than [−128, 127] for a
    /// narrowed type such as `i8<-127:127>`).
    pub range: (i64, i64),
    /// dfq stores this tensor as u8: dfq's value is the TOSA value + 128.
    pub shifted_from_u8: bool,
}

impl Int8Quant {
    fn from_type(ty: &Type) -> Result<Int8Quant, String> {
        let q = ty.element().as_quant().ok_or_else(|| format!("expected a quantized tensor, got {ty}"))?;
        let QuantParams::PerTensor { scale, zero_point } = q.params else {
            return Err(format!("activations must be quantized per tensor, got {ty}"));
        };
        if q.storage_width != 8 {
            return Err(format!("only 8-bit activations have an int8 TOSA form, got {ty}"));
        }
        let shift = if q.storage_signed { 0 } else { 128 };
        let (lo, hi) = q.storage_min_max();
        Ok(Int8Quant {
            scale,
            zero_point: zero_point - shift,
            range: (lo - shift, hi - shift),
            shifted_from_u8: !q.storage_signed,
        })
    }

    /// `{dfq.scale = s, dfq.zero_point = z}`: the TOSA tensor's meaning, as plain
    /// attributes (a `!quant` type would need the quant dialect in every tool).
    pub fn attr_text(&self) -> String {
        format!("{{dfq.scale = {}, dfq.zero_point = {} : i64}}", dfq_ir::float_fmt::format_f64(self.scale), self.zero_point)
    }
}

/// An argument or result of the exported function.
#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    /// The shape in dfq (NCHW for 4-D tensors).
    pub shape: Vec<i64>,
    /// The shape in TOSA (NHWC for 4-D tensors).
    pub tosa_shape: Vec<i64>,
    pub quant: Int8Quant,
    /// dfq's function takes (or returns) floats here: the host quantizes the
    /// input as `qnn.quantize` does (or dequantizes the output).
    pub float_in_dfq: bool,
}

/// The exported module and how its boundary relates to the dfq function's.
#[derive(Clone, Debug)]
pub struct TosaExport {
    pub text: String,
    pub function: String,
    pub inputs: Vec<Boundary>,
    pub outputs: Vec<Boundary>,
}

/// Exports `@main` (or the module's only function) of a verified module to
/// TOSA; every op that has no TOSA int8 form is reported, located at the op.
pub fn export_tosa(module: &Module) -> Result<TosaExport, Diagnostics> {
    let func = module
        .function("main")
        .or_else(|| (module.functions.len() == 1).then(|| &module.functions[0]))
        .ok_or_else(|| {
            Diagnostics(vec![Diagnostic::error(module.loc.clone(), "the module needs a function @main to export")])
        })?;
    Exporter::new(func).run()
}

/// How a dfq value exists on the TOSA side.
#[derive(Clone, Debug)]
enum Val {
    /// An int8 tensor; 4-D values are NHWC.
    Int8 { v: TValue, q: Int8Quant },
    /// A float value computed elementwise from an int8 tensor (a dequantize and
    /// activations after it), waiting for the quantize that ends it.
    Float { src: TValue, q: Int8Quant, chain: Vec<FloatOp> },
    /// The function's float argument, before its qnn.quantize.
    FloatArg(usize),
    /// Produced by an op that failed to export (already reported).
    Poisoned,
}

/// An elementwise float op in a dequantize → quantize chain; bounds per channel
/// (one value: all channels).
#[derive(Clone, Debug)]
enum FloatOp {
    Clip { lo: Vec<f32>, hi: Vec<f32> },
    Sigmoid,
}

struct Exporter<'f> {
    func: &'f Function,
    em: Emitter,
    vals: HashMap<Value, Val>,
    args: Vec<Option<(TValue, Boundary)>>,
    diags: Vec<Diagnostic>,
}

impl<'f> Exporter<'f> {
    fn new(func: &'f Function) -> Exporter<'f> {
        Exporter { func, em: Emitter::default(), vals: HashMap::new(), args: vec![None; func.args.len()], diags: Vec::new() }
    }

    fn run(mut self) -> Result<TosaExport, Diagnostics> {
        let func = self.func;
        for (i, arg) in func.args.iter().enumerate() {
            let v = Value::Arg(i as u32);
            if arg.ty.element().as_quant().is_some() {
                match self.int8_arg(i, &arg.ty, false) {
                    Ok(val) => {
                        self.vals.insert(v, val);
                    }
                    Err(e) => self.diags.push(Diagnostic::error(arg.loc.clone().or_else(|| func.loc.clone()), e)),
                }
            } else {
                self.vals.insert(v, Val::FloatArg(i));
            }
        }
        let mut returned = None;
        for id in func.ops() {
            let op = func.op(id);
            if op.name == "func.return" {
                returned = Some(id);
                break;
            }
            if dfq_dialects::is_constant(func, Value::Result(id, 0)) {
                continue; // read by the ops that use them
            }
            let poisoned = op.operands().iter().any(|o| matches!(self.vals.get(o), Some(Val::Poisoned)));
            let result = if poisoned { Ok(Val::Poisoned) } else { self.op(id) };
            let val = result.unwrap_or_else(|e| {
                self.diags.push(Diagnostic::error(op.loc.clone(), format!("'{}' op: {e}", op.name)));
                Val::Poisoned
            });
            if op.results.len() == 1 {
                self.vals.insert(Value::Result(id, 0), val);
            }
        }
        let outputs = match returned {
            Some(ret) => self.outputs(ret),
            None => {
                self.diags.push(Diagnostic::error(func.loc.clone(), "the function does not end with 'return'"));
                Vec::new()
            }
        };
        if self.args.iter().any(Option::is_none) && self.diags.is_empty() {
            self.diags.push(Diagnostic::error(func.loc.clone(), "every argument must be used (quantized) by the graph"));
        }
        if !self.diags.is_empty() {
            return Err(Diagnostics(self.diags));
        }
        let args: Vec<(TValue, Boundary)> = self.args.into_iter().flatten().collect();
        let name = &func.name;
        let mut text = String::new();
        let _ = writeln!(
            text,
            "// Exported by dfq-translate --export-tosa: TOSA int8 (pro_int), NHWC. Inputs and outputs are the\n\
             // quantized tensors: real = dfq.scale * (q - dfq.zero_point), q in i8 (dfq's u8 values minus 128)."
        );
        let _ = write!(text, "module {{\n  func.func @{name}(");
        for (i, (v, b)) in args.iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            let _ = write!(text, "{sep}{}: {} {}", v.name, v.ty, b.quant.attr_text());
        }
        text.push_str(") -> (");
        for (i, (v, b)) in outputs.iter().enumerate() {
            let sep = if i > 0 { ", " } else { "" };
            let _ = write!(text, "{sep}{} {}", v.ty, b.quant.attr_text());
        }
        text.push_str(") {\n");
        text.push_str(&self.em.finish());
        let names: Vec<&str> = outputs.iter().map(|(v, _)| v.name.as_str()).collect();
        let types: Vec<String> = outputs.iter().map(|(v, _)| v.ty.to_string()).collect();
        let _ = write!(text, "    return {} : {}\n  }}\n}}\n", names.join(", "), types.join(", "));
        Ok(TosaExport {
            text,
            function: name.clone(),
            inputs: args.into_iter().map(|(_, b)| b).collect(),
            outputs: outputs.into_iter().map(|(_, b)| b).collect(),
        })
    }

    /// Argument `i` as an int8 TOSA argument of quantized type `ty`.
    fn int8_arg(&mut self, i: usize, ty: &Type, float_in_dfq: bool) -> Result<Val, String> {
        if let Some((v, b)) = &self.args[i] {
            if b.quant != Int8Quant::from_type(ty)? {
                return Err("the argument is quantized twice, differently".into());
            }
            return Ok(Val::Int8 { v: v.clone(), q: b.quant });
        }
        let q = Int8Quant::from_type(ty)?;
        let shape = static_shape(ty)?;
        let tosa_shape = to_tosa_shape(&shape);
        let v = TValue { name: format!("%arg{i}"), ty: TType::new(&tosa_shape, Elem::I8) };
        self.args[i] = Some((v.clone(), Boundary { shape, tosa_shape, quant: q, float_in_dfq }));
        Ok(Val::Int8 { v, q })
    }

    fn outputs(&mut self, ret: OpId) -> Vec<(TValue, Boundary)> {
        let func = self.func;
        let mut out = Vec::new();
        for &v in func.op(ret).operands() {
            let shape = match static_shape(func.value_type(v)) {
                Ok(s) => s,
                Err(e) => {
                    self.diags.push(Diagnostic::error(func.op(ret).loc.clone(), e));
                    continue;
                }
            };
            let tosa_shape = to_tosa_shape(&shape);
            match self.vals.get(&v).cloned() {
                Some(Val::Int8 { v, q }) => {
                    out.push((v, Boundary { shape, tosa_shape, quant: q, float_in_dfq: false }));
                }
                // A dequantize at the end: the host dequantizes.
                Some(Val::Float { src, q, chain }) if chain.is_empty() => {
                    out.push((src, Boundary { shape, tosa_shape, quant: q, float_in_dfq: true }));
                }
                Some(Val::Poisoned) => {}
                _ => self.diags.push(Diagnostic::error(
                    func.op(ret).loc.clone(),
                    "a returned value must be quantized, or the dequantize of a quantized value",
                )),
            }
        }
        out
    }

    fn int8(&self, v: Value) -> Result<(TValue, Int8Quant), String> {
        match self.vals.get(&v) {
            Some(Val::Int8 { v, q }) => Ok((v.clone(), *q)),
            Some(Val::Float { .. }) | Some(Val::FloatArg(_)) => {
                Err("a float operand: only quantized values have an int8 TOSA form".into())
            }
            _ => Err("an operand that is not an exported value (a constant where a tensor is computed?)".into()),
        }
    }
}

/// The static shape of a tensor type.
fn static_shape(ty: &Type) -> Result<Vec<i64>, String> {
    ty.as_tensor().and_then(|t| t.static_shape()).ok_or_else(|| format!("'{ty}' has no static shape"))
}

/// dfq's NCHW as TOSA's NHWC; other ranks stay.
fn to_tosa_shape(shape: &[i64]) -> Vec<i64> {
    match shape {
        [n, c, h, w] => vec![*n, *h, *w, *c],
        other => other.to_vec(),
    }
}
