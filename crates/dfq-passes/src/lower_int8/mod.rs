//! `lower-int8`: rewrites the QDQ form into the integer ops of the `qnn` dialect.
//!
//! Each activation `qnn.quantize` is the end of a pattern
//! `quantize(act…(core(dequantize(x), dequantize(quantize(W)), …)))`, which
//! becomes one integer op producing the quantize's type directly:
//!
//! - conv2d / linear → `qnn.conv2d` / `qnn.linear` with i8 weight constants and
//!   an i32 bias constant (quantized here, with `qnn.quantize`'s rounding), the
//!   activations fused as `act_min`/`act_max`;
//! - add → `qnn.add` (activations fused); avg / global avg pool, concat →
//!   their qnn ops (concat requantizes its inputs itself) followed by a
//!   `qnn.clamp` if an activation follows;
//! - max pool, and a quantize of a dequantized value (an activation alone, a
//!   flatten or reshape) → the op on the integers of its input, a `qnn.clamp`,
//!   and a `qnn.requantize` if the quantization changes.
//!
//! Flatten and reshape of a dequantized value first become the qnn op on its
//! integers. The network input keeps its `qnn.quantize` and each output its
//! `qnn.dequantize`, so the signature is unchanged. Clip bounds that differ per
//! channel in the integer domain (a ReLU6 after equalization) cannot be one
//! scalar clamp: the core is lowered with the loosest bounds and followed by a
//! `qnn.channel_clamp`. Anything that cannot be lowered stays in float where it
//! is, reading dequantized values, with a remark.

mod bounds;
mod constants;

use dfq_dialects::{infer_types, qnn, registry};
use dfq_ir::{Attribute, Attributes, Diagnostic, ElementType, Function, Module, OpId, Operation, QuantParams, QuantType, Type, Value};
use dfq_rewrite::{Pass, PassContext, PassError, PassInfo};

use crate::dce::remove_dead_ops;
use bounds::{Clamp, IntClamp};
use constants::IntWeight;

pub fn info() -> PassInfo {
    PassInfo {
        name: "lower-int8",
        summary: "Lower the QDQ form to integer qnn ops (int8 weights, int32 bias, fixed-point requantization)",
        options: &[],
        create: |_| Ok(Box::new(LowerInt8)),
    }
}

pub struct LowerInt8;

impl Pass for LowerInt8 {
    fn name(&self) -> &'static str {
        "lower-int8"
    }

    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for f in &mut module.functions {
            lower_function(f, &mut ctx.diagnostics);
        }
        Ok(())
    }
}

fn lower_function(f: &mut Function, remarks: &mut Vec<Diagnostic>) {
    hoist_dequantize_over_shape_ops(f);
    let quantizes: Vec<OpId> = f.ops().filter(|&op| is_activation_quantize(f, op)).collect();
    for q in quantizes {
        if let Err(why) = lower_quantize(f, q) {
            let at = f.op(q).operands()[0].producer().unwrap_or(q);
            remarks.push(Diagnostic::remark(f.op(at).loc.clone(), format!("left in float: {why}")));
        }
    }
    remove_dead_ops(f);
}

/// A quantize of a computed value (not of a constant, nor of the network input).
fn is_activation_quantize(f: &Function, op: OpId) -> bool {
    let Some(q) = qnn::Quantize::cast(f, op) else { return false };
    q.input().producer().is_some_and(|p| f.op(p).name != "arith.constant")
}

/// The activation ops lowering fuses or turns into clamps.
fn is_activation(name: &str) -> bool {
    matches!(name, "nn.relu" | "nn.relu6" | "nn.clip")
}

/// `flatten(dequantize(x))` → `dequantize(qnn.flatten(x))`, and so for reshape:
/// they move stored integers without changing them.
fn hoist_dequantize_over_shape_ops(f: &mut Function) {
    let ops: Vec<OpId> = f.ops().filter(|&op| matches!(f.op(op).name.as_str(), "nn.flatten" | "nn.reshape")).collect();
    for op in ops {
        let Ok(x) = int_operand(f, f.op(op).operands()[0]) else { continue };
        let name = f.op(op).name.replace("nn.", "qnn.");
        let element = f.value_type(x).element().clone();
        let Ok(moved) = emit(f, &name, vec![x], copied_attributes(f, op, &name), element, op) else { continue };
        let dq = insert_dequantize(f, moved, op);
        f.replace_all_uses(Value::Result(op, 0), dq);
    }
}

/// Lowers the pattern ending at quantize `q` (see the module docs).
fn lower_quantize(f: &mut Function, q: OpId) -> Result<(), String> {
    let result = Value::Result(q, 0);
    let target = activation_type(f.value_type(result)).ok_or_else(|| {
        format!("its quantization {} is not 8-bit per tensor, which the integer ops need", f.value_type(result))
    })?;
    let (core, acts) = chain(f, f.op(q).operands()[0]).ok_or("its value is not computed by an op")?;
    let clamp = Clamp::of_chain(f, &acts)?.map(|c| c.to_int(&target));
    let bounds = clamp.as_ref().map(IntClamp::loosest);
    // New ops go before the first activation, which may keep reading them.
    let anchor = acts.first().copied().unwrap_or(q);
    let (mut value, fused) = lower_core(f, core, &target, bounds, anchor)?;
    if f.value_type(value).element().as_quant() != Some(&target) {
        value = emit(f, "qnn.requantize", vec![value], Attributes::new(), quant_element(&target), anchor)?;
    }
    if let (Some((lo, hi)), false) = (bounds, fused) {
        value = emit_clamp(f, value, lo, hi, anchor)?;
    }
    if let Some(IntClamp::PerChannel { bounds, .. }) = &clamp {
        // The core clamps to the loosest bounds; each channel's own come after.
        value = emit_channel_clamp(f, value, bounds, anchor)?;
    }
    keep_name(f, value, q, core);
    f.replace_all_uses(result, value);
    Ok(())
}

/// The integer value takes the name of the quantized value it replaces (or of
/// the float op it computes), so the output reads like the input.
fn keep_name(f: &mut Function, value: Value, q: OpId, core: OpId) {
    let Some(producer) = value.producer() else { return };
    let name = f.op(q).result_names[0].clone().or_else(|| f.op(core).result_names[0].clone());
    if f.op(producer).result_names[0].is_none() {
        f.op_mut(producer).result_names[0] = name;
    }
}

/// The op computing `v` behind its activations, and those activations in
/// program order.
fn chain(f: &Function, mut v: Value) -> Option<(OpId, Vec<OpId>)> {
    let mut acts = Vec::new();
    loop {
        let op = v.producer()?;
        if !is_activation(&f.op(op).name) {
            acts.reverse();
            return Some((op, acts));
        }
        acts.push(op);
        v = f.op(op).operands()[0];
    }
}

/// The integer op for `core`, producing `target` (or, for ops that keep their
/// input's quantization, that one). The flag says whether `bounds` were fused.
fn lower_core(
    f: &mut Function,
    core: OpId,
    target: &QuantType,
    bounds: Option<(i64, i64)>,
    anchor: OpId,
) -> Result<(Value, bool), String> {
    let name = f.op(core).name.clone();
    let element = quant_element(target);
    let operands = f.op(core).operands().to_vec();
    let value = match name.as_str() {
        "nn.conv2d" | "nn.linear" => return lower_layer(f, core, target, bounds, anchor).map(|v| (v, true)),
        "nn.add" => {
            let inputs = vec![int_operand(f, operands[0])?, int_operand(f, operands[1])?];
            let attrs = activation_attributes(bounds);
            return emit(f, "qnn.add", inputs, attrs, element, anchor).map(|v| (v, true));
        }
        "nn.avg_pool2d" | "nn.global_avg_pool" | "nn.concat" => {
            let inputs = operands.iter().map(|&v| int_operand(f, v)).collect::<Result<Vec<_>, _>>()?;
            let qname = name.replace("nn.", "qnn.");
            emit(f, &qname, inputs, copied_attributes(f, core, &qname), element, anchor)?
        }
        "nn.max_pool2d" => {
            let input = int_operand(f, operands[0])?;
            let own = f.value_type(input).element().clone();
            emit(f, "qnn.max_pool2d", vec![input], copied_attributes(f, core, "qnn.max_pool2d"), own, anchor)?
        }
        "qnn.dequantize" => int_operand(f, Value::Result(core, 0))?,
        other => return Err(format!("'{other}' has no integer lowering")),
    };
    Ok((value, false))
}

/// conv2d / linear with integer weights and bias, activation bounds fused.
fn lower_layer(f: &mut Function, core: OpId, target: &QuantType, bounds: Option<(i64, i64)>, anchor: OpId) -> Result<Value, String> {
    let operands = f.op(core).operands().to_vec();
    let input = int_operand(f, operands[0])?;
    let input_type = activation_type(f.value_type(input)).expect("int_operand checked");
    let s_in = scale_of(&input_type);
    let IntWeight { value: weight, ty: weight_type } = constants::weight(f, operands[1], anchor)?;
    let out_channels = f.value_type(weight).as_tensor().and_then(|t| t.shape[0]).unwrap_or(0) as usize;
    check_multipliers(s_in, &weight_type, out_channels, scale_of(target))?;
    let mut inputs = vec![input, weight];
    if let Some(&b) = operands.get(2) {
        inputs.push(constants::bias(f, b, s_in, &weight_type, anchor)?);
    }
    let qname = f.op(core).name.replace("nn.", "qnn.");
    let mut attrs = copied_attributes(f, core, &qname);
    attrs.extend(activation_attributes(bounds));
    emit(f, &qname, inputs, attrs, quant_element(target), anchor)
}

/// Requantization multipliers s_in·s_w[o] / s_out must be in (0, 2^31), as the
/// fixed-point form of qnn.toml allows.
fn check_multipliers(s_in: f64, weight: &QuantType, channels: usize, s_out: f64) -> Result<(), String> {
    for o in 0..channels.max(1) {
        let m = s_in * constants::weight_scale(weight, o) / s_out;
        if !(m > 0.0 && m < 2f64.powi(31)) {
            return Err(format!("the requantization multiplier {m} of channel {o} is outside (0, 2^31)"));
        }
    }
    Ok(())
}

/// The integers behind `v` = dequantize(x), with x 8-bit per tensor.
fn int_operand(f: &Function, v: Value) -> Result<Value, String> {
    let dq = v.producer().and_then(|p| qnn::Dequantize::cast(f, p)).ok_or("an input is not quantized")?;
    let x = dq.input();
    activation_type(f.value_type(x)).ok_or_else(|| format!("an input's quantization {} is not 8-bit per tensor", f.value_type(x)))?;
    Ok(x)
}

/// A per-tensor quantization with 8-bit storage, what qnn activations take.
fn activation_type(ty: &Type) -> Option<QuantType> {
    let q = ty.as_tensor()?.element.as_quant()?;
    (q.storage_width == 8 && matches!(q.params, QuantParams::PerTensor { .. })).then(|| q.clone())
}

fn scale_of(q: &QuantType) -> f64 {
    match q.params {
        QuantParams::PerTensor { scale, .. } => scale,
        QuantParams::PerAxis { .. } => unreachable!("activations are quantized per tensor"),
    }
}

fn quant_element(q: &QuantType) -> ElementType {
    ElementType::Quant(Box::new(q.clone()))
}

fn activation_attributes(bounds: Option<(i64, i64)>) -> Attributes {
    let mut attrs = Attributes::new();
    if let Some((lo, hi)) = bounds {
        attrs.insert("act_min".into(), Attribute::i64(lo));
        attrs.insert("act_max".into(), Attribute::i64(hi));
    }
    attrs
}

/// The attributes of `op` that qnn op `qname` also declares (strides, pads, …).
fn copied_attributes(f: &Function, op: OpId, qname: &str) -> Attributes {
    let def = registry().lookup(qname).expect("a qnn op");
    let attrs = &f.op(op).attributes;
    def.attributes.iter().filter_map(|a| Some((a.name.to_string(), attrs.get(a.name)?.clone()))).collect()
}

fn emit_clamp(f: &mut Function, v: Value, lo: i64, hi: i64, anchor: OpId) -> Result<Value, String> {
    let attrs = Attributes::from([("min".to_string(), Attribute::i64(lo)), ("max".to_string(), Attribute::i64(hi))]);
    let element = f.value_type(v).element().clone();
    emit(f, "qnn.clamp", vec![v], attrs, element, anchor)
}

fn emit_channel_clamp(f: &mut Function, v: Value, bounds: &[(i64, i64)], anchor: OpId) -> Result<Value, String> {
    let array = |pick: fn(&(i64, i64)) -> i64| Attribute::DenseI64Array(bounds.iter().map(pick).collect());
    let attrs = Attributes::from([("min".to_string(), array(|b| b.0)), ("max".to_string(), array(|b| b.1))]);
    let element = f.value_type(v).element().clone();
    emit(f, "qnn.channel_clamp", vec![v], attrs, element, anchor)
}

/// Builds op `name` before `anchor`, its result type inferred with `element`
/// where the element type is the builder's choice.
fn emit(f: &mut Function, name: &str, operands: Vec<Value>, attrs: Attributes, element: ElementType, anchor: OpId) -> Result<Value, String> {
    let types: Vec<&Type> = operands.iter().map(|&v| f.value_type(v)).collect();
    let inferred = infer_types(name, &types, &attrs).map_err(|e| format!("'{name}' cannot be built: {e}"))?;
    let ty = inferred.into_iter().next().ok_or_else(|| format!("'{name}' has no result"))?.with_free_element(element);
    let mut op = Operation::new(name, operands, vec![ty]).with_loc(f.op(anchor).loc.clone());
    op.attributes = attrs;
    Ok(Value::Result(f.insert_op_before(anchor, op), 0))
}

fn insert_dequantize(f: &mut Function, v: Value, anchor: OpId) -> Value {
    let mut tensor = f.value_type(v).as_tensor().expect("a tensor").clone();
    tensor.element = tensor.element.as_quant().expect("quantized").expressed.clone();
    let op = Operation::new("qnn.dequantize", vec![v], vec![Type::Tensor(tensor)]).with_loc(f.op(anchor).loc.clone());
    Value::Result(f.insert_op_before(anchor, op), 0)
}
