//! What the DFQ passes operate on: layers (`nn.conv2d`, `nn.linear`) whose weights
//! and biases are f32 constants, and the per-channel statistics of their outputs.

use dfq_dialects::{nn, qnn};
use dfq_ir::{Attribute, DenseElements, Function, OpId, Operation, Type, Value};

/// Attribute names of the pre-activation statistics fold-bn records on a layer:
/// per output channel, the mean (BN's β) and standard deviation (BN's |γ|) of the
/// layer's output, as batch norm had normalized it during training.
pub const STATS_MEAN: &str = "dfq.preact_mean";
pub const STATS_STD: &str = "dfq.preact_std";

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayerKind {
    Conv { groups: i64, depthwise: bool },
    Linear,
}

/// A conv2d or linear with constant f32 weights (OIHW or (M, K)).
#[derive(Clone, Debug)]
pub struct Layer {
    pub op: OpId,
    pub kind: LayerKind,
    /// Weight tensor shape and row-major values.
    pub weight_shape: Vec<i64>,
    pub weight: Vec<f32>,
    /// The bias, or zeros when the layer has none.
    pub bias: Vec<f32>,
    pub has_bias: bool,
}

impl Layer {
    /// Reads `op` as a layer, if it is a conv2d/linear with constant weights.
    pub fn read(f: &Function, op: OpId) -> Option<Layer> {
        let (kind, weight_v, bias_v) = if let Some(c) = nn::Conv2d::cast(f, op) {
            let groups = c.groups();
            let in_channels = f.value_type(c.input()).as_tensor()?.shape.get(1).copied().flatten()?;
            let depthwise = groups > 1 && groups == in_channels && weight_dims(f, c.weight())?[0] == groups;
            (LayerKind::Conv { groups, depthwise }, c.weight(), c.bias())
        } else if let Some(l) = nn::Linear::cast(f, op) {
            (LayerKind::Linear, l.weight(), l.bias())
        } else {
            return None;
        };
        let weight = constant_f32(f, weight_v)?;
        let weight_shape = weight_dims(f, weight_v)?;
        let out = weight_shape[0] as usize;
        let (bias, has_bias) = match bias_v {
            Some(b) => (constant_f32(f, b)?, true),
            None => (vec![0.0; out], false),
        };
        Some(Layer { op, kind, weight_shape, weight, bias, has_bias })
    }

    pub fn out_channels(&self) -> usize {
        self.weight_shape[0] as usize
    }

    /// Elements of one output channel's weights (I·KH·KW, or K).
    pub fn row_len(&self) -> usize {
        self.weight.len() / self.out_channels()
    }

    /// Weights of output channel `o`.
    pub fn row(&self, o: usize) -> &[f32] {
        let n = self.row_len();
        &self.weight[o * n..(o + 1) * n]
    }

    pub fn row_mut(&mut self, o: usize) -> &mut [f32] {
        let n = self.row_len();
        &mut self.weight[o * n..(o + 1) * n]
    }

    /// Spatial taps per (output, input) channel pair: KH·KW, or 1 for linear.
    pub fn taps(&self) -> usize {
        match self.kind {
            LayerKind::Conv { .. } => (self.weight_shape[2] * self.weight_shape[3]) as usize,
            LayerKind::Linear => 1,
        }
    }

    pub fn is_depthwise(&self) -> bool {
        matches!(self.kind, LayerKind::Conv { depthwise: true, .. })
    }

    pub fn groups(&self) -> i64 {
        match self.kind {
            LayerKind::Conv { groups, .. } => groups,
            LayerKind::Linear => 1,
        }
    }

    /// Features the layer reads along axis 1 of its input: C (= I·groups) for a
    /// conv, K for a linear.
    pub fn in_features(&self) -> usize {
        self.weight_shape[1] as usize * self.groups() as usize
    }

    /// The input feature read by the `j`-th run of [`Layer::taps`] weights in row
    /// `o` (weight index `(o·I + j)·taps`): a grouped conv's row reads only its
    /// group's channels, so for a depthwise conv this is `o` itself.
    pub fn input_feature(&self, o: usize, j: usize) -> usize {
        let in_per_group = self.weight_shape[1] as usize;
        let out_per_group = self.out_channels() / self.groups() as usize;
        (o / out_per_group) * in_per_group + j
    }

    /// The range max |w| of each output channel's weights (a row).
    pub fn output_ranges(&self) -> Vec<f32> {
        (0..self.out_channels()).map(|o| max_abs(self.row(o))).collect()
    }

    /// The range max |w| of the weights reading each input feature (a column:
    /// over all output channels that read it and all spatial taps).
    pub fn input_ranges(&self) -> Vec<f32> {
        let mut ranges = vec![0.0f32; self.in_features()];
        let taps = self.taps();
        for o in 0..self.out_channels() {
            for (j, run) in self.row(o).chunks_exact(taps).enumerate() {
                let r = &mut ranges[self.input_feature(o, j)];
                *r = r.max(max_abs(run));
            }
        }
        ranges
    }

    /// Writes the weights back as a new constant, leaving the bias operand as it
    /// is: for passes that change only the weights (a layer without a bias keeps
    /// having none).
    pub fn write_weight(&self, f: &mut Function) {
        let old = f.op(self.op).operands()[1];
        let name = f.op(old.producer().expect("layer weights are constants")).result_names[0].clone();
        let w = DenseElements::from_f32(&self.weight_shape, self.weight.clone());
        let w = insert_constant(f, self.op, w, name.unwrap_or_else(|| "w".into()));
        f.set_operand(self.op, 1, w);
    }

    /// Writes weights and bias back as new constants (the old ones may be shared
    /// with other ops, so they are never edited in place). A layer that had no bias
    /// gets one.
    pub fn write(&self, f: &mut Function) {
        // New constants take the names of those they replace, which are then dead.
        let name_of = |f: &Function, index: usize| {
            let v = *f.op(self.op).operands().get(index)?;
            f.op(v.producer()?).result_names.first()?.clone()
        };
        let w_name = name_of(f, 1).unwrap_or_else(|| "w".into());
        let b_name = name_of(f, 2)
            .unwrap_or_else(|| format!("{}_b", w_name.strip_suffix("_w").unwrap_or(&w_name)));
        let w = DenseElements::from_f32(&self.weight_shape, self.weight.clone());
        let w = insert_constant(f, self.op, w, w_name);
        f.set_operand(self.op, 1, w);
        let b = DenseElements::from_f32(&[self.out_channels() as i64], self.bias.clone());
        let b = insert_constant(f, self.op, b, b_name);
        if f.op(self.op).operands().len() > 2 {
            f.set_operand(self.op, 2, b);
        } else {
            let mut operands = f.op(self.op).operands().to_vec();
            operands.push(b);
            f.set_operands(self.op, operands);
        }
    }
}

/// max |x| over `values`, 0 for none.
pub fn max_abs(values: &[f32]) -> f32 {
    values.iter().fold(0.0f32, |m, x| m.max(x.abs()))
}

fn weight_dims(f: &Function, v: Value) -> Option<Vec<i64>> {
    f.value_type(v).as_tensor()?.static_shape()
}

/// The values of `v` if it is produced by an f32 `arith.constant`.
pub fn constant_f32(f: &Function, v: Value) -> Option<Vec<f32>> {
    let op = f.op(v.producer()?);
    if op.name != "arith.constant" {
        return None;
    }
    let d = op.attr("value")?.as_dense()?;
    (d.ty().element == dfq_ir::ElementType::F32).then(|| d.to_f32_vec())
}

/// Inserts an `arith.constant` right before `anchor` and returns its value.
pub fn insert_constant(f: &mut Function, anchor: OpId, value: DenseElements, name: String) -> Value {
    let ty = Type::Tensor(value.ty().clone());
    let op = Operation::new("arith.constant", vec![], vec![ty])
        .with_attr("value", Attribute::Dense(value))
        .with_result_name(0, name)
        .with_loc(f.op(anchor).loc.clone());
    Value::Result(f.insert_op_before(anchor, op), 0)
}

/// Per-channel pre-activation statistics of a layer's output.
#[derive(Clone, Debug, PartialEq)]
pub struct ChannelStats {
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl ChannelStats {
    pub fn read(f: &Function, op: OpId) -> Option<ChannelStats> {
        let get = |name| f.op(op).attr(name).and_then(Attribute::as_dense).map(DenseElements::to_f32_vec);
        Some(ChannelStats { mean: get(STATS_MEAN)?, std: get(STATS_STD)? })
    }

    pub fn write(&self, f: &mut Function, op: OpId) {
        let n = self.mean.len() as i64;
        let attrs = &mut f.op_mut(op).attributes;
        attrs.insert(STATS_MEAN.into(), Attribute::Dense(DenseElements::from_f32(&[n], self.mean.clone())));
        attrs.insert(STATS_STD.into(), Attribute::Dense(DenseElements::from_f32(&[n], self.std.clone())));
    }
}

/// The only user of `v`, if it has exactly one.
pub fn single_user(f: &Function, v: Value) -> Option<OpId> {
    match f.users(v).as_slice() {
        [(op, _)] => Some(*op),
        _ => None,
    }
}

/// A layer of the QDQ form: float weights behind a quantize/dequantize pair.
pub struct QuantizedLayer {
    pub layer: Layer,
    /// The weights as the quantized graph sees them, DQ(Q(W)).
    pub fake_quant: Vec<f32>,
    /// The `qnn.quantize` that quantizes the bias, if the layer has one.
    pub bias_quantize: Option<OpId>,
}

impl QuantizedLayer {
    /// Reads a layer whose weight operand is `dequantize(quantize(constant))`.
    pub fn read(f: &Function, op: OpId) -> Option<QuantizedLayer> {
        let weight_operand = *f.op(op).operands().get(1)?;
        let (float_w, wq) = behind_qdq(f, weight_operand)?;
        let q_ty = f.value_type(Value::Result(wq, 0)).element().as_quant()?.clone();
        let w = constant_f32(f, float_w)?;
        let shape = f.value_type(float_w).as_tensor()?.static_shape()?;
        let bias_quantize = f.op(op).operands().get(2).and_then(|&b| behind_qdq(f, b)).map(|(_, q)| q);
        let bias = match bias_quantize {
            Some(q) => constant_f32(f, f.op(q).operands()[0])?,
            None => vec![0.0; shape[0] as usize],
        };
        let kind = if nn::Linear::cast(f, op).is_some() {
            LayerKind::Linear
        } else {
            let conv = nn::Conv2d::cast(f, op)?;
            LayerKind::Conv { groups: conv.groups(), depthwise: conv.groups() > 1 && shape[1] == 1 }
        };
        let (lo, hi) = q_ty.storage_min_max();
        let per_channel = shape[0] as usize;
        let row = w.len() / per_channel;
        let fake_quant = w
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                let (s, z) = dfq_quant::channel_params(&q_ty, if dfq_quant::quant_axis(&q_ty) == Some(0) { i / row } else { 0 });
                dfq_quant::dequantize(dfq_quant::quantize(x, s, z, lo, hi), s, z)
            })
            .collect();
        let layer = Layer { op, kind, weight_shape: shape, weight: w, bias, has_bias: bias_quantize.is_some() };
        Some(QuantizedLayer { layer, fake_quant, bias_quantize })
    }
}

/// For `dequantize(quantize(x))`, the value x and the quantize op.
pub fn behind_qdq(f: &Function, v: Value) -> Option<(Value, OpId)> {
    let dq = qnn::Dequantize::cast(f, v.producer()?)?;
    let q = qnn::Quantize::cast(f, dq.input().producer()?)?;
    Some((q.input(), q.id()))
}

