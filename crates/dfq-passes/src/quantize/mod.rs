//! `quantize`: chooses scales and zero points and writes the QDQ form
//! (docs/passes.md): the float graph stays, and each quantization decision is a
//! `qnn.quantize` → `qnn.dequantize` pair on
//!
//! - every float function argument (the network input), range from `dfq.range`;
//! - the output of every conv2d, linear, add, avg/global/max pool, concat (and
//!   prelu, sigmoid, softmax, unfolded batch norm), after the activations (ReLU, ReLU6,
//!   clip) that follow it alone, so the pair sits where the integer graph will
//!   materialize the tensor; ranges are data-free ([`ranges`]);
//! - max pooling and activations that could not be fused keep their input's
//!   quantization, which makes them exact in integers;
//! - weights (i8, per tensor or per output channel) and biases (i32, scale
//!   s_in·s_w[o], zero point 0) of every layer with constant f32 weights.
//!
//! Flatten and reshape get no pair: they move quantized values unchanged. A
//! function that already holds qnn ops is left alone, so running the pass twice
//! (as `dfq-opt --lower-int8 model.q.mlir` does) changes nothing.

pub mod quantizer;
pub mod ranges;

use std::collections::HashSet;

use dfq_ir::{Diagnostic, ElementType, Function, Module, OpId, Operation, QuantParams, QuantType, Type, Value};
use dfq_rewrite::{OptionKind, OptionSpec, Pass, PassContext, PassError, PassInfo, PassOptions};

use crate::layer::{constant_f32, single_user, Layer};
use quantizer::{choose_params, min_max, Grid, Params, Scheme};
use ranges::{Analysis, RangeOptions};

const OPTIONS: &[OptionSpec] = &[
    OptionSpec { name: "weight-bits", kind: OptionKind::Int, default: "8", help: "Bits of weights, 2 to 16" },
    OptionSpec { name: "act-bits", kind: OptionKind::Int, default: "8", help: "Bits of activations, 2 to 16" },
    OptionSpec { name: "per-channel", kind: OptionKind::Bool, default: "false", help: "One weight scale per output channel" },
    OptionSpec { name: "symmetric", kind: OptionKind::Bool, default: "false", help: "Zero points fixed at 0" },
    OptionSpec { name: "std-devs", kind: OptionKind::Float, default: "6", help: "n in the activation range β ± n·γ" },
    OptionSpec {
        name: "input-range",
        kind: OptionKind::String,
        default: "",
        help: "'min,max' for inputs without a dfq.range attribute",
    },
];

pub fn info() -> PassInfo {
    PassInfo {
        name: "quantize",
        summary: "Choose scales and zero points (data-free activation ranges) and write the QDQ form",
        options: OPTIONS,
        create: |o| Ok(Box::new(Quantize { options: QuantizeOptions::from_pass_options(o)? })),
    }
}

/// The pass's settings; `Default` is W8A8, per tensor, asymmetric, n = 6.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QuantizeOptions {
    pub weight_bits: u32,
    pub act_bits: u32,
    pub per_channel: bool,
    pub symmetric: bool,
    pub std_devs: f64,
    pub input_range: Option<(f64, f64)>,
}

impl Default for QuantizeOptions {
    fn default() -> QuantizeOptions {
        QuantizeOptions { weight_bits: 8, act_bits: 8, per_channel: false, symmetric: false, std_devs: 6.0, input_range: None }
    }
}

impl QuantizeOptions {
    pub fn from_pass_options(o: &PassOptions) -> Result<QuantizeOptions, String> {
        let bits = |name: &str| {
            let b = o.int(name);
            if (2..=16).contains(&b) {
                Ok(b as u32)
            } else {
                Err(format!("quantize: {name} must be between 2 and 16, got {b}"))
            }
        };
        let std_devs = o.float("std-devs");
        if std_devs <= 0.0 {
            return Err(format!("quantize: std-devs must be positive, got {std_devs}"));
        }
        Ok(QuantizeOptions {
            weight_bits: bits("weight-bits")?,
            act_bits: bits("act-bits")?,
            per_channel: o.bool("per-channel"),
            symmetric: o.bool("symmetric"),
            std_devs,
            input_range: parse_range(o.string("input-range"))?,
        })
    }

    fn weight_scheme(&self) -> Scheme {
        Scheme { bits: self.weight_bits, symmetric: self.symmetric }
    }

    fn act_scheme(&self) -> Scheme {
        Scheme { bits: self.act_bits, symmetric: self.symmetric }
    }
}

/// "min,max" → Some((min, max)); "" → None.
fn parse_range(text: &str) -> Result<Option<(f64, f64)>, String> {
    if text.trim().is_empty() {
        return Ok(None);
    }
    let bad = || format!("quantize: input-range must be 'min,max' with finite min ≤ max, got '{text}'");
    let (lo, hi) = text.split_once(',').ok_or_else(bad)?;
    let (lo, hi): (f64, f64) = (lo.trim().parse().map_err(|_| bad())?, hi.trim().parse().map_err(|_| bad())?);
    if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
        return Err(bad());
    }
    Ok(Some((lo, hi)))
}

pub struct Quantize {
    pub options: QuantizeOptions,
}

impl Pass for Quantize {
    fn name(&self) -> &'static str {
        "quantize"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            // Already quantized (dfq-opt adds quantize before lower-int8 even
            // when the input is a QDQ model): nothing to decide.
            if f.ops().any(|op| f.op(op).dialect() == "qnn") {
                continue;
            }
            crate::finite::check_finite(f, "quantize").map_err(PassError::Diagnostics)?;
            crate::float_type::check_f32(f, "quantize").map_err(PassError::Diagnostics)?;
            let range_options = RangeOptions { std_devs: self.options.std_devs, input_range: self.options.input_range };
            let analysis = ranges::analyze(f, range_options)?;
            Rewriter { options: self.options, analysis: &analysis, fused: HashSet::new(), remarks: &mut ctx.diagnostics }
                .run(f);
            ctx.diagnostics.extend(analysis.remarks);
        }
        Ok(())
    }
}

/// Ops whose output the integer graph computes into a fresh tensor with its own
/// quantization.
fn is_producer(name: &str) -> bool {
    matches!(
        name,
        "nn.conv2d"
            | "nn.linear"
            | "nn.add"
            | "nn.avg_pool2d"
            | "nn.global_avg_pool"
            | "nn.concat"
            | "nn.prelu"
            | "nn.sigmoid"
            | "nn.softmax"
            | "nn.batch_norm"
    )
}

fn is_activation(name: &str) -> bool {
    matches!(name, "nn.relu" | "nn.relu6" | "nn.clip")
}

/// Where the pair of a value goes and where its quantization comes from.
enum Source {
    /// From the value's own data-free range.
    OwnRange,
    /// The same as the op's input (exact for max pooling and clamps).
    SameAsInput,
}

struct Rewriter<'a> {
    options: QuantizeOptions,
    analysis: &'a Analysis,
    /// Activations whose output is quantized together with their producer's.
    fused: HashSet<OpId>,
    remarks: &'a mut Vec<Diagnostic>,
}

impl Rewriter<'_> {
    fn run(&mut self, f: &mut Function) {
        self.quantize_arguments(f);
        let ops: Vec<OpId> = f.ops().collect();
        for op in ops {
            if Layer::read(f, op).is_some() {
                self.quantize_layer_constants(f, op);
            }
            if let Some((value, source)) = self.activation_to_quantize(f, op) {
                self.quantize_activation(f, op, value, source);
            }
        }
    }

    fn quantize_arguments(&mut self, f: &mut Function) {
        for i in 0..f.args.len() {
            let arg = Value::Arg(i as u32);
            if let Some(ty) = self.own_type(arg) {
                insert_qdq(f, arg, ty, None);
            }
        }
    }

    /// The value whose pair `op` decides: its output after the activations that
    /// follow it alone.
    fn activation_to_quantize(&mut self, f: &Function, op: OpId) -> Option<(Value, Source)> {
        let name = f.op(op).name.as_str();
        if is_producer(name) || name == "nn.max_pool2d" {
            let end = self.follow_activations(f, Value::Result(op, 0));
            let source = if name == "nn.max_pool2d" { Source::SameAsInput } else { Source::OwnRange };
            return Some((end, source));
        }
        (is_activation(name) && !self.fused.contains(&op)).then_some((Value::Result(op, 0), Source::SameAsInput))
    }

    /// Follows single-user activations from `v`, marking them fused.
    fn follow_activations(&mut self, f: &Function, mut v: Value) -> Value {
        while let Some(user) = single_user(f, v) {
            if !is_activation(&f.op(user).name) || f.op(user).operands()[0] != v {
                break;
            }
            self.fused.insert(user);
            v = Value::Result(user, 0);
        }
        v
    }

    fn quantize_activation(&mut self, f: &mut Function, op: OpId, value: Value, source: Source) {
        let inherited = match source {
            Source::SameAsInput => f.op(op).operands().first().and_then(|&v| dequantized_type(f, v)),
            Source::OwnRange => None,
        };
        match inherited.or_else(|| self.own_type(value)) {
            Some(ty) => {
                insert_qdq(f, value, ty, None);
            }
            // Layers without a range have had their remark from the analysis.
            None if !matches!(f.op(op).name.as_str(), "nn.conv2d" | "nn.linear") => {
                let msg = "output left in float: no data-free range (an input has none)";
                self.remarks.push(Diagnostic::remark(f.op(op).loc.clone(), msg));
            }
            None => {}
        }
    }

    /// A per-tensor activation type from the value's data-free range.
    fn own_type(&self, v: Value) -> Option<QuantType> {
        let range = self.analysis.ranges.get(&v)?;
        let (lo, hi) = range.union();
        let grid = Grid::activation(self.options.act_scheme(), lo >= 0.0);
        Some(grid.quant_type(&[choose_params(lo, hi, grid, self.options.symmetric)], false))
    }

    /// Puts the layer's weights, and its bias if the input is quantized, behind pairs.
    fn quantize_layer_constants(&mut self, f: &mut Function, op: OpId) {
        let layer = Layer::read(f, op).expect("caller checked");
        let weight_params = self.weight_params(&layer);
        let grid = Grid::weight(self.options.weight_scheme());
        let weight_type = grid.quant_type(&weight_params, self.options.per_channel);
        quantize_operand(f, op, 1, weight_type);
        let Some(&bias) = f.op(op).operands().get(2) else { return };
        if constant_f32(f, bias).is_none() {
            return;
        }
        let Some(input_type) = input_quant_type(f, f.op(op).operands()[0]) else {
            let msg = "bias left in float: the layer's input is not quantized";
            self.remarks.push(Diagnostic::remark(f.op(op).loc.clone(), msg));
            return;
        };
        let s_in = quant_scale(&input_type);
        let bias_params: Vec<Params> =
            weight_params.iter().map(|p| Params { scale: s_in * p.scale, zero_point: 0 }).collect();
        quantize_operand(f, op, 2, Grid::bias().quant_type(&bias_params, self.options.per_channel));
    }

    fn weight_params(&self, layer: &Layer) -> Vec<Params> {
        let grid = Grid::weight(self.options.weight_scheme());
        if self.options.per_channel {
            quantizer::channel_params(&layer.weight, layer.out_channels(), grid, self.options.symmetric)
        } else {
            let (lo, hi) = min_max(&layer.weight);
            vec![choose_params(lo, hi, grid, self.options.symmetric)]
        }
    }
}

/// The scale of a per-tensor type.
fn quant_scale(q: &QuantType) -> f64 {
    match &q.params {
        QuantParams::PerTensor { scale, .. } => *scale,
        QuantParams::PerAxis { scales, .. } => scales[0],
    }
}

/// The type `v` was quantized to, if it is the result of a dequantize.
fn dequantized_type(f: &Function, v: Value) -> Option<QuantType> {
    let dq = f.op(v.producer()?);
    if dq.name != "qnn.dequantize" {
        return None;
    }
    f.value_type(dq.operands()[0]).element().as_quant().cloned()
}

/// The quantization a layer's input has, looking through flatten and reshape.
fn input_quant_type(f: &Function, mut v: Value) -> Option<QuantType> {
    loop {
        let op = f.op(v.producer()?);
        match op.name.as_str() {
            "nn.flatten" | "nn.reshape" => v = op.operands()[0],
            "qnn.dequantize" => return dequantized_type(f, v).filter(|q| matches!(q.params, QuantParams::PerTensor { .. })),
            _ => return None,
        }
    }
}

/// `value` → quantize → dequantize, every former use of `value` reading the
/// dequantized one. The pair follows the value's producer (or opens the function).
fn insert_qdq(f: &mut Function, value: Value, ty: QuantType, name: Option<String>) -> Value {
    let users = f.users(value);
    let quantize = quantize_op(f, value, ty, name.as_deref());
    let q = match value.producer() {
        Some(producer) => f.insert_op_after(producer, quantize),
        None => {
            let first = f.ops().next().expect("a function ends with return");
            f.insert_op_before(first, quantize)
        }
    };
    let dequantize = dequantize_op(f, Value::Result(q, 0), name.as_deref());
    let dq = Value::Result(f.insert_op_after(q, dequantize), 0);
    for (user, index) in users {
        f.set_operand(user, index, dq);
    }
    dq
}

/// Operand `index` of `op` (a constant) read through its own quantize/dequantize
/// pair, placed right before `op`; other users of the constant are unaffected.
fn quantize_operand(f: &mut Function, op: OpId, index: usize, ty: QuantType) {
    let value = f.op(op).operands()[index];
    let name = value.producer().and_then(|c| f.op(c).result_names[0].clone());
    let quantize = quantize_op(f, value, ty, name.as_deref());
    let q = f.insert_op_before(op, quantize);
    let dequantize = dequantize_op(f, Value::Result(q, 0), name.as_deref());
    let dq = f.insert_op_before(op, dequantize);
    f.set_operand(op, index, Value::Result(dq, 0));
}

/// `qnn.quantize` of `value` to `ty`, located where `value` is defined.
fn quantize_op(f: &Function, value: Value, ty: QuantType, name: Option<&str>) -> Operation {
    let mut tensor = f.value_type(value).as_tensor().expect("quantized values are tensors").clone();
    tensor.element = ElementType::Quant(Box::new(ty));
    let loc = match value {
        Value::Result(p, _) => f.op(p).loc.clone(),
        Value::Arg(i) => f.args[i as usize].loc.clone(),
    };
    let op = Operation::new("qnn.quantize", vec![value], vec![Type::Tensor(tensor)]).with_loc(loc);
    match name {
        Some(n) => op.with_result_name(0, format!("{n}_q")),
        None => op,
    }
}

/// `qnn.dequantize` of the quantized `value`, back to its expressed type.
fn dequantize_op(f: &Function, value: Value, name: Option<&str>) -> Operation {
    let mut tensor = f.value_type(value).as_tensor().expect("quantized values are tensors").clone();
    tensor.element = tensor.element.as_quant().expect("a quantized value").expressed.clone();
    let loc = f.op(value.producer().expect("a quantize result")).loc.clone();
    let op = Operation::new("qnn.dequantize", vec![value], vec![Type::Tensor(tensor)]).with_loc(loc);
    match name {
        Some(n) => op.with_result_name(0, format!("{n}_dq")),
        None => op,
    }
}
