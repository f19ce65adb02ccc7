//! Depthwise convolution and pooling on NHWC data, vectorized over 16 channels
//! (scalar for the remaining channels).
//!
//! Items are output rows. Border rows (some kernel row falls in the padding)
//! get their own code with those taps left out, chosen by a switch on the row;
//! along a row, border columns are unrolled likewise around a loop over the
//! interior. So no tap is ever tested at run time, and each pixel's set of valid
//! taps is known when its code is generated: the depthwise bias folds the input
//! zero point for exactly those taps, and an average divides by exactly their count.

use std::collections::HashMap;

use cranelift_codegen::ir::types::{F32, F32X4, I16X8, I32, I32X4, I8X16};
use cranelift_codegen::ir::{InstBuilder, Value};
use cranelift_frontend::Switch;

use super::fx::Fx;
use super::rescale::{self, LaneConsts, ScalarConsts, Shift};
use crate::kernels::dwconv::DwRowFn;
use crate::plan::rescale::{Rescale, SimdRescale};
use crate::plan::steps::{avg_rescale, Geom, Num, OutRange, WindowOp, WindowStep};
use crate::plan::ConstPool;

/// What a pixel's code computes from its taps.
enum Body<'s> {
    QDepthwise(QDw<'s>),
    FDepthwise { weights: i64, bias: i64, lo: f32, hi: f32 },
    Max(Num),
    QAvg { zero: i32, count_include_pad: bool, scales: (f64, f64), out: OutRange },
    FAvg { count_include_pad: bool },
}

struct QDw<'s> {
    op: &'s crate::plan::steps::QDepthwise,
    weights: i64,
    /// Interleaved i16 weights of tap pairs, by pair.
    pairs: HashMap<(usize, Option<usize>), i64>,
    /// Bias tables by set of valid taps.
    biases: HashMap<Vec<usize>, i64>,
    vector: Option<(LaneConsts, u32)>,
    scalar: ScalarConsts,
}

pub(crate) struct WindowEmitter<'s> {
    g: Geom,
    es: i64,
    body: Body<'s>,
}

/// Byte interleaves of two vectors: `punpcklbw` and `punpckhbw`.
const UNPACK_LO: [u8; 16] = [0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23];
const UNPACK_HI: [u8; 16] = [8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31];

/// A pixel's valid taps: (tap index, input address of its channel 0).
type Taps = Vec<(usize, Value)>;

impl<'s> WindowEmitter<'s> {
    pub fn new(step: &'s WindowStep, pool: &mut ConstPool) -> Result<WindowEmitter<'s>, String> {
        let g = step.geom;
        let (body, es) = match &step.op {
            WindowOp::QDepthwise(op) => {
                let taps = g.kh * g.kw;
                let bounds: Vec<i64> = (0..g.c)
                    .map(|c| i64::from(op.bias[c]).abs() + 255 * (0..taps).map(|t| i64::from(op.weights[t * g.c + c]).abs()).sum::<i64>())
                    .collect();
                if bounds.iter().any(|&b| b > i64::from(i32::MAX)) {
                    return Err("its accumulators may overflow i32".into());
                }
                let vector = SimdRescale::new(&op.requant, &bounds).map(|s| (LaneConsts::of(&s, pool), s.shift));
                let scalar = ScalarConsts::of(&op.requant.iter().map(|&mk| Rescale::new(mk)).collect::<Vec<_>>(), pool);
                let weights = pool.table(&op.weights);
                (Body::QDepthwise(QDw { op, weights, pairs: HashMap::new(), biases: HashMap::new(), vector, scalar }), 1)
            }
            WindowOp::FDepthwise { weights, bias, lo, hi } => {
                (Body::FDepthwise { weights: pool.table(weights), bias: pool.table(bias), lo: *lo, hi: *hi }, 4)
            }
            WindowOp::Max(num) => (Body::Max(*num), if *num == Num::F32 { 4 } else { 1 }),
            WindowOp::QAvg { zero, count_include_pad, scales, out } => {
                (Body::QAvg { zero: *zero, count_include_pad: *count_include_pad, scales: *scales, out: *out }, 1)
            }
            WindowOp::FAvg { count_include_pad } => (Body::FAvg { count_include_pad: *count_include_pad }, 4),
        };
        Ok(WindowEmitter { g, es, body })
    }

    /// The loop over output rows `begin..end` of all images.
    pub fn emit(&mut self, fx: &mut Fx, input: Value, output: Value, begin: Value, end: Value, pool: &mut ConstPool) -> Result<(), String> {
        let g = self.g;
        let mut failure = Ok(());
        fx.for_range(begin, end, 1, |fx, item| {
            let n = fx.ins().udiv_imm_s(item, g.oh as i64);
            let oy = fx.ins().urem_imm_s(item, g.oh as i64);
            let image = fx.index(input, n, (g.h * g.w * g.c) as i64 * self.es);
            let out_row = fx.index(output, item, (g.ow * g.c) as i64 * self.es);
            let (lo, hi) = g.interior(0);
            let border: Vec<usize> = (0..lo).chain(hi..g.oh).collect();
            if border.is_empty() {
                failure = self.row(fx, image, out_row, oy, (0..g.kh).collect(), pool);
                return;
            }
            let merge = fx.b.create_block();
            let interior = fx.b.create_block();
            let mut switch = Switch::new();
            let blocks: Vec<_> = border.iter().map(|&r| (r, fx.b.create_block())).collect();
            for &(r, block) in &blocks {
                switch.set_entry(r as u128, block);
            }
            switch.emit(&mut fx.b, oy, interior);
            for (r, block) in blocks {
                fx.b.switch_to_block(block);
                let oy = fx.i64(r as i64);
                let r = self.row(fx, image, out_row, oy, g.valid_taps(0, r), pool);
                failure = failure.clone().and(r);
                fx.ins().jump(merge, &[]);
            }
            fx.b.switch_to_block(interior);
            if lo < hi {
                let r = self.row(fx, image, out_row, oy, (0..g.kh).collect(), pool);
                failure = failure.clone().and(r);
            }
            fx.ins().jump(merge, &[]);
            fx.b.switch_to_block(merge);
        });
        failure
    }

    /// One output row, with kernel rows `kys` valid.
    fn row(&mut self, fx: &mut Fx, image: Value, out_row: Value, oy: Value, kys: Vec<usize>, pool: &mut ConstPool) -> Result<(), String> {
        let g = self.g;
        let line = (g.w * g.c) as i64 * self.es;
        // Input row of kernel row ky: oy·sh + ky·dh − pt.
        let first = fx.index(image, oy, g.sh as i64 * line);
        let rows: Vec<(usize, Value)> = kys.iter().map(|&ky| (ky, fx.offset(first, (ky * g.dh) as i64 * line - g.pt as i64 * line))).collect();
        let (lo, hi) = g.interior(1);
        for ox in (0..lo).chain(hi..g.ow) {
            let oxv = fx.i64(ox as i64);
            self.pixel(fx, &rows, out_row, oxv, g.valid_taps(1, ox), pool)?;
        }
        let mut failure = Ok(());
        fx.for_static(lo as i64, hi as i64, 1, |fx, ox| {
            failure = self.pixel(fx, &rows, out_row, ox, (0..g.kw).collect(), pool);
        });
        failure
    }

    fn pixel(&mut self, fx: &mut Fx, rows: &[(usize, Value)], out_row: Value, ox: Value, kxs: Vec<usize>, pool: &mut ConstPool) -> Result<(), String> {
        let g = self.g;
        let pixel = g.c as i64 * self.es;
        let first = fx.ins().imul_imm_s(ox, g.sw as i64 * pixel);
        let mut taps: Taps = Vec::new();
        for &(ky, row) in rows {
            let at = fx.ins().iadd(row, first);
            for &kx in &kxs {
                let off = (kx * g.dw) as i64 * pixel - g.pl as i64 * pixel;
                taps.push((ky * g.kw + kx, fx.offset(at, off)));
            }
        }
        let out = fx.index(out_row, ox, pixel);
        let vectors = !matches!(&self.body, Body::QDepthwise(dw) if dw.vector.is_none());
        let wide = if vectors { (g.c / 16 * 16) as i64 } else { 0 };
        let mut failure = Ok(());
        fx.for_static(0, wide, 16, |fx, c| failure = self.vector(fx, &taps, out, c, pool));
        std::mem::replace(&mut failure, Ok(()))?;
        fx.for_static(wide, g.c as i64, 1, |fx, c| failure = self.scalar(fx, &taps, out, c, pool));
        failure
    }

    /// Channels c..c + 16.
    fn vector(&mut self, fx: &mut Fx, taps: &Taps, out: Value, c: Value, pool: &mut ConstPool) -> Result<(), String> {
        let g = self.g;
        let at = |fx: &mut Fx, p: Value, es: i64| fx.index(p, c, es);
        match &mut self.body {
            Body::QDepthwise(dw) => {
                let bias = dw.bias_table(taps, g, pool);
                let bias = fx.i64(bias);
                let bias = at(fx, bias, 4);
                let mut acc: Vec<Value> = (0..4).map(|j| fx.load(I32X4, bias, 16 * j)).collect();
                // Taps in pairs: the two inputs' bytes interleaved, widened to
                // i16, and `pmaddwd` against (w'[t1][c], w'[t2][c]) pairs gives
                // both products of 4 channels summed in i32 (|sum| ≤ 2·255·255).
                for pair in taps.chunks(2) {
                    let (t1, p1) = pair[0];
                    let second = pair.get(1).copied();
                    let table = dw.pair_table(t1, second.map(|(t, _)| t), g, pool);
                    let x1p = at(fx, p1, 1);
                    let x1 = fx.load(I8X16, x1p, 0);
                    let x2 = match second {
                        Some((_, p2)) => {
                            let x2p = at(fx, p2, 1);
                            fx.load(I8X16, x2p, 0)
                        }
                        None => x1,
                    };
                    let lo = fx.shuffle(x1, x2, UNPACK_LO);
                    let hi = fx.shuffle(x1, x2, UNPACK_HI);
                    let xs = [fx.ins().uwiden_low(lo), fx.ins().uwiden_high(lo), fx.ins().uwiden_low(hi), fx.ins().uwiden_high(hi)];
                    let tb = fx.i64(table);
                    let wc = at(fx, tb, 4);
                    for (j, x) in xs.into_iter().enumerate() {
                        let w = fx.load(I16X8, wc, 16 * j as i64);
                        let prod = fx.pmaddwd(x, w);
                        acc[j] = fx.ins().iadd(acc[j], prod);
                    }
                }
                let Some((consts, shift)) = &dw.vector else { return Err("internal: vector depthwise without vector constants".into()) };
                let out_range = dw.op.out;
                let mut res = [acc[0]; 4];
                for j in 0..4 {
                    let cj = fx.ins().iadd_imm_s(c, 4 * j as i64);
                    res[j] = rescale::vec4(fx, acc[j], consts, Shift::Imm(*shift), cj, out_range);
                }
                let bytes = rescale::narrow16(fx, res);
                let dst = at(fx, out, 1);
                fx.store(bytes, dst, 0);
            }
            Body::FDepthwise { weights, bias, lo, hi } => {
                let (wb, bb) = (fx.i64(*weights), fx.i64(*bias));
                let (wc, bc) = (at(fx, wb, 4), at(fx, bb, 4));
                let mut acc: Vec<Value> = (0..4).map(|j| fx.load(F32X4, bc, 16 * j)).collect();
                for &(t, p) in taps {
                    let xp = at(fx, p, 4);
                    for (j, a) in acc.iter_mut().enumerate() {
                        let x = fx.load(F32X4, xp, 16 * j as i64);
                        let w = fx.load(F32X4, wc, 4 * (t * g.c) as i64 + 16 * j as i64);
                        let prod = fx.ins().fmul(x, w);
                        *a = fx.ins().fadd(*a, prod);
                    }
                }
                let (lo, hi) = (*lo, *hi);
                let dst = at(fx, out, 4);
                for (j, a) in acc.into_iter().enumerate() {
                    let y = clamp_f(fx, a, lo, hi, F32X4);
                    fx.store(y, dst, 16 * j as i64);
                }
            }
            Body::Max(Num::U8) => {
                let mut best = None;
                for &(_, p) in taps {
                    let xp = at(fx, p, 1);
                    let x = fx.load(I8X16, xp, 0);
                    best = Some(match best {
                        None => x,
                        Some(b) => fx.ins().umax(b, x),
                    });
                }
                let dst = at(fx, out, 1);
                fx.store(best.ok_or("a pooling window without valid taps")?, dst, 0);
            }
            Body::Max(Num::F32) => {
                let dst = at(fx, out, 4);
                for j in 0..4 {
                    let mut best = None;
                    for &(_, p) in taps {
                        let xp = at(fx, p, 4);
                        let x = fx.load(F32X4, xp, 16 * j);
                        best = Some(match best {
                            None => x,
                            Some(b) => fx.ins().fmax(b, x),
                        });
                    }
                    fx.store(best.ok_or("a pooling window without valid taps")?, dst, 16 * j);
                }
            }
            Body::QAvg { zero, count_include_pad, scales, out: out_range } => {
                let count = if *count_include_pad { g.kh * g.kw } else { taps.len() };
                let mk = avg_rescale(*scales, count)?;
                let bound = 255 * count as i64;
                let simd = SimdRescale::new(&[mk], &[bound]).ok_or("an average whose rescale overflows")?;
                let consts = LaneConsts::of(&simd, pool);
                // Σ (x − z) over the valid taps; padding adds 0 even when it counts.
                let start = fx.splat_i32(I32X4, -i64::from(*zero) * taps.len() as i64);
                let mut acc = [start; 4];
                for &(_, p) in taps {
                    let xp = at(fx, p, 1);
                    let x = widen16(fx, xp);
                    for j in 0..4 {
                        acc[j] = fx.ins().iadd(acc[j], x[j]);
                    }
                }
                let out_range = *out_range;
                let mut res = acc;
                for j in 0..4 {
                    res[j] = rescale::vec4(fx, acc[j], &consts, Shift::Imm(simd.shift), c, out_range);
                }
                let bytes = rescale::narrow16(fx, res);
                let dst = at(fx, out, 1);
                fx.store(bytes, dst, 0);
            }
            Body::FAvg { count_include_pad } => {
                let count = if *count_include_pad { g.kh * g.kw } else { taps.len() };
                let dst = at(fx, out, 4);
                for j in 0..4 {
                    let mut sum = fx.splat_f32(F32X4, 0.0);
                    for &(_, p) in taps {
                        let xp = at(fx, p, 4);
                        let x = fx.load(F32X4, xp, 16 * j);
                        sum = fx.ins().fadd(sum, x);
                    }
                    let n = fx.splat_f32(F32X4, count as f32);
                    let mean = fx.ins().fdiv(sum, n);
                    fx.store(mean, dst, 16 * j);
                }
            }
        }
        Ok(())
    }

    /// Channel c alone.
    fn scalar(&mut self, fx: &mut Fx, taps: &Taps, out: Value, c: Value, pool: &mut ConstPool) -> Result<(), String> {
        let g = self.g;
        let at = |fx: &mut Fx, p: Value, es: i64| fx.index(p, c, es);
        match &mut self.body {
            Body::QDepthwise(dw) => {
                let bias = dw.bias_table(taps, g, pool);
                let bias = fx.i64(bias);
                let bp = at(fx, bias, 4);
                let mut acc = fx.load(I32, bp, 0);
                let wbase = fx.i64(dw.weights);
                let wc = at(fx, wbase, 4);
                for &(t, p) in taps {
                    let xp = at(fx, p, 1);
                    let x = fx.load_u8(I32, xp, 0);
                    let w = fx.load(I32, wc, 4 * (t * g.c) as i64);
                    let prod = fx.ins().imul(x, w);
                    acc = fx.ins().iadd(acc, prod);
                }
                let r = rescale::scalar(fx, acc, &dw.scalar, c, dw.op.out);
                let dst = at(fx, out, 1);
                fx.store_u8(r, dst, 0);
            }
            Body::FDepthwise { weights, bias, lo, hi } => {
                let (wb, bb) = (fx.i64(*weights), fx.i64(*bias));
                let (wc, bc) = (at(fx, wb, 4), at(fx, bb, 4));
                let mut acc = fx.load(F32, bc, 0);
                for &(t, p) in taps {
                    let xp = at(fx, p, 4);
                    let x = fx.load(F32, xp, 0);
                    let w = fx.load(F32, wc, 4 * (t * g.c) as i64);
                    let prod = fx.ins().fmul(x, w);
                    acc = fx.ins().fadd(acc, prod);
                }
                let y = clamp_f(fx, acc, *lo, *hi, F32);
                let dst = at(fx, out, 4);
                fx.store(y, dst, 0);
            }
            Body::Max(num) => {
                let (ty, es) = if *num == Num::F32 { (F32, 4) } else { (I32, 1) };
                let mut best = None;
                for &(_, p) in taps {
                    let xp = at(fx, p, es);
                    let x = if es == 4 { fx.load(F32, xp, 0) } else { fx.load_u8(I32, xp, 0) };
                    best = Some(match best {
                        None => x,
                        Some(b) if ty == F32 => fx.ins().fmax(b, x),
                        Some(b) => fx.ins().umax(b, x),
                    });
                }
                let best = best.ok_or("a pooling window without valid taps")?;
                let dst = at(fx, out, es);
                if es == 4 {
                    fx.store(best, dst, 0);
                } else {
                    fx.store_u8(best, dst, 0);
                }
            }
            Body::QAvg { zero, count_include_pad, scales, out: out_range } => {
                let count = if *count_include_pad { g.kh * g.kw } else { taps.len() };
                let mk = avg_rescale(*scales, count)?;
                let mut acc = fx.i32(-*zero * taps.len() as i32);
                for &(_, p) in taps {
                    let xp = at(fx, p, 1);
                    let x = fx.load_u8(I32, xp, 0);
                    acc = fx.ins().iadd(acc, x);
                }
                let r = rescale::scalar(fx, acc, &ScalarConsts::Fixed(Rescale::new(mk)), c, *out_range);
                let dst = at(fx, out, 1);
                fx.store_u8(r, dst, 0);
            }
            Body::FAvg { count_include_pad } => {
                let count = if *count_include_pad { g.kh * g.kw } else { taps.len() };
                let mut sum = fx.f32(0.0);
                for &(_, p) in taps {
                    let xp = at(fx, p, 4);
                    let x = fx.load(F32, xp, 0);
                    sum = fx.ins().fadd(sum, x);
                }
                let n = fx.f32(count as f32);
                let mean = fx.ins().fdiv(sum, n);
                let dst = at(fx, out, 4);
                fx.store(mean, dst, 0);
            }
        }
        Ok(())
    }
}

/// Output rows `begin..end` by a precompiled row kernel: one call per row.
#[allow(clippy::too_many_arguments)]
pub(crate) fn rows_by_kernel(fx: &mut Fx, s: &WindowStep, layer: i64, row: DwRowFn, input: Value, output: Value, begin: Value, end: Value) {
    let g = s.geom;
    fx.for_range(begin, end, 1, |fx, item| {
        let n = fx.ins().udiv_imm_s(item, g.oh as i64);
        let oy = fx.ins().urem_imm_s(item, g.oh as i64);
        let image = fx.index(input, n, (g.h * g.w * g.c) as i64);
        let out_row = fx.index(output, item, (g.ow * g.c) as i64);
        let (l, f) = (fx.i64(layer), fx.i64(row as *const () as usize as i64));
        fx.call_indirect(f, &[l, image, oy, out_row]);
    });
}

impl QDw<'_> {
    /// (w'[t1][c], w'[t2][c]) as i16 pairs for every channel (0 for a missing t2).
    fn pair_table(&mut self, t1: usize, t2: Option<usize>, g: Geom, pool: &mut ConstPool) -> i64 {
        let op = self.op;
        *self.pairs.entry((t1, t2)).or_insert_with(|| {
            let table: Vec<i16> = (0..g.c)
                .flat_map(|c| [op.weights[t1 * g.c + c] as i16, t2.map_or(0, |t| op.weights[t * g.c + c] as i16)])
                .collect();
            pool.table(&table)
        })
    }

    /// bias[c] − z_in·Σ_{valid taps} w'[tap][c]: the input zero point folded for
    /// this pixel's taps, so the loop multiplies raw inputs.
    fn bias_table(&mut self, taps: &Taps, g: Geom, pool: &mut ConstPool) -> i64 {
        let key: Vec<usize> = taps.iter().map(|&(t, _)| t).collect();
        let op = self.op;
        *self.biases.entry(key.clone()).or_insert_with(|| {
            let table: Vec<i32> = (0..g.c)
                .map(|c| {
                    let wsum: i64 = key.iter().map(|&t| i64::from(op.weights[t * g.c + c])).sum();
                    (i64::from(op.bias[c]) - i64::from(op.input_zero) * wsum) as i32
                })
                .collect();
            pool.table(&table)
        })
    }
}

/// 16 bytes at p widened to four i32x4.
pub(crate) fn widen16(fx: &mut Fx, p: Value) -> [Value; 4] {
    let x = fx.load(I8X16, p, 0);
    let lo = fx.ins().uwiden_low(x);
    let hi = fx.ins().uwiden_high(x);
    let a = fx.ins().uwiden_low(lo);
    let b = fx.ins().uwiden_high(lo);
    let c = fx.ins().uwiden_low(hi);
    let d = fx.ins().uwiden_high(hi);
    [a, b, c, d]
}

/// min(max(x, lo), hi), skipping infinite bounds.
pub(crate) fn clamp_f(fx: &mut Fx, x: Value, lo: f32, hi: f32, ty: cranelift_codegen::ir::Type) -> Value {
    let mut y = x;
    if lo > f32::NEG_INFINITY {
        let l = if ty == F32 { fx.f32(lo) } else { fx.splat_f32(ty, lo) };
        y = fx.ins().fmax(y, l);
    }
    if hi < f32::INFINITY {
        let h = if ty == F32 { fx.f32(hi) } else { fx.splat_f32(ty, hi) };
        y = fx.ins().fmin(y, h);
    }
    y
}
