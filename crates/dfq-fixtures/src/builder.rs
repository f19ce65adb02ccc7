//! [`NetBuilder`]: builds an `nn`-dialect function layer by layer, sampling the
//! weights, computing result shapes, and tracking activation statistics so that
//! batch norms get running statistics that fit their inputs.
//!
//! Misuse (mismatched shapes, channels not divisible by groups) panics: this is a
//! test-fixture builder, and a panic names the mistake where it was made.

use std::collections::{HashMap, HashSet};

use dfq_ir::{Argument, Attribute, DenseElements, ElementType, Function, Module, Operation, Type, Value};

use crate::init::{self, BatchNormParams, LayerKind};
use crate::sample::Sampler;
use crate::shape::window_output_2d;
use crate::spec::{Activation, Conv, Linear, Pool};
use crate::stats::ChannelStats;

/// The single argument of every generated function is named `%x`.
const INPUT_NAME: &str = "x";

/// Builds one `func.func @main`; each layer method appends ops and returns the
/// layer's result.
pub struct NetBuilder {
    func: Function,
    sampler: Sampler,
    bn_epsilon: f32,
    taken_names: HashSet<String>,
    next_index: HashMap<&'static str, usize>,
    info: HashMap<Value, ValueInfo>,
}

/// What the builder knows about a value beyond its type.
struct ValueInfo {
    stats: ChannelStats,
    /// The conv or linear layer that produced it: batch norms are named after it
    /// and sample their spread by its kind.
    layer: Option<(String, LayerKind)>,
}

impl NetBuilder {
    /// A function `@main` taking one f32 tensor of `input_shape` (channels in
    /// dimension 1) whose values lie in `range`, recorded as `dfq.range`.
    pub fn new(input_shape: &[i64], range: (f64, f64), seed: u64) -> NetBuilder {
        let (lo, hi) = range;
        let mut arg = Argument::new(Type::tensor(input_shape, ElementType::F32));
        arg.name = Some(INPUT_NAME.to_string());
        let bound = |v| Attribute::Float { value: v, ty: ElementType::F64 };
        arg.attributes.insert("dfq.range".into(), Attribute::Array(vec![bound(lo), bound(hi)]));
        let channels = input_shape.get(1).copied().unwrap_or(1) as usize;
        // Treat the input as spread evenly over its range: mean at the centre, ±2σ at the ends.
        let sd = (hi - lo) / 4.0;
        let input = ValueInfo { stats: ChannelStats::uniform(channels, (lo + hi) / 2.0, sd * sd), layer: None };
        NetBuilder {
            func: Function::new("main", vec![arg], vec![]),
            sampler: Sampler::new(seed),
            bn_epsilon: 1e-5,
            taken_names: HashSet::from([INPUT_NAME.to_string()]),
            next_index: HashMap::new(),
            info: HashMap::from([(Value::Arg(0), input)]),
        }
    }

    /// The epsilon of batch norms created from now on (PyTorch's 1e-5 by default).
    pub fn set_bn_epsilon(&mut self, epsilon: f32) {
        self.bn_epsilon = epsilon;
    }

    pub fn input(&self) -> Value {
        Value::Arg(0)
    }

    /// The random source weights are drawn from, also for choosing architectures.
    pub fn sampler(&mut self) -> &mut Sampler {
        &mut self.sampler
    }

    pub fn function(&self) -> &Function {
        &self.func
    }

    pub fn shape(&self, v: Value) -> Vec<i64> {
        let ty = self.func.value_type(v).as_tensor().expect("builder values are tensors");
        ty.static_shape().expect("builder shapes are static")
    }

    pub fn channels(&self, v: Value) -> i64 {
        self.shape(v)[1]
    }

    /// The per-channel statistics the builder assumes for `v`.
    pub fn stats(&self, v: Value) -> &ChannelStats {
        &self.info[&v].stats
    }

    /// An f32 `arith.constant` whose result is named `%{name}` (made unique).
    pub fn constant(&mut self, name: &str, shape: &[i64], values: Vec<f32>) -> Value {
        let name = self.claim_name(name);
        let value = DenseElements::from_f32(shape, values);
        let op = Operation::new("arith.constant", vec![], vec![Type::Tensor(value.ty().clone())])
            .with_attr("value", Attribute::Dense(value))
            .with_result_name(0, name);
        Value::Result(self.func.push_op(op), 0)
    }

    /// A conv with sampled weights (see [`crate::init`]).
    pub fn conv(&mut self, x: Value, spec: &Conv) -> Value {
        let in_channels = self.channels(x);
        assert!(spec.groups >= 1, "conv: groups must be at least 1");
        let kind = if spec.is_depthwise(in_channels) { LayerKind::Depthwise } else { LayerKind::Dense };
        let fan_in = (in_channels / spec.groups * spec.kernel[0] * spec.kernel[1]) as usize;
        let weight = init::conv_weight(&mut self.sampler, spec.out_channels as usize, fan_in, kind);
        let bias = spec.bias.then(|| init::conv_bias(&mut self.sampler, spec.out_channels as usize));
        self.conv_with(x, spec, weight, bias)
    }

    /// A conv with the given OIHW weights; `spec.bias` is ignored in favour of `bias`.
    pub fn conv_with(&mut self, x: Value, spec: &Conv, weight: Vec<f32>, bias: Option<Vec<f32>>) -> Value {
        let [n, c, h, w] = self.shape4(x);
        let (o, g) = (spec.out_channels, spec.groups);
        assert!(g >= 1 && c % g == 0 && o % g == 0, "conv: {c} in and {o} out channels do not split into {g} groups");
        let [oh, ow] = window_output_2d([h, w], spec.kernel, spec.strides, spec.pads, spec.dilations);
        assert!(oh >= 1 && ow >= 1, "conv: a {h}×{w} input gives an empty output");
        let name = self.layer_name(spec.name.as_deref(), "conv");
        let w_shape = [o, c / g, spec.kernel[0], spec.kernel[1]];
        assert_eq!(weight.len() as i64, w_shape.iter().product::<i64>(), "conv: weight count for {w_shape:?}");
        let stats = self.info[&x].stats.conv(&weight, o as usize, g as usize, bias.as_deref());
        let mut operands = vec![x, self.constant(&format!("{name}_w"), &w_shape, weight)];
        if let Some(bias) = bias {
            operands.push(self.constant(&format!("{name}_b"), &[o], bias));
        }
        let op = Operation::new("nn.conv2d", operands, vec![f32_tensor(&[n, o, oh, ow])])
            .with_attr("strides", Attribute::DenseI64Array(spec.strides.to_vec()))
            .with_attr("pads", Attribute::DenseI64Array(spec.pads.to_vec()))
            .with_attr("dilations", Attribute::DenseI64Array(spec.dilations.to_vec()))
            .with_attr("groups", Attribute::i64(g));
        let kind = if spec.is_depthwise(c) { LayerKind::Depthwise } else { LayerKind::Dense };
        self.push(op, stats, Some((name, kind)))
    }

    /// A batch norm with sampled parameters whose running statistics fit `x`.
    pub fn batch_norm(&mut self, x: Value) -> Value {
        let kind = self.info[&x].layer.as_ref().map_or(LayerKind::Dense, |(_, k)| *k);
        let params = init::batch_norm(&mut self.sampler, &self.info[&x].stats, kind, self.bn_epsilon);
        self.batch_norm_with(x, params)
    }

    pub fn batch_norm_with(&mut self, x: Value, p: BatchNormParams) -> Value {
        let c = self.channels(x);
        let base = match &self.info[&x].layer {
            Some((layer, _)) => layer.clone(),
            None => self.fresh_name("bn"),
        };
        let stats = batch_norm_stats(&self.info[&x].stats, &p);
        let epsilon = p.epsilon;
        let operands = vec![
            x,
            self.constant(&format!("{base}_gamma"), &[c], p.gamma),
            self.constant(&format!("{base}_beta"), &[c], p.beta),
            self.constant(&format!("{base}_mean"), &[c], p.mean),
            self.constant(&format!("{base}_var"), &[c], p.var),
        ];
        let op = Operation::new("nn.batch_norm", operands, vec![self.func.value_type(x).clone()])
            .with_attr("epsilon", Attribute::f32(epsilon));
        self.push(op, stats, None)
    }

    pub fn relu(&mut self, x: Value) -> Value {
        self.activation(x, Activation::Relu)
    }

    pub fn relu6(&mut self, x: Value) -> Value {
        self.activation(x, Activation::Relu6)
    }

    pub fn activation(&mut self, x: Value, act: Activation) -> Value {
        let (lo, hi) = act.bounds();
        let stats = self.info[&x].stats.clamp(lo, hi);
        self.unary(act.op_name(), x, stats)
    }

    /// Elementwise sum of two values of the same shape.
    pub fn add(&mut self, lhs: Value, rhs: Value) -> Value {
        assert_eq!(self.shape(lhs), self.shape(rhs), "add: operand shapes differ");
        let stats = self.info[&lhs].stats.add(&self.info[&rhs].stats);
        let op = Operation::new("nn.add", vec![lhs, rhs], vec![self.func.value_type(lhs).clone()]);
        self.push(op, stats, None)
    }

    /// Concatenation along channels.
    pub fn concat(&mut self, inputs: &[Value]) -> Value {
        let mut shape = self.shape(inputs[0]);
        for &v in &inputs[1..] {
            let other = self.shape(v);
            let stacks = other.len() == shape.len() && other[0] == shape[0] && other[2..] == shape[2..];
            assert!(stacks, "concat: {other:?} does not stack on {shape:?}");
            shape[1] += other[1];
        }
        let parts: Vec<&ChannelStats> = inputs.iter().map(|v| &self.info[v].stats).collect();
        let stats = ChannelStats::concat(&parts);
        let op = Operation::new("nn.concat", inputs.to_vec(), vec![f32_tensor(&shape)])
            .with_attr("axis", Attribute::i64(1));
        self.push(op, stats, None)
    }

    pub fn max_pool(&mut self, x: Value, pool: &Pool) -> Value {
        self.pool("nn.max_pool2d", x, pool)
    }

    pub fn avg_pool(&mut self, x: Value, pool: &Pool) -> Value {
        self.pool("nn.avg_pool2d", x, pool)
    }

    /// `(N, C, H, W) → (N, C, 1, 1)`.
    pub fn global_avg_pool(&mut self, x: Value) -> Value {
        let [n, c, _, _] = self.shape4(x);
        let stats = self.info[&x].stats.clone();
        let op = Operation::new("nn.global_avg_pool", vec![x], vec![f32_tensor(&[n, c, 1, 1])]);
        self.push(op, stats, None)
    }

    /// `(N, C, ...) → (N, C·...)`: ONNX Flatten with axis 1.
    pub fn flatten(&mut self, x: Value) -> Value {
        let shape = self.shape(x);
        let per_channel: i64 = shape[2..].iter().product();
        let stats = self.info[&x].stats.repeat_each(per_channel as usize);
        let op = Operation::new("nn.flatten", vec![x], vec![f32_tensor(&[shape[0], shape[1] * per_channel])])
            .with_attr("axis", Attribute::i64(1));
        self.push(op, stats, None)
    }

    /// A fully connected layer with sampled weights.
    pub fn linear(&mut self, x: Value, spec: &Linear) -> Value {
        let (m, k) = (spec.out_features as usize, self.shape(x)[1] as usize);
        let weight = init::linear_weight(&mut self.sampler, m, k);
        let bias = spec.bias.then(|| init::linear_bias(&mut self.sampler, m));
        self.linear_with(x, spec, weight, bias)
    }

    /// A fully connected layer with the given `(M, K)` weights; `spec.bias` is
    /// ignored in favour of `bias`.
    pub fn linear_with(&mut self, x: Value, spec: &Linear, weight: Vec<f32>, bias: Option<Vec<f32>>) -> Value {
        let shape = self.shape(x);
        assert_eq!(shape.len(), 2, "linear: input must be (N, K), got {shape:?}");
        let (n, k, m) = (shape[0], shape[1], spec.out_features);
        let name = self.layer_name(spec.name.as_deref(), "fc");
        let stats = self.info[&x].stats.conv(&weight, m as usize, 1, bias.as_deref());
        let mut operands = vec![x, self.constant(&format!("{name}_w"), &[m, k], weight)];
        if let Some(bias) = bias {
            operands.push(self.constant(&format!("{name}_b"), &[m], bias));
        }
        let op = Operation::new("nn.linear", operands, vec![f32_tensor(&[n, m])]);
        self.push(op, stats, Some((name, LayerKind::Dense)))
    }

    /// Returns `outputs` and wraps the function in a module.
    pub fn finish(mut self, outputs: &[Value]) -> Module {
        self.func.result_types = outputs.iter().map(|&v| self.func.value_type(v).clone()).collect();
        self.func.push_op(Operation::new("func.return", outputs.to_vec(), vec![]));
        Module { functions: vec![self.func], ..Module::default() }
    }

    fn pool(&mut self, op_name: &str, x: Value, pool: &Pool) -> Value {
        let [n, c, h, w] = self.shape4(x);
        let [oh, ow] = window_output_2d([h, w], pool.kernel, pool.strides, pool.pads, [1, 1]);
        assert!(oh >= 1 && ow >= 1, "{op_name}: a {h}×{w} input gives an empty output");
        // Pooling keeps the statistics, as the data-free range estimate assumes.
        let stats = self.info[&x].stats.clone();
        let op = Operation::new(op_name, vec![x], vec![f32_tensor(&[n, c, oh, ow])])
            .with_attr("kernel", Attribute::DenseI64Array(pool.kernel.to_vec()))
            .with_attr("strides", Attribute::DenseI64Array(pool.strides.to_vec()))
            .with_attr("pads", Attribute::DenseI64Array(pool.pads.to_vec()));
        self.push(op, stats, None)
    }

    fn unary(&mut self, op_name: &str, x: Value, stats: ChannelStats) -> Value {
        let op = Operation::new(op_name, vec![x], vec![self.func.value_type(x).clone()]);
        self.push(op, stats, None)
    }

    fn push(&mut self, op: Operation, stats: ChannelStats, layer: Option<(String, LayerKind)>) -> Value {
        let v = Value::Result(self.func.push_op(op), 0);
        self.info.insert(v, ValueInfo { stats, layer });
        v
    }

    fn shape4(&self, v: Value) -> [i64; 4] {
        let shape = self.shape(v);
        shape.as_slice().try_into().unwrap_or_else(|_| panic!("expected an NCHW value, got shape {shape:?}"))
    }

    /// `name` made unique, or a fresh `{prefix}{n}`.
    fn layer_name(&mut self, name: Option<&str>, prefix: &'static str) -> String {
        match name {
            Some(name) => self.claim_name(name),
            None => self.fresh_name(prefix),
        }
    }

    fn fresh_name(&mut self, prefix: &'static str) -> String {
        loop {
            let n = self.next_index.entry(prefix).or_insert(0);
            let candidate = format!("{prefix}{n}");
            *n += 1;
            if !self.taken_names.contains(&candidate) {
                return self.claim_name(&candidate);
            }
        }
    }

    /// Reserves `name`, suffixed `_1`, `_2`, … if taken, so that printed SSA
    /// names and resource keys are exactly the hints (a fixpoint of print∘parse).
    fn claim_name(&mut self, name: &str) -> String {
        let mut candidate = name.to_string();
        let mut n = 1;
        while !self.taken_names.insert(candidate.clone()) {
            candidate = format!("{name}_{n}");
            n += 1;
        }
        candidate
    }
}

fn f32_tensor(shape: &[i64]) -> Type {
    Type::tensor(shape, ElementType::F32)
}

/// `γ (x − μ) / √(σ² + ε) + β`, channel by channel.
fn batch_norm_stats(input: &ChannelStats, p: &BatchNormParams) -> ChannelStats {
    let mut out = input.clone();
    for c in 0..input.channels() {
        let scale = p.gamma[c] as f64 / (p.var[c] as f64 + p.epsilon as f64).sqrt();
        out.mean[c] = scale * (input.mean[c] - p.mean[c] as f64) + p.beta[c] as f64;
        out.var[c] = scale * scale * input.var[c];
    }
    out
}
