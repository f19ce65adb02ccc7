//! One dfq op at a time into TOSA ops.

use dfq_dialects::{nn, qnn};
use dfq_ir::{DenseElements, OpId, QuantParams, QuantType, Value};
use dfq_quant::{dequantize, quantize, quantize_multiplier};

use super::emit::{Elem, TType, TValue};
use super::{static_shape, Exporter, FloatOp, Int8Quant, Val};

/// qnn.add's pre-shift (TFLite's `left_shift`), as in `dialects/qnn.toml`.
const ADD_LEFT_SHIFT: i32 = 20;

impl Exporter<'_> {
    pub(super) fn op(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let name = f.op(id).name.as_str();
        match name {
            qnn::Quantize::NAME => self.quantize(id),
            qnn::Dequantize::NAME => {
                let (src, q) = self.int8(*f.op(id).operands().first().ok_or("has no operand")?)?;
                Ok(Val::Float { src, q, chain: Vec::new() })
            }
            nn::Relu::NAME | nn::Relu6::NAME | nn::Clip::NAME | nn::Sigmoid::NAME => self.float_op(id),
            qnn::Conv2d::NAME => self.conv2d(id),
            qnn::Linear::NAME => self.linear(id),
            qnn::Add::NAME => self.add(id),
            qnn::Clamp::NAME => {
                let op = qnn::Clamp::cast(f, id).ok_or("malformed op")?;
                let (x, q) = self.int8(op.input())?;
                let shift = if q.shifted_from_u8 { 128 } else { 0 };
                let y = self.clamp(&x, (op.min() - shift).max(q.range.0), (op.max() - shift).min(q.range.1));
                Ok(Val::Int8 { v: y, q })
            }
            qnn::ChannelClamp::NAME => {
                let op = qnn::ChannelClamp::cast(f, id).ok_or("malformed op")?;
                let (x, q) = self.int8(op.input())?;
                let shift = if q.shifted_from_u8 { 128 } else { 0 };
                let clamps: Vec<(i64, i64)> = op
                    .min()
                    .iter()
                    .zip(op.max().iter())
                    .map(|(&lo, &hi)| ((lo - shift).max(q.range.0), (hi - shift).min(q.range.1)))
                    .collect();
                Ok(Val::Int8 { v: self.channel_clamp(&x, &clamps)?, q })
            }
            qnn::Requantize::NAME => {
                let op = qnn::Requantize::cast(f, id).ok_or("malformed op")?;
                let (x, qi) = self.int8(op.input())?;
                let qo = Int8Quant::from_type(f.value_type(op.output()))?;
                let y = self.requantize(&x, &qi, &qo)?;
                Ok(Val::Int8 { v: y, q: qo })
            }
            qnn::MaxPool2d::NAME => {
                let op = qnn::MaxPool2d::cast(f, id).ok_or("malformed op")?;
                let (x, q) = self.int8(op.input())?;
                let out = self.out_type(id, Elem::I8)?;
                let (x, pad) = self.window_input(&x, op.kernel(), op.strides(), &[1, 1], op.pads())?;
                let y = self.em.op(
                    format!(
                        "tosa.max_pool2d {} {{kernel = {}, pad = {}, stride = {}}} : ({}) -> {out}",
                        x.name,
                        i64s(op.kernel()),
                        i64s(&pad),
                        i64s(op.strides()),
                        x.ty
                    ),
                    out,
                );
                Ok(Val::Int8 { v: y, q })
            }
            qnn::AvgPool2d::NAME => self.avg_pool2d(id),
            qnn::GlobalAvgPool::NAME => self.global_avg_pool(id),
            qnn::Concat::NAME => self.concat(id),
            qnn::Flatten::NAME | qnn::Reshape::NAME => {
                let input = *f.op(id).operands().first().ok_or("has no operand")?;
                let (x, q) = self.int8(input)?;
                let from = static_shape(f.value_type(input))?;
                let to = static_shape(f.op(id).results.first().ok_or("has no result")?)?;
                let y = self.reshape(&x, &from, &to)?;
                Ok(Val::Int8 { v: y, q })
            }
            _ => Err("has no int8 TOSA form (dfq exports the integer ops of --lower-int8)".into()),
        }
    }

    /// The quantize of a float argument (the input boundary), or the end of a
    /// float chain.
    fn quantize(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let input = *f.op(id).operands().first().ok_or("has no operand")?;
        let ty = f.op(id).results.first().ok_or("has no result")?;
        match self.vals.get(&input).cloned() {
            Some(Val::FloatArg(i)) => self.int8_arg(i, ty, true),
            Some(Val::Float { src, q, chain }) => {
                let qo = Int8Quant::from_type(ty)?;
                let channels = channel_count(&chain);
                let maps = (0..channels).map(|c| value_map(&q, &qo, &chain, c)).collect::<Result<Vec<_>, _>>()?;
                let y = self.lookup(&src, &maps)?;
                Ok(Val::Int8 { v: y, q: qo })
            }
            _ => Err("quantizes a value that is neither an argument nor a dequantized int8 tensor".into()),
        }
    }

    /// An activation in a dequantize → quantize chain.
    fn float_op(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = f.op(id);
        let Some(Val::Float { src, q, mut chain }) = op.operands().first().and_then(|v| self.vals.get(v)).cloned() else {
            return Err("a float op on a value that is not a dequantized int8 tensor has no int8 TOSA form".into());
        };
        let next = match op.name.as_str() {
            nn::Relu::NAME => FloatOp::Clip { lo: vec![0.0], hi: vec![f32::INFINITY] },
            nn::Relu6::NAME => FloatOp::Clip { lo: vec![0.0], hi: vec![6.0] },
            nn::Sigmoid::NAME => FloatOp::Sigmoid,
            _ => {
                let bound = |i: usize| -> Result<Vec<f32>, String> {
                    let v = *op.operands().get(i).ok_or("clip needs min and max")?;
                    let d = dfq_dialects::constant_elements(f, v).ok_or("clip bounds must be constants")?;
                    Ok(d.to_f32_vec())
                };
                let channels = static_shape(f.value_type(op.operands()[0]))?.get(1).copied().unwrap_or(1);
                let (lo, hi) = (bound(1)?, bound(2)?);
                if [&lo, &hi].iter().any(|b| b.len() != 1 && b.len() as i64 != channels) {
                    return Err("clip bounds must be scalars or one per channel (axis 1)".into());
                }
                FloatOp::Clip { lo, hi }
            }
        };
        chain.push(next);
        Ok(Val::Float { src, q, chain })
    }

    fn conv2d(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::Conv2d::cast(f, id).ok_or("malformed op")?;
        let (x, qi) = self.int8(op.input())?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        let (w, wq) = weight(f, op.weight())?;
        let ws = static_shape(f.value_type(op.weight()))?;
        let (&[o, ipg, kh, kw], &[_, _, _, c]) = (&ws[..], &x.ty.shape[..]) else {
            return Err("expected a 4-D input and weight".into());
        };
        let w_zp = uniform_zero_point(wq)?;
        let bias = self.bias(op.bias(), o)?;
        let out = self.out_type(id, Elem::I32)?;
        let (x, pad) = self.window_input(&x, &[kh, kw], op.strides(), op.dilations(), op.pads())?;
        let zp_in = self.em.zero_point(Elem::I8, qi.zero_point);
        let zp_w = self.em.zero_point(Elem::I8, w_zp);
        let attrs = format!(
            "{{acc_type = i32, dilation = {}, pad = {}, stride = {}}}",
            i64s(op.dilations()),
            i64s(&pad),
            i64s(op.strides())
        );
        let idx = |a: i64, b: i64, h: i64, w_: i64| (((a * ipg + b) * kh + h) * kw + w_) as usize;
        let (kind, wt) = if op.groups() == 1 {
            // OIHW → OHWI.
            let mut v = Vec::with_capacity(w.len());
            for oo in 0..o {
                for h in 0..kh {
                    for ww in 0..kw {
                        for i in 0..ipg {
                            v.push(w[idx(oo, i, h, ww)]);
                        }
                    }
                }
            }
            ("tosa.conv2d", self.em.constant(TType::new(&[o, kh, kw, ipg], Elem::I8), v))
        } else if op.groups() == c && ipg == 1 && o % c == 0 {
            // Depthwise: output channel c·M + m reads input channel c; OIHW → HWCM.
            let m = o / c;
            let mut v = Vec::with_capacity(w.len());
            for h in 0..kh {
                for ww in 0..kw {
                    for cc in 0..c {
                        for mm in 0..m {
                            v.push(w[idx(cc * m + mm, 0, h, ww)]);
                        }
                    }
                }
            }
            ("tosa.depthwise_conv2d", self.em.constant(TType::new(&[kh, kw, c, m], Elem::I8), v))
        } else {
            return Err(format!("grouped convolution ({} groups, not 1 or depthwise) has no TOSA form", op.groups()));
        };
        let acc = self.em.op(
            format!(
                "{kind} {}, {}, {}, {}, {} {attrs} : ({}, {}, {}, {}, {}) -> {out}",
                x.name, wt.name, bias.name, zp_in.name, zp_w.name, x.ty, wt.ty, bias.ty, zp_in.ty, zp_w.ty
            ),
            out,
        );
        let mults = (0..o)
            .map(|oc| multiplier(qi.scale * channel_scale(wq, oc as usize) / qo.scale, 0))
            .collect::<Result<Vec<_>, _>>()?;
        let y = self.rescale(&acc, 0, Elem::I8, qo.zero_point, &mults)?;
        let y = self.clamp(&y, act_bound(op.act_min(), &qo, qo.range.0, i64::max), act_bound(op.act_max(), &qo, qo.range.1, i64::min));
        Ok(Val::Int8 { v: y, q: qo })
    }

    fn linear(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::Linear::cast(f, id).ok_or("malformed op")?;
        let (x, qi) = self.int8(op.input())?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        let (w, wq) = weight(f, op.weight())?;
        let ws = static_shape(f.value_type(op.weight()))?;
        let (&[m, k], &[n, _]) = (&ws[..], &x.ty.shape[..]) else {
            return Err("expected a 2-D input and weight".into());
        };
        let w_zp = uniform_zero_point(wq)?;
        // (N, K) · (K, M) as TOSA's batched matmul.
        let x3 = self.reshape_raw(&x, &[1, n, k]);
        let mut wt = Vec::with_capacity(w.len());
        for kk in 0..k {
            for mm in 0..m {
                wt.push(w[(mm * k + kk) as usize]);
            }
        }
        let wt = self.em.constant(TType::new(&[1, k, m], Elem::I8), wt);
        let zp_in = self.em.zero_point(Elem::I8, qi.zero_point);
        let zp_w = self.em.zero_point(Elem::I8, w_zp);
        let acc_ty = TType::new(&[1, n, m], Elem::I32);
        let mut acc = self.em.op(
            format!(
                "tosa.matmul {}, {}, {}, {} : ({}, {}, {}, {}) -> {acc_ty}",
                x3.name, wt.name, zp_in.name, zp_w.name, x3.ty, wt.ty, zp_in.ty, zp_w.ty
            ),
            acc_ty.clone(),
        );
        if let Some(b) = op.bias() {
            let values = dfq_dialects::constant_elements(f, b).ok_or("the bias must be a constant")?.to_i64_vec();
            let b = self.em.constant(TType::new(&[1, 1, m], Elem::I32), values);
            acc = self.em.op(format!("tosa.add {}, {} : ({}, {}) -> {acc_ty}", acc.name, b.name, acc.ty, b.ty), acc_ty);
        }
        let acc = self.reshape_raw(&acc, &[n, m]);
        let mults = (0..m)
            .map(|o| multiplier(qi.scale * channel_scale(wq, o as usize) / qo.scale, 0))
            .collect::<Result<Vec<_>, _>>()?;
        let y = self.rescale(&acc, 0, Elem::I8, qo.zero_point, &mults)?;
        let y = self.clamp(&y, act_bound(op.act_min(), &qo, qo.range.0, i64::max), act_bound(op.act_max(), &qo, qo.range.1, i64::min));
        Ok(Val::Int8 { v: y, q: qo })
    }

    /// TFLite's add: each side to i32 at scale s / 2^20 (s = 2·max(s_l, s_r)), the
    /// sum to the output.
    fn add(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::Add::cast(f, id).ok_or("malformed op")?;
        let (l, ql) = self.int8(op.lhs())?;
        let (r, qr) = self.int8(op.rhs())?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        if l.ty.shape.len() != r.ty.shape.len() {
            return Err("operands of different ranks have no TOSA broadcast".into());
        }
        let s = 2.0 * ql.scale.max(qr.scale);
        let a = self.rescale(&l, ql.zero_point, Elem::I32, 0, &[multiplier(ql.scale / s, ADD_LEFT_SHIFT)?])?;
        let b = self.rescale(&r, qr.zero_point, Elem::I32, 0, &[multiplier(qr.scale / s, ADD_LEFT_SHIFT)?])?;
        let out = self.out_type(id, Elem::I32)?;
        let sum = self.em.op(format!("tosa.add {}, {} : ({}, {}) -> {out}", a.name, b.name, a.ty, b.ty), out);
        let m = multiplier(s / ((1u64 << ADD_LEFT_SHIFT) as f64 * qo.scale), 0)?;
        let y = self.rescale(&sum, 0, Elem::I8, qo.zero_point, &[m])?;
        let y = self.clamp(&y, act_bound(op.act_min(), &qo, qo.range.0, i64::max), act_bound(op.act_max(), &qo, qo.range.1, i64::min));
        Ok(Val::Int8 { v: y, q: qo })
    }

    /// Window sums by a depthwise convolution with ones, then s_in / (s_out·count).
    /// Where padding is not counted, the count varies at the borders: one rescale
    /// per distinct count, and `tosa.select` by a constant map of counts.
    fn avg_pool2d(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::AvgPool2d::cast(f, id).ok_or("malformed op")?;
        let (x, qi) = self.int8(op.input())?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        let (&[kh, kw], &[_, ih, iw, c]) = (op.kernel(), &x.ty.shape[..]) else {
            return Err("expected a 4-D input and a 2-D kernel".into());
        };
        let ones = self.em.constant(TType::new(&[kh, kw, c, 1], Elem::I8), vec![1; (kh * kw * c) as usize]);
        let zeros = self.em.constant(TType::new(&[c], Elem::I32), vec![0; c as usize]);
        let zp_in = self.em.zero_point(Elem::I8, qi.zero_point);
        let zp_w = self.em.zero_point(Elem::I8, 0);
        let (x, pad) = self.window_input(&x, op.kernel(), op.strides(), &[1, 1], op.pads())?;
        let out = self.out_type(id, Elem::I32)?;
        let sums = self.em.op(
            format!(
                "tosa.depthwise_conv2d {}, {}, {}, {}, {} {{acc_type = i32, dilation = array<i64: 1, 1>, pad = {}, stride = {}}} : ({}, {}, {}, {}, {}) -> {out}",
                x.name, ones.name, zeros.name, zp_in.name, zp_w.name, i64s(&pad), i64s(op.strides()),
                x.ty, ones.ty, zeros.ty, zp_in.ty, zp_w.ty
            ),
            out.clone(),
        );
        // The divisor of each output position, as dfq's window covers the input.
        let [_, oh, ow, _] = out.shape[..] else { return Err("expected a 4-D output".into()) };
        let (&[sh, sw], &[pt, pl, ..]) = (op.strides(), op.pads()) else {
            return Err("expected 2 strides and 4 pads".into());
        };
        let covered = |o: i64, stride: i64, pad: i64, k: i64, size: i64| (o * stride - pad + k).min(size) - (o * stride - pad).max(0);
        let counts: Vec<i64> = (0..oh)
            .flat_map(|y| (0..ow).map(move |x_| (y, x_)))
            .map(|(y, x_)| {
                if op.count_include_pad() {
                    kh * kw
                } else {
                    covered(y, sh, pt, kh, ih) * covered(x_, sw, pl, kw, iw)
                }
            })
            .collect();
        let mut distinct = counts.clone();
        distinct.sort_unstable();
        distinct.dedup();
        let mut result: Option<TValue> = None;
        for &count in distinct.iter().rev() {
            let m = multiplier(qi.scale / (qo.scale * count as f64), 0)?;
            let y = self.rescale(&sums, 0, Elem::I8, qo.zero_point, &[m])?;
            result = Some(match result {
                None => y,
                Some(other) => {
                    let map = self.em.constant(TType::new(&[1, oh, ow, 1], Elem::I32), counts.clone());
                    let this = self.em.constant(TType::new(&[1, 1, 1, 1], Elem::I32), vec![count]);
                    let mask_ty = TType::new(&[1, oh, ow, 1], Elem::I1);
                    let mask = self.em.op(
                        format!("tosa.equal {}, {} : ({}, {}) -> {mask_ty}", map.name, this.name, map.ty, this.ty),
                        mask_ty,
                    );
                    self.em.op(
                        format!("tosa.select {}, {}, {} : ({}, {}, {}) -> {}", mask.name, y.name, other.name, mask.ty, y.ty, other.ty, y.ty),
                        y.ty.clone(),
                    )
                }
            });
        }
        let y = result.ok_or("the pool has no output")?;
        let y = self.clamp(&y, qo.range.0, qo.range.1);
        Ok(Val::Int8 { v: y, q: qo })
    }

    /// q − z_in in i32 (an exact rescale by 1), summed over H and W, then
    /// s_in / (s_out·H·W).
    fn global_avg_pool(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::GlobalAvgPool::cast(f, id).ok_or("malformed op")?;
        let (x, qi) = self.int8(op.input())?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        let [n, h, w, c] = x.ty.shape[..] else {
            return Err("only 4-D (N, C, H, W) inputs are exported".into());
        };
        let centered = self.rescale(&x, qi.zero_point, Elem::I32, 0, &[(1 << 30, 30)])?;
        let rows = TType::new(&[n, 1, w, c], Elem::I32);
        let rows = self.em.op(format!("tosa.reduce_sum {} {{axis = 1 : i32}} : ({}) -> {rows}", centered.name, centered.ty), rows);
        let sums = TType::new(&[n, 1, 1, c], Elem::I32);
        let sums = self.em.op(format!("tosa.reduce_sum {} {{axis = 2 : i32}} : ({}) -> {sums}", rows.name, rows.ty), sums);
        let m = multiplier(qi.scale / (qo.scale * (h * w) as f64), 0)?;
        let y = self.rescale(&sums, 0, Elem::I8, qo.zero_point, &[m])?;
        let y = self.clamp(&y, qo.range.0, qo.range.1);
        Ok(Val::Int8 { v: y, q: qo })
    }

    fn concat(&mut self, id: OpId) -> Result<Val, String> {
        let f = self.func;
        let op = qnn::Concat::cast(f, id).ok_or("malformed op")?;
        let qo = Int8Quant::from_type(f.value_type(op.output()))?;
        let out = self.out_type(id, Elem::I8)?;
        let rank = out.shape.len() as i64;
        let axis = if op.axis() < 0 { op.axis() + rank } else { op.axis() };
        let axis = if rank == 4 { [0, 3, 1, 2][axis.clamp(0, 3) as usize] } else { axis };
        let mut parts = Vec::new();
        for &v in f.op(id).operands() {
            let (x, q) = self.int8(v)?;
            parts.push(if q == qo { x } else { self.requantize(&x, &q, &qo)? });
        }
        let names: Vec<&str> = parts.iter().map(|p| p.name.as_str()).collect();
        let types: Vec<String> = parts.iter().map(|p| p.ty.to_string()).collect();
        let y = self.em.op(
            format!("tosa.concat {} {{axis = {axis} : i32}} : ({}) -> {out}", names.join(", "), types.join(", ")),
            out,
        );
        Ok(Val::Int8 { v: y, q: qo })
    }

    // ---- helpers --------------------------------------------------------------

    /// Result 0 of `id` in TOSA's layout, with element type `elem`.
    fn out_type(&self, id: OpId, elem: Elem) -> Result<TType, String> {
        let shape = static_shape(&self.func.op(id).results[0])?;
        Ok(TType::new(&super::to_tosa_shape(&shape), elem))
    }

    /// A conv's i32 bias, zeros when it has none.
    fn bias(&mut self, bias: Option<Value>, channels: i64) -> Result<TValue, String> {
        let values = match bias {
            Some(b) => dfq_dialects::constant_elements(self.func, b).ok_or("the bias must be a constant")?.to_i64_vec(),
            None => vec![0; channels as usize],
        };
        Ok(self.em.constant(TType::new(&[channels], Elem::I32), values))
    }

    /// The input of a windowed op and TOSA's pads, the input cropped where the
    /// output size would not divide exactly.
    fn window_input(&mut self, x: &TValue, kernel: &[i64], strides: &[i64], dilations: &[i64], pads: &[i64]) -> Result<(TValue, [i64; 4]), String> {
        let (pad, [ch, cw]) = exact_window(&x.ty.shape, kernel, strides, dilations, pads)?;
        if ch == 0 && cw == 0 {
            return Ok((x.clone(), pad));
        }
        let s = &x.ty.shape;
        let size = [s[0], s[1] - ch, s[2] - cw, s[3]];
        let start = self.em.shape(&[0, 0, 0, 0]);
        let sizes = self.em.shape(&size);
        let ty = TType::new(&size, x.ty.elem);
        let v = self.em.op(
            format!("tosa.slice {}, {start}, {sizes} : ({}, !tosa.shape<4>, !tosa.shape<4>) -> {ty}", x.name, x.ty),
            ty,
        );
        Ok((v, pad))
    }

    /// `tosa.rescale` with SINGLE_ROUND; one (multiplier, shift) per channel of
    /// the last axis, or one for all.
    fn rescale(&mut self, x: &TValue, in_zp: i64, out: Elem, out_zp: i64, mults: &[(i32, i32)]) -> Result<TValue, String> {
        let per_channel = mults.len() > 1;
        let n = mults.len() as i64;
        let m = self.em.constant(TType::new(&[n], Elem::I32), mults.iter().map(|&(m, _)| i64::from(m)).collect());
        let s = self.em.constant(TType::new(&[n], Elem::I8), mults.iter().map(|&(_, k)| i64::from(k)).collect());
        let zi = self.em.zero_point(x.ty.elem, in_zp);
        let zo = self.em.zero_point(out, out_zp);
        let ty = x.ty.with_elem(out);
        Ok(self.em.op(
            format!(
                "tosa.rescale {}, {}, {}, {}, {} {{input_unsigned = false, output_unsigned = false, per_channel = {per_channel}, rounding_mode = SINGLE_ROUND, scale32 = true}} : ({}, {}, {}, {}, {}) -> {ty}",
                x.name, m.name, s.name, zi.name, zo.name, x.ty, m.ty, s.ty, zi.ty, zo.ty
            ),
            ty,
        ))
    }

    fn requantize(&mut self, x: &TValue, qi: &Int8Quant, qo: &Int8Quant) -> Result<TValue, String> {
        let y = self.rescale(x, qi.zero_point, Elem::I8, qo.zero_point, &[multiplier(qi.scale / qo.scale, 0)?])?;
        Ok(self.clamp(&y, qo.range.0, qo.range.1))
    }

    /// `tosa.clamp` to [lo, hi], or `x` itself when that is the whole i8 range.
    fn clamp(&mut self, x: &TValue, lo: i64, hi: i64) -> TValue {
        if lo <= -128 && hi >= 127 {
            return x.clone();
        }
        let (lo, hi) = (lo.clamp(-128, 127), hi.clamp(-128, 127));
        self.em.op(format!("tosa.clamp {} {{max_val = {hi} : i8, min_val = {lo} : i8}} : ({}) -> {}", x.name, x.ty, x.ty), x.ty.clone())
    }

    /// An elementwise int8 → int8 map (one per channel, or one for all): nothing
    /// for the identity, a clamp, per-channel bounds, or a table.
    fn lookup(&mut self, x: &TValue, maps: &[Vec<i64>]) -> Result<TValue, String> {
        let clamps: Option<Vec<(i64, i64)>> = maps.iter().map(|m| as_clamp(m)).collect();
        let Some(clamps) = clamps else {
            if maps.windows(2).any(|w| w[0] != w[1]) {
                return Err("a per-channel float op between dequantize and quantize that is not a clamp has no int8 TOSA form".into());
            }
            let table = self.em.constant(TType::new(&[256], Elem::I8), maps[0].clone());
            return Ok(self.em.op(format!("tosa.table {}, {} : ({}, {}) -> {}", x.name, table.name, x.ty, table.ty, x.ty), x.ty.clone()));
        };
        self.channel_clamp(x, &clamps)
    }

    /// A clamp to [lo, hi] per channel (one pair for all, or one per channel).
    fn channel_clamp(&mut self, x: &TValue, clamps: &[(i64, i64)]) -> Result<TValue, String> {
        if clamps.windows(2).all(|w| w[0] == w[1]) {
            return Ok(self.clamp(x, clamps[0].0, clamps[0].1));
        }
        // Per-channel bounds (channel = TOSA's last axis): max/min exist for i32 only.
        let c = *x.ty.shape.last().unwrap_or(&1);
        if clamps.len() as i64 != c {
            return Err(format!("{} per-channel bounds for {c} channels", clamps.len()));
        }
        let mut bshape = vec![1; x.ty.shape.len()];
        if let Some(last) = bshape.last_mut() {
            *last = c;
        }
        let lo = self.em.constant(TType::new(&bshape, Elem::I32), clamps.iter().map(|b| b.0).collect());
        let hi = self.em.constant(TType::new(&bshape, Elem::I32), clamps.iter().map(|b| b.1).collect());
        let wide = x.ty.with_elem(Elem::I32);
        let w = self.em.op(format!("tosa.cast {} : ({}) -> {wide}", x.name, x.ty), wide.clone());
        let w = self.em.op(format!("tosa.maximum {}, {} : ({}, {}) -> {wide}", w.name, lo.name, w.ty, lo.ty), wide.clone());
        let w = self.em.op(format!("tosa.minimum {}, {} : ({}, {}) -> {wide}", w.name, hi.name, w.ty, hi.ty), wide.clone());
        Ok(self.em.op(format!("tosa.cast {} : ({}) -> {}", w.name, w.ty, x.ty), x.ty.clone()))
    }

    /// `tosa.reshape` with no change of layout.
    fn reshape_raw(&mut self, x: &TValue, to: &[i64]) -> TValue {
        let shape = self.em.shape(to);
        let ty = TType::new(to, x.ty.elem);
        let rank = to.len();
        self.em.op(format!("tosa.reshape {}, {shape} : ({}, !tosa.shape<{rank}>) -> {ty}", x.name, x.ty), ty)
    }

    /// dfq's reshape from `from` to `to` (row-major in NCHW): through NCHW when a
    /// 4-D side's layout differs from TOSA's.
    fn reshape(&mut self, x: &TValue, from: &[i64], to: &[i64]) -> Result<TValue, String> {
        let mut v = x.clone();
        if from.len() == 4 && !trivial_permutation(&v.ty.shape, &[0, 3, 1, 2]) {
            v = self.transpose(&v, &[0, 3, 1, 2]);
        }
        if to.len() == 4 {
            v = self.reshape_raw(&v, to);
            if !trivial_permutation(to, &[0, 2, 3, 1]) {
                return Ok(self.transpose(&v, &[0, 2, 3, 1]));
            }
            return Ok(self.reshape_raw(&v, &super::to_tosa_shape(to)));
        }
        Ok(self.reshape_raw(&v, to))
    }

    fn transpose(&mut self, x: &TValue, perms: &[i64; 4]) -> TValue {
        let shape: Vec<i64> = perms.iter().map(|&p| x.ty.shape[p as usize]).collect();
        let ty = TType::new(&shape, x.ty.elem);
        let p: Vec<String> = perms.iter().map(i64::to_string).collect();
        self.em.op(format!("tosa.transpose {} {{perms = array<i32: {}>}} : ({}) -> {ty}", x.name, p.join(", "), x.ty), ty)
    }
}

/// A weight operand's stored integers (row-major, dfq's OIHW) and its quantization.
fn weight(f: &dfq_ir::Function, v: Value) -> Result<(Vec<i64>, &QuantType), String> {
    let d: &DenseElements = dfq_dialects::constant_elements(f, v).ok_or("weights must be constants")?;
    let q = f.value_type(v).element().as_quant().ok_or("weights must be quantized")?;
    if !(q.storage_signed && q.storage_width == 8) {
        return Err(format!("weights must have i8 storage, got {}", f.value_type(v)));
    }
    Ok((d.to_i64_vec(), q))
}

/// TOSA takes one weight zero point.
fn uniform_zero_point(q: &QuantType) -> Result<i64, String> {
    match &q.params {
        QuantParams::PerTensor { zero_point, .. } => Ok(*zero_point),
        QuantParams::PerAxis { zero_points, .. } => match zero_points.split_first() {
            Some((&z, rest)) if rest.iter().all(|&r| r == z) => Ok(z),
            _ => Err("per-channel weight zero points differ: TOSA takes one weight zero point".into()),
        },
    }
}

/// s_w of output channel `o` (f64, as the interpreter's multipliers use it).
fn channel_scale(q: &QuantType, o: usize) -> f64 {
    match &q.params {
        QuantParams::PerTensor { scale, .. } => *scale,
        QuantParams::PerAxis { scales, .. } => scales.get(o).or(scales.first()).copied().unwrap_or(1.0),
    }
}

/// dfq's (m, k) for M, with k lowered by `pre_shift` (a left shift of the input
/// folded in); TOSA's RESCALE takes shifts in [2, 62].
fn multiplier(m: f64, pre_shift: i32) -> Result<(i32, i32), String> {
    if !(m > 0.0 && m.is_finite() && m < (1u64 << 31) as f64) {
        return Err(format!("requantization multiplier {m} is outside (0, 2^31)"));
    }
    let (mult, k) = quantize_multiplier(m);
    let k = k - pre_shift;
    if !(2..=62).contains(&k) {
        return Err(format!("requantization multiplier {m} needs shift {k}, outside TOSA's [2, 62]"));
    }
    Ok((mult, k))
}

/// An activation bound given in dfq's integer domain, in TOSA's, within `limit`.
fn act_bound(bound: Option<i64>, q: &Int8Quant, limit: i64, tighter: fn(i64, i64) -> i64) -> i64 {
    let shift = if q.shifted_from_u8 { 128 } else { 0 };
    bound.map_or(limit, |b| tighter(b - shift, limit))
}

/// `[a, b, ..]` as `array<i64: a, b, ..>`.
fn i64s(v: &[i64]) -> String {
    let items: Vec<String> = v.iter().map(i64::to_string).collect();
    format!("array<i64: {}>", items.join(", "))
}

/// TOSA's pads (top, bottom, left, right) from dfq's (top, left, bottom, right)
/// and the input rows and columns to crop at the end: TOSA 1.0 requires the
/// output size to divide exactly, and the rows the last window does not reach
/// (padding first, then input) change nothing.
fn exact_window(nhwc: &[i64], kernel: &[i64], strides: &[i64], dilations: &[i64], pads: &[i64]) -> Result<([i64; 4], [i64; 2]), String> {
    let (&[_, ih, iw, _], &[kh, kw], &[sh, sw], &[dh, dw], &[t, l, b, r]) = (nhwc, kernel, strides, dilations, pads) else {
        return Err("expected a 4-D input and 2-D window attributes".into());
    };
    // (trimmed end padding, cropped input) along one axis.
    let fit = |size: i64, k: i64, s: i64, d: i64, lo: i64, hi: i64| -> Result<(i64, i64), String> {
        let span = size - 1 + lo + hi - (k - 1) * d;
        if span < 0 || s < 1 {
            return Err("the window is larger than the padded input".into());
        }
        let rem = span % s;
        Ok(if rem <= hi { (hi - rem, 0) } else { (0, rem - hi) })
    };
    let (b, crop_h) = fit(ih, kh, sh, dh, t, b)?;
    let (r, crop_w) = fit(iw, kw, sw, dw, l, r)?;
    Ok(([t, b, l, r], [crop_h, crop_w]))
}

/// Whether permuting `shape` by `perm` only moves size-1 axes (then a reshape
/// does the same).
fn trivial_permutation(shape: &[i64], perm: &[i64]) -> bool {
    let order: Vec<i64> = perm.iter().copied().filter(|&p| shape.get(p as usize).is_some_and(|&d| d != 1)).collect();
    order.windows(2).all(|w| w[0] < w[1])
}

fn channel_count(chain: &[FloatOp]) -> usize {
    chain
        .iter()
        .map(|op| match op {
            FloatOp::Clip { lo, hi } => lo.len().max(hi.len()),
            FloatOp::Sigmoid => 1,
        })
        .max()
        .unwrap_or(1)
}

/// For channel `c`: each int8 value (−128..=127, TOSA's domain) through
/// dequantize, the chain, and quantize, with dfq's f32 arithmetic.
fn value_map(qi: &Int8Quant, qo: &Int8Quant, chain: &[FloatOp], c: usize) -> Result<Vec<i64>, String> {
    let (si, so) = (qi.scale as f32, qo.scale as f32);
    let (shift_i, shift_o) = (u8_shift(qi), u8_shift(qo));
    let pick = |b: &[f32]| if b.len() == 1 { b[0] } else { b[c] };
    Ok((-128..=127i64)
        .map(|q| {
            // dfq's stored value and zero point (u8 ones are 128 higher).
            let mut x = dequantize(q + shift_i, si, qi.zero_point + shift_i);
            for op in chain {
                match op {
                    FloatOp::Clip { lo, hi } => {
                        if x < pick(lo) {
                            x = pick(lo);
                        }
                        if x > pick(hi) {
                            x = pick(hi);
                        }
                    }
                    FloatOp::Sigmoid => x = 1.0 / (1.0 + (-x).exp()),
                }
            }
            let (lo, hi) = (qo.range.0 + shift_o, qo.range.1 + shift_o);
            quantize(x, so, qo.zero_point + shift_o, lo, hi) - shift_o
        })
        .collect())
}

fn u8_shift(q: &Int8Quant) -> i64 {
    if q.shifted_from_u8 {
        128
    } else {
        0
    }
}

/// The bounds (lo, hi) if `map` (indexed by value + 128) is clamp(q, lo, hi).
fn as_clamp(map: &[i64]) -> Option<(i64, i64)> {
    let lo = *map.first()?;
    let hi = *map.last()?;
    let ok = map.iter().zip(-128i64..).all(|(&y, q)| y == q.clamp(lo, hi));
    (lo <= hi && ok).then_some((lo, hi))
}
