//! The `qnn` ops, with the integer semantics of `dialects/qnn.toml` as the
//! interpreter implements them: every constant is computed here, at compile
//! time, with `dfq-quant` (through the interpreter's checked `Requantizer`).

use dfq_dialects::qnn;
use dfq_interp::quant::{OutputRange, Requantizer};
use dfq_ir::OpId;

use super::steps::{BinaryOp, BinaryStep, GlobalOp, GlobalPoolStep, KernelStep, MapOp, MapStep, OutRange, Step, WindowOp, WindowStep};
use super::values::static_shape;
use super::{Elem, Layout, Planner, QInfo};
use crate::kernels::qgemm::QKernel;
use crate::kernels::quantize::{self, QuantizeNhwc};

/// The fixed-point multiplier of a real M, checked as the interpreter checks it.
pub(super) fn multiplier(real: f64) -> Result<(i32, i32), String> {
    Requantizer::new(real).map(|r| (r.multiplier, r.shift))
}

/// The result's storage range intersected with fused activation bounds (given in
/// the storage domain), in the stored u8 domain.
pub(super) fn out_range(q: QInfo, act_min: Option<i64>, act_max: Option<i64>) -> Result<OutRange, String> {
    let b = i64::from(q.bias());
    let lo = act_min.map_or(i64::from(q.lo), |a| (a + b).max(q.lo.into()));
    let hi = act_max.map_or(i64::from(q.hi), |a| (a + b).min(q.hi.into()));
    if lo > hi {
        return Err(format!("the output clamp [{}, {}] is empty", lo - b, hi - b));
    }
    Ok(OutRange { zero: q.zero, lo: lo as i32, hi: hi as i32 })
}

/// A 256-entry table, over stored u8, of q_out = clamp(z_out + Rescale(q − z_in, s_in / s_out)).
pub(super) fn requant_table(from: QInfo, to: QInfo) -> Result<Vec<u8>, String> {
    let r = Requantizer::new(from.scale / to.scale)?;
    let out = OutputRange::new(to.zero.into(), to.lo.into(), to.hi.into())?;
    (0..256i64).map(|v| Ok(out.place(r.apply(v - i64::from(from.zero))?) as u8)).collect()
}

impl Planner<'_> {
    /// Plans op `id` if it is a qnn op.
    pub(super) fn qnn_op(&mut self, id: OpId, name: &str) -> Result<bool, String> {
        match name {
            qnn::Quantize::NAME => self.quantize(id)?,
            qnn::Dequantize::NAME => self.dequantize(id)?,
            qnn::Requantize::NAME => self.requantize(id)?,
            qnn::Clamp::NAME => self.clamp(id)?,
            qnn::ChannelClamp::NAME => self.channel_clamp(id)?,
            qnn::Conv2d::NAME => self.conv2d_q(id)?,
            qnn::Linear::NAME => self.linear_q(id)?,
            qnn::Add::NAME => self.add_q(id)?,
            qnn::MaxPool2d::NAME => {
                let op = qnn::MaxPool2d::cast(self.func, id).expect("qnn.max_pool2d");
                self.max_pool(id, op.kernel(), op.strides(), op.pads())?
            }
            qnn::AvgPool2d::NAME => self.avg_pool_q(id)?,
            qnn::GlobalAvgPool::NAME => self.global_pool_q(id)?,
            qnn::Concat::NAME => self.concat(id, qnn::Concat::cast(self.func, id).expect("qnn.concat").axis())?,
            qnn::Flatten::NAME | qnn::Reshape::NAME => self.reshape(id)?,
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn map(&mut self, id: OpId, elem: Elem, op: impl FnOnce(&mut Self) -> Result<MapOp, String>) -> Result<(), String> {
        let x = self.value(self.func.op(id).operands()[0])?;
        let op = op(self)?;
        let out = self.fresh(x.shape.clone(), x.layout, elem);
        self.push(Step::Map(MapStep { input: x.buf, output: out.buf, len: x.len(), op }));
        self.define(id, out);
        Ok(())
    }

    fn quantize(&mut self, id: OpId) -> Result<(), String> {
        let x = self.func.op(id).operands()[0];
        if self.is_constant(x) {
            return self.fold_quantize(id, x);
        }
        let q = QInfo::of_type(self.result_type(id))?;
        if self.value(self.func.op(id).operands()[0])?.elem != Elem::F32 {
            return Err("must quantize an f32 value".into());
        }
        let xv = self.value(x)?;
        if let (&[n, c, h, w], Layout::RowMajor, Some(QKernel::Avx512Vnni)) = (xv.shape.as_slice(), xv.layout, self.qkernel) {
            if !xv.layouts_agree() {
                // A network's NCHW input feeds NHWC convs: quantize straight into NHWC.
                let layer = QuantizeNhwc { n, c, hw: h * w, scale: q.scale as f32, zero: q.zero, lo: q.lo, hi: q.hi };
                let items = layer.items();
                let out = self.fresh(xv.shape.clone(), Layout::Nhwc, Elem::Q(q));
                let what = format!("quantize to NHWC {n}x{c}x{}", h * w);
                let layer = self.pool.layer(layer);
                self.push(Step::Kernel(KernelStep { input: xv.buf, output: out.buf, items, layer, kernel: quantize::avx512, what }));
                self.define(id, out);
                return Ok(());
            }
        }
        self.map(id, Elem::Q(q), |_| Ok(MapOp::Quantize { scale: q.scale as f32, zero: q.zero, lo: q.lo, hi: q.hi }))
    }

    fn dequantize(&mut self, id: OpId) -> Result<(), String> {
        let v = self.func.op(id).operands()[0];
        if self.is_constant(v) {
            return self.fold_dequantize(id, v);
        }
        let x = self.value(v)?;
        let q = x.q().ok_or("must dequantize a quantized value")?;
        self.map(id, Elem::F32, |_| Ok(MapOp::Dequantize { scale: q.scale as f32, zero: q.zero }))
    }

    fn requantize(&mut self, id: OpId) -> Result<(), String> {
        let from = self.value(self.func.op(id).operands()[0])?.q().ok_or("must requantize a quantized value")?;
        let to = QInfo::of_type(self.result_type(id))?;
        self.map(id, Elem::Q(to), |p| Ok(MapOp::Lut(p.pool.table(&requant_table(from, to)?))))
    }

    fn clamp(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::Clamp::cast(self.func, id).expect("qnn.clamp");
        let q = self.value(op.input())?.q().ok_or("must clamp a quantized value")?;
        let (lo, hi) = (op.min(), op.max());
        // q_out = min(max(q, lo), hi) on stored integers: an identity rescale after the clamp.
        let table: Vec<u8> = (0..256i64).map(|v| ((v - i64::from(q.bias())).max(lo).min(hi) + i64::from(q.bias())).clamp(0, 255) as u8).collect();
        self.map(id, Elem::Q(q), |p| Ok(MapOp::Lut(p.pool.table(&table))))
    }

    fn channel_clamp(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::ChannelClamp::cast(self.func, id).expect("qnn.channel_clamp");
        let x = self.value(op.input())?;
        let q = x.q().ok_or("must clamp a quantized value")?;
        let x = match x.shape.len() {
            4 => self.in_layout(x, Layout::Nhwc),
            2 => x,
            r => return Err(format!("a per-channel clamp on a rank-{r} tensor is not supported by the JIT")),
        };
        let channels = x.shape[1];
        if op.min().len() != channels || op.max().len() != channels {
            return Err(format!("clamp bounds must hold {channels} values"));
        }
        // Bounds in the stored u8 domain.
        let stored = |v: &i64| (v + i64::from(q.bias())).clamp(0, 255) as u8;
        let lo: Vec<u8> = op.min().iter().map(stored).collect();
        let hi: Vec<u8> = op.max().iter().map(stored).collect();
        let tables = [self.pool.table(&lo), self.pool.table(&hi)];
        let y = self.fresh(x.shape.clone(), x.layout, Elem::Q(q));
        self.push(Step::Map(MapStep { input: x.buf, output: y.buf, len: x.len(), op: MapOp::QChannelClamp { channels, tables } }));
        self.define(id, y);
        Ok(())
    }

    fn conv2d_q(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::Conv2d::cast(self.func, id).expect("qnn.conv2d");
        let x = self.value(op.input())?;
        let xq = x.q().ok_or("input must be quantized")?;
        let yq = QInfo::of_type(self.result_type(id))?;
        let w_ty = self.func.value_type(op.weight());
        let wshape = static_shape(w_ty)?;
        let o = wshape[0];
        let (w_scales, w_zeros) = weight_quant(w_ty, o)?;
        let weights = int8_weights(self, op.weight())?;
        let bias = int32_bias(self, op.bias(), o)?;
        let requant = (0..o)
            .map(|c| multiplier(xq.scale * w_scales[c] / yq.scale).map_err(|e| format!("output channel {c}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let layer = super::conv::QConv {
            weights,
            weight_zeros: w_zeros,
            bias,
            input_zero: xq.zero,
            requant,
            out: out_range(yq, op.act_min(), op.act_max())?,
        };
        let shape = static_shape(self.result_type(id))?;
        let y = self.conv(x, &wshape, shape, (op.strides(), op.pads(), op.dilations(), op.groups()), Elem::Q(yq), super::conv::ConvWeights::Q(layer))?;
        self.define(id, y);
        Ok(())
    }

    fn linear_q(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::Linear::cast(self.func, id).expect("qnn.linear");
        let x = self.value(op.input())?;
        let xq = x.q().ok_or("input must be quantized")?;
        let yq = QInfo::of_type(self.result_type(id))?;
        let w_ty = self.func.value_type(op.weight());
        let m = static_shape(w_ty)?[0];
        let (w_scales, w_zeros) = weight_quant(w_ty, m)?;
        let requant = (0..m)
            .map(|c| multiplier(xq.scale * w_scales[c] / yq.scale).map_err(|e| format!("output channel {c}: {e}")))
            .collect::<Result<Vec<_>, _>>()?;
        let layer = super::conv::QConv {
            weights: int8_weights(self, op.weight())?,
            weight_zeros: w_zeros,
            bias: int32_bias(self, op.bias(), m)?,
            input_zero: xq.zero,
            requant,
            out: out_range(yq, op.act_min(), op.act_max())?,
        };
        let y = self.linear(x, m, Elem::Q(yq), super::conv::ConvWeights::Q(layer))?;
        self.define(id, y);
        Ok(())
    }

    /// qnn.add through a table of all 65536 (lhs, rhs) pairs, each computed with
    /// the interpreter's arithmetic (TFLite's add: 20 extra bits, three rescales).
    fn add_q(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::Add::cast(self.func, id).expect("qnn.add");
        let (l, r) = (self.value(op.lhs())?, self.value(op.rhs())?);
        let (lq, rq) = (l.q().ok_or("lhs must be quantized")?, r.q().ok_or("rhs must be quantized")?);
        if l.shape != r.shape {
            return Err(format!("broadcasts {:?} with {:?}; the JIT adds equal shapes only", l.shape, r.shape));
        }
        let yq = QInfo::of_type(self.result_type(id))?;
        let s = 2.0 * lq.scale.max(rq.scale);
        let sides = [Requantizer::new(lq.scale / s)?, Requantizer::new(rq.scale / s)?];
        let sum = Requantizer::new(s / ((1u64 << 20) as f64 * yq.scale))?;
        let o = out_range(yq, op.act_min(), op.act_max())?;
        let out = OutputRange::new(o.zero.into(), o.lo.into(), o.hi.into())?;
        let mut table = vec![0u8; 65536];
        for a in 0..256i64 {
            let da = sides[0].apply((a - i64::from(lq.zero)) << 20)?;
            for b in 0..256i64 {
                let db = sides[1].apply((b - i64::from(rq.zero)) << 20)?;
                table[(a * 256 + b) as usize] = out.place(sum.apply(da + db)?) as u8;
            }
        }
        let r = self.in_layout(r, l.layout);
        let y = self.fresh(l.shape.clone(), l.layout, Elem::Q(yq));
        let lut = self.pool.table(&table);
        self.push(Step::Binary(BinaryStep { lhs: l.buf, rhs: r.buf, output: y.buf, len: l.len(), op: BinaryOp::QAddLut(lut) }));
        self.define(id, y);
        Ok(())
    }

    fn avg_pool_q(&mut self, id: OpId) -> Result<(), String> {
        let op = qnn::AvgPool2d::cast(self.func, id).expect("qnn.avg_pool2d");
        let x = self.value(op.input())?;
        let xq = x.q().ok_or("input must be quantized")?;
        let yq = QInfo::of_type(self.result_type(id))?;
        let wop = WindowOp::QAvg {
            zero: xq.zero,
            count_include_pad: op.count_include_pad(),
            scales: (xq.scale, yq.scale),
            out: out_range(yq, None, None)?,
        };
        self.pool_window(id, x, (op.kernel(), op.strides(), op.pads()), Elem::Q(yq), wop)
    }

    fn global_pool_q(&mut self, id: OpId) -> Result<(), String> {
        let x = self.value(self.func.op(id).operands()[0])?;
        let xq = x.q().ok_or("input must be quantized")?;
        let yq = QInfo::of_type(self.result_type(id))?;
        let hw: usize = x.shape[2..].iter().product();
        if x.shape.len() != 4 || hw == 0 {
            return Err(format!("needs a non-empty 4-D input, got {:?}", x.shape));
        }
        let op = GlobalOp::Q { zero: xq.zero, requant: multiplier(xq.scale / (yq.scale * hw as f64))?, out: out_range(yq, None, None)? };
        self.global_pool(id, x, Elem::Q(yq), op)
    }

    pub(super) fn global_pool(&mut self, id: OpId, x: super::TVal, elem: Elem, op: GlobalOp) -> Result<(), String> {
        let x = self.in_layout(x, Layout::Nhwc);
        let x = self.in_arena(x);
        let shape = static_shape(self.result_type(id))?;
        let y = self.fresh(shape, Layout::Nhwc, elem);
        let (n, c, hw) = (x.shape[0], x.shape[1], x.shape[2] * x.shape[3]);
        self.push(Step::GlobalPool(GlobalPoolStep { input: x.buf, output: y.buf, n, c, hw, op }));
        self.define(id, y);
        Ok(())
    }

    /// Max or average pooling on NHWC data.
    pub(super) fn pool_window(
        &mut self,
        id: OpId,
        x: super::TVal,
        (kernel, strides, pads): (&[i64], &[i64], &[i64]),
        elem: Elem,
        op: WindowOp,
    ) -> Result<(), String> {
        let shape = static_shape(self.result_type(id))?;
        let geom = super::conv::geom(&x.shape, [kernel[0] as usize, kernel[1] as usize], &shape, strides, pads, &[1, 1])?;
        if geom.h == 0 || geom.w == 0 {
            return Err(format!("cannot pool over the empty spatial axes of {:?}", x.shape));
        }
        let x = self.in_layout(x, Layout::Nhwc);
        let x = self.in_arena(x);
        let y = self.fresh(shape, Layout::Nhwc, elem);
        self.push(Step::Window(WindowStep { input: x.buf, output: y.buf, geom, op }));
        self.define(id, y);
        Ok(())
    }

    pub(super) fn max_pool(&mut self, id: OpId, kernel: &[i64], strides: &[i64], pads: &[i64]) -> Result<(), String> {
        let x = self.value(self.func.op(id).operands()[0])?;
        let num = match x.elem {
            Elem::F32 => super::steps::Num::F32,
            Elem::Q(_) => super::steps::Num::U8,
        };
        let elem = x.elem;
        self.pool_window(id, x, (kernel, strides, pads), elem, WindowOp::Max(num))
    }
}

/// Scales and zero points of a weight's `channels` output channels (axis 0).
fn weight_quant(ty: &dfq_ir::Type, channels: usize) -> Result<(Vec<f64>, Vec<i32>), String> {
    let q = ty.element().as_quant().ok_or_else(|| format!("weight must be quantized, got '{ty}'"))?;
    if q.storage_width != 8 || !q.storage_signed {
        return Err(format!("weight '{ty}' must have i8 storage"));
    }
    let (scales, zeros) = match &q.params {
        dfq_ir::QuantParams::PerTensor { scale, zero_point } => (vec![*scale; channels], vec![*zero_point; channels]),
        dfq_ir::QuantParams::PerAxis { axis: 0, scales, zero_points } if scales.len() == channels => (scales.clone(), zero_points.clone()),
        _ => return Err(format!("weight '{ty}' must be quantized per tensor or along axis 0 with {channels} scales")),
    };
    if let Some(s) = scales.iter().find(|s| !(**s > 0.0 && s.is_finite())) {
        return Err(format!("weight '{ty}' has the invalid scale {s}"));
    }
    let zeros = zeros.into_iter().map(|z| i32::try_from(z).ok().filter(|z| (-128..=127).contains(z))).collect::<Option<Vec<i32>>>();
    Ok((scales, zeros.ok_or_else(|| format!("weight '{ty}' has a zero point outside i8"))?))
}

fn int8_weights(p: &Planner, v: dfq_ir::Value) -> Result<Vec<i8>, String> {
    let w = p.ints(v).map_err(|e| format!("weight {e}"))?;
    w.into_iter().map(|x| i8::try_from(x).map_err(|_| format!("weight value {x} does not fit i8"))).collect()
}

fn int32_bias(p: &Planner, v: Option<dfq_ir::Value>, channels: usize) -> Result<Vec<i32>, String> {
    let Some(v) = v else { return Ok(vec![0; channels]) };
    let b = p.ints(v).map_err(|e| format!("bias {e}"))?;
    if b.len() != channels {
        return Err(format!("bias has {} values for {channels} channels", b.len()));
    }
    b.into_iter().map(|x| i32::try_from(x).map_err(|_| format!("bias value {x} does not fit i32"))).collect()
}
