//! The type rules: for each `InferRule`, the result types an op's operands and
//! attributes imply. Dynamic sizes (`None`) pass every check and propagate.
//!
//! Rules run after the operand count, attribute kinds and type constraints have
//! been checked, so they check only what is particular to their op.

use dfq_ir::{Attribute, ElementType, Signedness, TensorType, Type};

use crate::infer::InferredType;
use crate::signature::{Issue, OpSignature};
use crate::spec::InferRule;

type Dim = Option<i64>;
type Inferred = Result<Vec<InferredType>, Issue>;

pub(crate) fn infer(sig: &OpSignature) -> Inferred {
    match sig.def.infer {
        InferRule::None => Ok(Vec::new()),
        InferRule::SameAsInput => Ok(vec![sig.like_input(sig.tensor(0)?.shape.clone())]),
        InferRule::Softmax => softmax(sig),
        InferRule::Conv2d => conv2d(sig),
        InferRule::BatchNorm => batch_norm(sig),
        InferRule::Clip => clip(sig),
        InferRule::ChannelClamp => channel_clamp(sig),
        InferRule::Prelu => prelu(sig),
        InferRule::Broadcast => broadcast(sig),
        InferRule::Concat => concat(sig),
        InferRule::Pool2d => pool2d(sig),
        InferRule::GlobalPool => global_pool(sig),
        InferRule::Flatten => flatten(sig),
        InferRule::Reshape => reshape(sig),
        InferRule::Linear => linear(sig),
        InferRule::Quantize => quantize(sig),
        InferRule::Dequantize => dequantize(sig),
        InferRule::Constant => constant(sig),
        InferRule::StorageCast => storage_cast(sig),
    }
}

fn softmax(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    normalize_axis(sig.i64("axis")?, input.rank(), false)?;
    Ok(vec![sig.like_input(input.shape.clone())])
}

fn conv2d(sig: &OpSignature) -> Inferred {
    let input = sig.tensor_of_rank(0, 4, "(N, C, H, W)")?;
    let weight = sig.tensor_of_rank(1, 4, "(O, C / groups, KH, KW)")?;
    let strides = positive_pair(sig, "strides")?;
    let dilations = positive_pair(sig, "dilations")?;
    let pads = pads(sig)?;
    let groups = sig.i64("groups")?;
    if groups < 1 {
        return Err(Issue::new(format!("attribute 'groups' must be at least 1, got {groups}")));
    }
    let (channels, out_channels) = (input.shape[1], weight.shape[0]);
    if let Some(c) = channels {
        if c % groups != 0 {
            return Err(Issue::at_operand(0, format!("input has {c} channels, which {groups} groups do not divide")));
        }
        if !same_dim(weight.shape[1], Some(c / groups)) {
            return Err(Issue::at_operand(
                1,
                format!(
                    "weight {} expects {} input channels per group, but the input has {c} channels in {groups} group(s)",
                    sig.operands[1],
                    show_dim(weight.shape[1]),
                ),
            ));
        }
    }
    if let Some(o) = out_channels {
        if o % groups != 0 {
            return Err(Issue::at_operand(
                1,
                format!("weight has {o} output channels, which {groups} groups do not divide"),
            ));
        }
    }
    check_vector(sig, 2, out_channels, "O")?;
    let kernel = [weight.shape[2], weight.shape[3]];
    let spatial = spatial_output(input, kernel, strides, dilations, pads)?;
    Ok(vec![sig.like_input(vec![input.shape[0], out_channels, spatial[0], spatial[1]])])
}

fn pool2d(sig: &OpSignature) -> Inferred {
    let input = sig.tensor_of_rank(0, 4, "(N, C, H, W)")?;
    let kernel = positive_pair(sig, "kernel")?;
    let strides = positive_pair(sig, "strides")?;
    let pads = pads(sig)?;
    if pads[0] >= kernel[0] || pads[2] >= kernel[0] || pads[1] >= kernel[1] || pads[3] >= kernel[1] {
        return Err(Issue::new(format!("pads {pads:?} must be smaller than the kernel {kernel:?} along their axis")));
    }
    let spatial = spatial_output(input, kernel.map(Some), strides, [1, 1], pads)?;
    Ok(vec![sig.like_input(vec![input.shape[0], input.shape[1], spatial[0], spatial[1]])])
}

/// Output height and width by the convolution formula
/// ⌊(size + pad_begin + pad_end − dilation·(kernel − 1) − 1) / stride⌋ + 1.
fn spatial_output(
    input: &TensorType,
    kernel: [Dim; 2],
    strides: [i64; 2],
    dilations: [i64; 2],
    pads: [i64; 4],
) -> Result<[Dim; 2], Issue> {
    let mut out = [None; 2];
    for (axis, name) in ["height", "width"].into_iter().enumerate() {
        let (Some(size), Some(k)) = (input.shape[2 + axis], kernel[axis]) else { continue };
        if k < 1 {
            return Err(Issue::new(format!("the kernel {name} must be at least 1, got {k}")));
        }
        // Checked: sizes come from the input text, and absurd ones must be reported, not overflow.
        let window = dilations[axis].checked_mul(k - 1).and_then(|w| w.checked_add(1));
        let padded = size.checked_add(pads[axis]).and_then(|p| p.checked_add(pads[axis + 2]));
        let (Some(window), Some(padded)) = (window, padded) else {
            return Err(Issue::new(format!("the window or padded input {name} overflows i64")));
        };
        if window > padded {
            return Err(Issue::new(format!("the window {name} ({window}) exceeds the padded input {name} ({padded})")));
        }
        out[axis] = Some((padded - window) / strides[axis] + 1);
    }
    Ok(out)
}

fn global_pool(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    if input.rank() < 3 {
        return Err(Issue::at_operand(0, format!("input must have spatial axes (N, C, ...), got {}", sig.operands[0])));
    }
    let mut shape = input.shape.clone();
    shape[2..].fill(Some(1));
    Ok(vec![sig.like_input(shape)])
}

fn batch_norm(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    if input.rank() < 2 {
        return Err(Issue::at_operand(
            0,
            format!("input must have a channel axis (N, C, ...), got {}", sig.operands[0]),
        ));
    }
    for i in 1..sig.operands.len() {
        check_vector(sig, i, input.shape[1], "C")?;
    }
    Ok(vec![sig.like_input(input.shape.clone())])
}

/// Bounds are scalars or per-channel: (), (1), (C) or (1, C, 1, …, 1).
fn clip(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    let channels = input.shape.get(1).copied().flatten();
    for i in [1, 2] {
        let Type::Tensor(bound) = sig.operands[i] else { continue };
        let per_channel_1d = bound.rank() == 1 && input.rank() >= 2 && same_dim(bound.shape[0], channels);
        let per_channel_nd = bound.rank() == input.rank()
            && input.rank() >= 2
            && same_dim(bound.shape[1], channels)
            && bound.shape.iter().enumerate().all(|(axis, &d)| axis == 1 || same_dim(d, Some(1)));
        let scalar = bound.rank() == 0 || (bound.rank() == 1 && same_dim(bound.shape[0], Some(1)));
        if !(scalar || per_channel_1d || per_channel_nd) {
            let ones = ", 1".repeat(input.rank().saturating_sub(2));
            return Err(Issue::at_operand(
                i,
                format!(
                    "{} must be a scalar or have shape (), (1), (C) or (1, C{ones}) with C = {}, got {}",
                    sig.operand_name(i),
                    show_dim(channels),
                    sig.operands[i]
                ),
            ));
        }
    }
    Ok(vec![sig.like_input(input.shape.clone())])
}

/// One (min, max) pair per channel of axis 1, min ≤ max, inside the storage range.
fn channel_clamp(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    if input.rank() < 2 {
        return Err(Issue::at_operand(0, format!("input must have a channel axis (N, C, ...), got {}", sig.operands[0])));
    }
    let (min, max) = (sig.i64_array("min")?, sig.i64_array("max")?);
    for (name, bounds) in [("min", &min), ("max", &max)] {
        if !same_dim(input.shape[1], Some(bounds.len() as i64)) {
            return Err(Issue::new(format!(
                "attribute '{name}' must have one value per channel ({}), got {}",
                show_dim(input.shape[1]),
                bounds.len()
            )));
        }
    }
    let (storage_lo, storage_hi) = match &input.element {
        ElementType::Quant(q) => q.storage_min_max(),
        _ => (i64::MIN, i64::MAX),
    };
    for (c, (&lo, &hi)) in min.iter().zip(&max).enumerate() {
        if lo > hi || lo < storage_lo || hi > storage_hi {
            return Err(Issue::new(format!(
                "channel {c}: bounds [{lo}, {hi}] must satisfy min ≤ max within the storage range [{storage_lo}, {storage_hi}]"
            )));
        }
    }
    Ok(vec![sig.like_input(input.shape.clone())])
}

/// The slope broadcasts one way: aligned at the last axis, each size 1 or the input's.
fn prelu(sig: &OpSignature) -> Inferred {
    let (input, slope) = (sig.tensor(0)?, sig.tensor(1)?);
    let fits = slope.rank() <= input.rank()
        && slope.shape.iter().rev().zip(input.shape.iter().rev()).all(|(&s, &x)| s == Some(1) || same_dim(s, x));
    if !fits {
        return Err(Issue::at_operand(
            1,
            format!("slope {} does not broadcast to the input {}", sig.operands[1], sig.operands[0]),
        ));
    }
    Ok(vec![sig.like_input(input.shape.clone())])
}

/// Numpy broadcasting: aligned at the last axis, sizes equal or one of them 1.
fn broadcast(sig: &OpSignature) -> Inferred {
    let (lhs, rhs) = (sig.tensor(0)?, sig.tensor(1)?);
    let rank = lhs.rank().max(rhs.rank());
    let padded = |t: &TensorType| -> Vec<Dim> {
        std::iter::repeat_n(Some(1), rank - t.rank()).chain(t.shape.iter().copied()).collect()
    };
    let (l, r) = (padded(lhs), padded(rhs));
    let mut shape = Vec::with_capacity(rank);
    for (axis, (&a, &b)) in l.iter().zip(&r).enumerate() {
        let dim = match (a, b) {
            (Some(1), d) | (d, Some(1)) => d,
            (Some(x), Some(y)) if x != y => {
                return Err(Issue::new(format!(
                    "cannot broadcast {} with {}: sizes {x} and {y} differ on axis {axis}",
                    sig.operands[0], sig.operands[1]
                )))
            }
            (Some(x), _) | (_, Some(x)) => Some(x),
            (None, None) => None,
        };
        shape.push(dim);
    }
    Ok(vec![sig.like_input(shape)])
}

fn concat(sig: &OpSignature) -> Inferred {
    let first = sig.tensor(0)?;
    let axis = normalize_axis(sig.i64("axis")?, first.rank(), false)?;
    let mut shape = first.shape.clone();
    for i in 1..sig.operands.len() {
        let t = sig.tensor(i)?;
        if t.rank() != first.rank() {
            return Err(Issue::at_operand(
                i,
                format!("input #{i} {} has rank {}, but input #0 has rank {}", sig.operands[i], t.rank(), first.rank()),
            ));
        }
        for (d, (&a, &b)) in first.shape.iter().zip(&t.shape).enumerate() {
            if d != axis && !same_dim(a, b) {
                return Err(Issue::at_operand(
                    i,
                    format!(
                        "input #{i} {} has size {} on axis {d}, but input #0 has {}",
                        sig.operands[i],
                        show_dim(b),
                        show_dim(a)
                    ),
                ));
            }
        }
        shape[axis] = shape[axis].zip(t.shape[axis]).map(|(a, b)| a.saturating_add(b));
    }
    Ok(vec![sig.like_input(shape)])
}

fn flatten(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    let axis = normalize_axis(sig.i64("axis")?, input.rank(), true)?;
    let (outer, inner) = input.shape.split_at(axis);
    Ok(vec![sig.like_input(vec![product(outer), product(inner)])])
}

fn reshape(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    let target = sig.i64_array("shape")?;
    if target.iter().filter(|&&d| d == -1).count() > 1 {
        return Err(Issue::new(format!("shape {target:?} has more than one -1")));
    }
    let mut shape: Vec<Dim> = Vec::with_capacity(target.len());
    for (i, &d) in target.iter().enumerate() {
        shape.push(match d {
            -1 => None,
            0 => *input.shape.get(i).ok_or_else(|| {
                Issue::new(format!("shape {target:?} copies axis {i} (0), which the input {} lacks", sig.operands[0]))
            })?,
            d if d > 0 => Some(d),
            _ => return Err(Issue::new(format!("shape {target:?} has the invalid size {d} (sizes are ≥ 0 or -1)"))),
        });
    }
    let fixed: Vec<Dim> = shape.iter().zip(&target).filter(|&(_, &t)| t != -1).map(|(&d, _)| d).collect();
    let known = product(&fixed);
    let total = product(&input.shape);
    let mismatch = || Issue::new(format!("cannot reshape {} into shape {target:?}", sig.operands[0]));
    match (target.iter().position(|&d| d == -1), total, known) {
        (Some(hole), Some(total), Some(known)) => {
            if known == 0 || total % known != 0 {
                return Err(mismatch());
            }
            shape[hole] = Some(total / known);
        }
        (None, Some(total), Some(known)) if total != known => return Err(mismatch()),
        _ => {}
    }
    Ok(vec![sig.like_input(shape)])
}

fn linear(sig: &OpSignature) -> Inferred {
    let input = sig.tensor_of_rank(0, 2, "(N, K)")?;
    let weight = sig.tensor_of_rank(1, 2, "(M, K)")?;
    if !same_dim(input.shape[1], weight.shape[1]) {
        return Err(Issue::at_operand(
            1,
            format!(
                "weight {} has K = {}, but the input {} has K = {}",
                sig.operands[1],
                show_dim(weight.shape[1]),
                sig.operands[0],
                show_dim(input.shape[1])
            ),
        ));
    }
    check_vector(sig, 2, weight.shape[0], "M")?;
    Ok(vec![sig.like_input(vec![input.shape[0], weight.shape[0]])])
}

fn quantize(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    let expressed = sig.declared.and_then(|d| d.first()).and_then(|t| t.element().as_quant()).map(|q| &q.expressed);
    if let Some(expressed) = expressed.filter(|&e| *e != input.element) {
        return Err(Issue::new(format!(
            "result's quantized type expresses {expressed} values, but the input holds {}",
            input.element
        )));
    }
    Ok(vec![InferredType::FreeElement(input.shape.clone())])
}

fn dequantize(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    let quant = input.element.as_quant().ok_or_else(|| Issue::at_operand(0, "input must be quantized"))?;
    Ok(vec![InferredType::Known(Type::Tensor(TensorType {
        shape: input.shape.clone(),
        element: quant.expressed.clone(),
    }))])
}

/// The value's type, as MLIR's `arith.constant` requires. Storage integers for a
/// quantized result get their type from a `quant.scast`: dense attributes cannot
/// hold quantized elements.
fn constant(sig: &OpSignature) -> Inferred {
    let value = sig.attribute("value").ok_or_else(|| Issue::new("requires attribute 'value'"))?;
    let ty = match value {
        Attribute::Dense(d) => {
            let declared = sig.declared.and_then(|d| d.first());
            if let Some(q) = declared.and_then(|t| t.element().as_quant()) {
                if matches!(d.ty().element, ElementType::Int { width, .. } if width == q.storage_width) {
                    return Err(Issue::new(format!(
                        "value of type {} holds the storage integers of {}: an arith.constant's value and result \
                         types must be equal, so give the integers their quantized type with 'quant.scast'",
                        d.ty(),
                        declared.map(ToString::to_string).unwrap_or_default()
                    )));
                }
            }
            Type::Tensor(d.ty().clone())
        }
        Attribute::Int { ty, .. } | Attribute::Float { ty, .. } => Type::Scalar(ty),
        other => return Err(Issue::new(format!("attribute 'value' must be typed elements, got {}", other.kind()))),
    };
    Ok(vec![InferredType::Known(ty)])
}

/// `quant.scast`: a quantized tensor ↔ signless integers of its storage width
/// (MLIR's rule: `u8` storage is `i8` too), same shape.
fn storage_cast(sig: &OpSignature) -> Inferred {
    let input = sig.tensor(0)?;
    if let Some(q) = input.element.as_quant() {
        let storage = ElementType::int(q.storage_width);
        return Ok(vec![InferredType::Known(Type::Tensor(TensorType { shape: input.shape.clone(), element: storage }))]);
    }
    let width = match input.element {
        ElementType::Int { width, signedness: Signedness::Signless } => width,
        _ => return Err(Issue::at_operand(0, format!("input must be quantized or signless integers, got {}", sig.operands[0]))),
    };
    let declared = sig.declared.and_then(|d| d.first());
    if let Some(declared) = declared {
        if declared.element().as_quant().is_none_or(|q| q.storage_width != width) {
            return Err(Issue::new(format!(
                "result {declared} must be quantized with {width}-bit storage, the width of the input's integers"
            )));
        }
    }
    Ok(vec![InferredType::FreeElement(input.shape.clone())])
}

/// Operand `i`, if present, must be a vector of `len` elements (`what` names the length).
fn check_vector(sig: &OpSignature, i: usize, len: Dim, what: &str) -> Result<(), Issue> {
    let Some(ty) = sig.operand(i) else { return Ok(()) };
    let fits = ty.as_tensor().is_some_and(|t| t.rank() == 1 && same_dim(t.shape[0], len));
    if !fits {
        return Err(Issue::at_operand(
            i,
            format!("{} must have shape ({what}) = ({}), got {ty}", sig.operand_name(i), show_dim(len)),
        ));
    }
    Ok(())
}

fn positive_pair(sig: &OpSignature, name: &str) -> Result<[i64; 2], Issue> {
    let v = sig.i64_array(name)?;
    match v[..] {
        [a, b] if a >= 1 && b >= 1 => Ok([a, b]),
        _ => Err(Issue::new(format!("attribute '{name}' must hold 2 values ≥ 1, got {v:?}"))),
    }
}

fn pads(sig: &OpSignature) -> Result<[i64; 4], Issue> {
    let v = sig.i64_array("pads")?;
    match v[..] {
        [t, l, b, r] if v.iter().all(|&p| p >= 0) => Ok([t, l, b, r]),
        _ => Err(Issue::new(format!("attribute 'pads' must hold 4 values ≥ 0 (top, left, bottom, right), got {v:?}"))),
    }
}

/// `axis` in [−rank, rank) (or [−rank, rank] when `inclusive`), made non-negative.
fn normalize_axis(axis: i64, rank: usize, inclusive: bool) -> Result<usize, Issue> {
    let rank = rank as i64;
    let end = if inclusive { rank + 1 } else { rank };
    if axis < -rank || axis >= end {
        let bracket = if inclusive { ']' } else { ')' };
        return Err(Issue::new(format!(
            "axis {axis} is out of range [-{rank}, {rank}{bracket} for a rank-{rank} input"
        )));
    }
    Ok(if axis < 0 { (axis + rank) as usize } else { axis as usize })
}

/// Sizes that may be equal at run time: equal, or one of them dynamic.
fn same_dim(a: Dim, b: Dim) -> bool {
    a.is_none() || b.is_none() || a == b
}

fn product(dims: &[Dim]) -> Dim {
    dims.iter().try_fold(1i64, |acc, &d| d.and_then(|d| acc.checked_mul(d)))
}

fn show_dim(d: Dim) -> String {
    d.map_or("?".into(), |d| d.to_string())
}
