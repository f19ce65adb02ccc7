//! Where a per-channel change made at a layer's output travels: from the layer
//! (W1) through ops that keep channels apart, to the layers (W2) that read them.
//! Shared by `equalize` (which scales channels) and `absorb-bias` (which shifts
//! them); each pass says which ops its change passes through.

use dfq_dialects::nn;
use dfq_ir::{Function, OpId, Value};

/// An op between W1 and its consumers.
#[derive(Clone, Debug)]
pub(crate) struct Hop {
    pub op: OpId,
    /// How many consecutive axis-1 features of the op's input carry one W1
    /// channel: 1 until a flatten turns channel c into features
    /// [c·H·W, (c+1)·H·W).
    pub features_per_channel: usize,
}

/// A layer reading (a function of) W1's output as its input.
#[derive(Clone, Debug)]
pub(crate) struct Consumer {
    pub op: OpId,
    /// As in [`Hop`], for the layer's input features.
    pub features_per_channel: usize,
}

/// Everything that reads W1's output (directly or through hops), when all of it
/// can be rewritten consistently.
#[derive(Clone, Debug)]
pub(crate) struct Chain {
    /// W1.
    pub producer: OpId,
    pub channels: usize,
    /// In program order, so a rewrite may replace each without disturbing the next.
    pub hops: Vec<Hop>,
    pub consumers: Vec<Consumer>,
}

/// Follows every use of `start` (W1's output, or a value computed from it by
/// the caller), which carries `channels` channels along axis 1 one feature each.
/// Each user must be a hop `crossing` accepts (it returns why not otherwise), or a layer reading it as its
/// input: a fan-out is fine as long as every branch ends in layers. Anything
/// else (an add, a concat, the function's return) ends the chain: `Err` says why.
pub(crate) fn follow(
    f: &Function,
    producer: OpId,
    start: Value,
    channels: usize,
    crossing: impl Fn(&Function, OpId) -> Result<(), String>,
) -> Result<Chain, String> {
    let mut chain = Chain { producer, channels, hops: Vec::new(), consumers: Vec::new() };
    let mut pending = vec![(start, 1usize)];
    while let Some((value, per_channel)) = pending.pop() {
        let users = f.users(value);
        if users.is_empty() {
            return Err("part of its output is never used".into());
        }
        for (user, operand) in users {
            let name = f.op(user).name.as_str();
            if operand == 0 && is_layer(f, user) {
                check_features(f, user, channels * per_channel)?;
                chain.consumers.push(Consumer { op: user, features_per_channel: per_channel });
                continue;
            }
            if name == "func.return" {
                return Err("its output is returned by the function".into());
            }
            if matches!(name, "nn.conv2d" | "nn.linear") && operand == 0 {
                return Err(format!("it reaches '{name}' with non-constant weights"));
            }
            crossing(f, user)?;
            if operand != 0 {
                return Err(format!("its output is an operand other than the input of '{name}'"));
            }
            chain.hops.push(Hop { op: user, features_per_channel: per_channel });
            let next = features_per_channel_after(f, user, per_channel)?;
            pending.push((Value::Result(user, 0), next));
        }
    }
    chain.hops.sort_by_key(|h| f.program_key(h.op));
    chain.consumers.sort_by_key(|c| f.program_key(c.op));
    Ok(chain)
}

/// A conv2d or linear with constant weights.
pub(crate) fn is_layer(f: &Function, op: OpId) -> bool {
    let name = f.op(op).name.as_str();
    let weight = f.op(op).operands().get(1).and_then(|w| w.producer());
    matches!(name, "nn.conv2d" | "nn.linear") && weight.is_some_and(|w| f.op(w).name == "arith.constant")
}

fn check_features(f: &Function, layer: OpId, expected: usize) -> Result<(), String> {
    let input = f.op(layer).operands()[0];
    let got = f.value_type(input).as_tensor().and_then(|t| t.shape.get(1).copied().flatten());
    if got == Some(expected as i64) {
        Ok(())
    } else {
        Err(format!("its channels do not map onto the input features of '{}'", f.op(layer).name))
    }
}

/// Features per W1 channel after `op`: a flatten at axis 1 of (N, C, d2, …)
/// turns each axis-1 feature into d2·… consecutive ones; other hops keep them.
fn features_per_channel_after(f: &Function, op: OpId, per_channel: usize) -> Result<usize, String> {
    let Some(flatten) = nn::Flatten::cast(f, op) else { return Ok(per_channel) };
    let shape = f.value_type(flatten.input()).as_tensor().and_then(|t| t.static_shape());
    let Some(shape) = shape else { return Err("it reaches a flatten of a dynamic shape".into()) };
    let rank = shape.len() as i64;
    let axis = if flatten.axis() < 0 { flatten.axis() + rank } else { flatten.axis() };
    if axis != 1 {
        return Err(format!("it reaches a flatten at axis {axis}, which mixes channels with other axes"));
    }
    let inner: i64 = shape[2..].iter().product();
    Ok(per_channel * inner as usize)
}
