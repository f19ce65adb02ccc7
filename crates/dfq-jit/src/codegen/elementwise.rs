//! Elementwise steps over flat ranges: unary maps (tables, quantize, dequantize,
//! clamps, per-channel affine maps) and binary ops. Vector loops of 16 elements
//! (4 for plain f32 ops) with a scalar tail; all reads and writes are exact, as
//! these steps read the caller's buffers and write results in place in concats.

use cranelift_codegen::ir::types::{F32, F32X4, I32, I32X4, I64, I8X16};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::fx::Fx;
use super::rescale::{narrow16, place4};
use super::window::widen16;
use crate::plan::steps::{rows_per_item, BinaryOp, ChannelKind, MapOp, OutRange, CHUNK};

/// `vector(i)` for i in lo.. by `lanes` while a whole vector fits, then `scalar(i)` to hi.
fn split_loop(fx: &mut Fx, lo: Value, hi: Value, lanes: i64, vector: impl FnOnce(&mut Fx, Value), scalar: impl FnOnce(&mut Fx, Value)) {
    let span = fx.ins().isub(hi, lo);
    let whole = fx.ins().band_imm_s(span, !(lanes - 1));
    let mid = fx.ins().iadd(lo, whole);
    fx.for_range(lo, mid, lanes, vector);
    fx.for_range(mid, hi, 1, scalar);
}

/// Element range [begin·CHUNK, min(end·CHUNK, len)) of items begin..end.
fn range(fx: &mut Fx, begin: Value, end: Value, len: usize) -> (Value, Value) {
    let lo = fx.ins().imul_imm_s(begin, CHUNK as i64);
    let hi = fx.ins().imul_imm_s(end, CHUNK as i64);
    let len = fx.i64(len as i64);
    let hi = fx.ins().umin(hi, len);
    (lo, hi)
}

pub(crate) fn map(fx: &mut Fx, op: &MapOp, x: Value, y: Value, len: usize, begin: Value, end: Value) {
    match *op {
        MapOp::FChannel { channels, kind, tables } => return per_channel(fx, channels, kind, tables, x, y, len, begin, end),
        MapOp::QChannelClamp { channels, tables } => return channel_clamp_u8(fx, channels, tables, x, y, len, begin, end),
        _ => {}
    }
    let (lo, hi) = range(fx, begin, end, len);
    match *op {
        MapOp::Lut(table) => {
            fx.for_range(lo, hi, 1, |fx, i| {
                let v = {
                    let p = fx.ins().iadd(x, i);
                    fx.load_u8(I64, p, 0)
                };
                let t = fx.i64(table);
                let tp = fx.ins().iadd(t, v);
                let r = fx.load_u8(I32, tp, 0);
                let d = fx.ins().iadd(y, i);
                fx.store_u8(r, d, 0);
            });
        }
        MapOp::Quantize { scale, zero, lo: qlo, hi: qhi } => {
            // clamp(round_half_even(x / s), lo − z, hi − z) + z: the saturating
            // conversion turns NaN into 0, i.e. the zero point, as ONNX wants.
            let out = OutRange { zero, lo: qlo, hi: qhi };
            split_loop(
                fx,
                lo,
                hi,
                16,
                |fx, i| {
                    let src = fx.index(x, i, 4);
                    let s = fx.splat_f32(F32X4, scale);
                    let mut q = [src; 4];
                    for (j, slot) in q.iter_mut().enumerate() {
                        let v = fx.load(F32X4, src, 16 * j as i64);
                        let t = fx.ins().fdiv(v, s);
                        let t = fx.ins().nearest(t);
                        let t = fx.ins().fcvt_to_sint_sat(I32X4, t);
                        let lo = fx.splat_i32(I32X4, i64::from(qlo - zero));
                        let hi = fx.splat_i32(I32X4, i64::from(qhi - zero));
                        let t = fx.ins().smax(t, lo);
                        let t = fx.ins().smin(t, hi);
                        *slot = place4(fx, t, out);
                    }
                    let bytes = narrow16(fx, q);
                    let dst = fx.ins().iadd(y, i);
                    fx.store(bytes, dst, 0);
                },
                |fx, i| {
                    let src = fx.index(x, i, 4);
                    let v = fx.load(F32, src, 0);
                    let s = fx.f32(scale);
                    let t = fx.ins().fdiv(v, s);
                    let t = fx.ins().nearest(t);
                    let t = fx.ins().fcvt_to_sint_sat(I32, t);
                    let (l, h) = (fx.i32(qlo - zero), fx.i32(qhi - zero));
                    let t = fx.ins().smax(t, l);
                    let t = fx.ins().smin(t, h);
                    let t = fx.ins().iadd_imm_s(t, i64::from(zero));
                    let dst = fx.ins().iadd(y, i);
                    fx.store_u8(t, dst, 0);
                },
            );
        }
        MapOp::Dequantize { scale, zero } => {
            split_loop(
                fx,
                lo,
                hi,
                16,
                |fx, i| {
                    let src = fx.ins().iadd(x, i);
                    let q = widen16(fx, src);
                    let dst = fx.index(y, i, 4);
                    let (z, s) = (fx.splat_i32(I32X4, zero.into()), fx.splat_f32(F32X4, scale));
                    for (j, v) in q.into_iter().enumerate() {
                        let d = fx.ins().isub(v, z);
                        let f = fx.ins().fcvt_from_sint(F32X4, d);
                        let r = fx.ins().fmul(f, s);
                        fx.store(r, dst, 16 * j as i64);
                    }
                },
                |fx, i| {
                    let src = fx.ins().iadd(x, i);
                    let q = fx.load_u8(I32, src, 0);
                    let d = fx.ins().iadd_imm_s(q, -i64::from(zero));
                    let f = fx.ins().fcvt_from_sint(F32, d);
                    let s = fx.f32(scale);
                    let r = fx.ins().fmul(f, s);
                    let dst = fx.index(y, i, 4);
                    fx.store(r, dst, 0);
                },
            );
        }
        MapOp::FClamp { lo: flo, hi: fhi } => {
            f32_unary(fx, x, y, lo, hi, move |fx, v, ty| super::window::clamp_f(fx, v, flo, fhi, ty));
        }
        MapOp::FChannel { .. } | MapOp::QChannelClamp { .. } => unreachable!("handled above"),
    }
}

/// y = f(x) on f32, 4 lanes at a time.
fn f32_unary(fx: &mut Fx, x: Value, y: Value, lo: Value, hi: Value, f: impl Fn(&mut Fx, Value, cranelift_codegen::ir::Type) -> Value + Copy) {
    split_loop(
        fx,
        lo,
        hi,
        4,
        |fx, i| {
            let (s, d) = (fx.index(x, i, 4), fx.index(y, i, 4));
            let v = fx.load(F32X4, s, 0);
            let r = f(fx, v, F32X4);
            fx.store(r, d, 0);
        },
        |fx, i| {
            let (s, d) = (fx.index(x, i, 4), fx.index(y, i, 4));
            let v = fx.load(F32, s, 0);
            let r = f(fx, v, F32);
            fx.store(r, d, 0);
        },
    );
}

/// The row range [lo, hi) of items begin..end, for steps over rows of channels.
fn row_range(fx: &mut Fx, channels: usize, len: usize, begin: Value, end: Value) -> (Value, Value) {
    let per = rows_per_item(channels) as i64;
    let rows = (len / channels.max(1)) as i64;
    let lo = fx.ins().imul_imm_s(begin, per);
    let hi = fx.ins().imul_imm_s(end, per);
    let total = fx.i64(rows);
    let hi = fx.ins().umin(hi, total);
    (lo, hi)
}

/// min(max(q, lo[c]), hi[c]) on rows of `channels` stored u8, 16 lanes at a time.
#[allow(clippy::too_many_arguments)]
fn channel_clamp_u8(fx: &mut Fx, channels: usize, tables: [i64; 2], x: Value, y: Value, len: usize, begin: Value, end: Value) {
    let (lo, hi) = row_range(fx, channels, len, begin, end);
    fx.for_range(lo, hi, 1, |fx, r| {
        let (xr, yr) = (fx.index(x, r, channels as i64), fx.index(y, r, channels as i64));
        let (zero, n) = (fx.i64(0), fx.i64(channels as i64));
        // 16 channels at a time, then one: the same loads, max, min and store.
        let step = move |fx: &mut Fx, c: Value, vector: bool| {
            let (tl, th) = (fx.i64(tables[0]), fx.i64(tables[1]));
            let at = [fx.ins().iadd(xr, c), fx.ins().iadd(tl, c), fx.ins().iadd(th, c)];
            let [v, l, h] = at.map(|p| if vector { fx.load(I8X16, p, 0) } else { fx.load_u8(I32, p, 0) });
            let m = fx.ins().umax(v, l);
            let r = fx.ins().umin(m, h);
            let d = fx.ins().iadd(yr, c);
            if vector {
                fx.store(r, d, 0);
            } else {
                fx.store_u8(r, d, 0);
            }
        };
        split_loop(fx, zero, n, 16, |fx, c| step(fx, c, true), |fx, c| step(fx, c, false));
    });
}

/// Per-channel maps on rows of `channels` f32 values.
#[allow(clippy::too_many_arguments)]
fn per_channel(fx: &mut Fx, channels: usize, kind: ChannelKind, tables: [i64; 3], x: Value, y: Value, len: usize, begin: Value, end: Value) {
    let (lo, hi) = row_range(fx, channels, len, begin, end);
    let apply = move |fx: &mut Fx, v: Value, c: Value, ty: cranelift_codegen::ir::Type| {
        let mut t = [v; 3];
        for (k, slot) in t.iter_mut().enumerate().take(if kind == ChannelKind::BatchNorm { 3 } else { 2 }) {
            let base = fx.i64(tables[k]);
            let p = fx.index(base, c, 4);
            *slot = fx.load(ty, p, 0);
        }
        match kind {
            ChannelKind::BatchNorm => {
                let d = fx.ins().fsub(v, t[0]);
                let m = fx.ins().fmul(d, t[1]);
                fx.ins().fadd(m, t[2])
            }
            ChannelKind::Clip => {
                let m = fx.ins().fmax(v, t[0]);
                fx.ins().fmin(m, t[1])
            }
        }
    };
    fx.for_range(lo, hi, 1, |fx, r| {
        let (xr, yr) = (fx.index(x, r, 4 * channels as i64), fx.index(y, r, 4 * channels as i64));
        let (zero, n) = (fx.i64(0), fx.i64(channels as i64));
        split_loop(
            fx,
            zero,
            n,
            4,
            |fx, c| {
                let (s, d) = (fx.index(xr, c, 4), fx.index(yr, c, 4));
                let v = fx.load(F32X4, s, 0);
                let r = apply(fx, v, c, F32X4);
                fx.store(r, d, 0);
            },
            |fx, c| {
                let (s, d) = (fx.index(xr, c, 4), fx.index(yr, c, 4));
                let v = fx.load(F32, s, 0);
                let r = apply(fx, v, c, F32);
                fx.store(r, d, 0);
            },
        );
    });
}

#[allow(clippy::too_many_arguments)]
pub(crate) fn binary(fx: &mut Fx, op: &BinaryOp, l: Value, r: Value, y: Value, len: usize, begin: Value, end: Value) {
    let (lo, hi) = range(fx, begin, end, len);
    match *op {
        BinaryOp::QAddLut(table) => {
            fx.for_range(lo, hi, 1, |fx, i| {
                let (lp, rp) = (fx.ins().iadd(l, i), fx.ins().iadd(r, i));
                let a = fx.load_u8(I64, lp, 0);
                let b = fx.load_u8(I64, rp, 0);
                let a = fx.ins().ishl_imm_s(a, 8);
                let idx = fx.ins().bor(a, b);
                let t = fx.i64(table);
                let tp = fx.ins().iadd(t, idx);
                let v = fx.load_u8(I32, tp, 0);
                let d = fx.ins().iadd(y, i);
                fx.store_u8(v, d, 0);
            });
        }
        BinaryOp::FAdd | BinaryOp::FMul => {
            let add = matches!(op, BinaryOp::FAdd);
            let f = move |fx: &mut Fx, ty: cranelift_codegen::ir::Type, i: Value| {
                let (lp, rp, d) = (fx.index(l, i, 4), fx.index(r, i, 4), fx.index(y, i, 4));
                let (a, b) = (fx.load(ty, lp, 0), fx.load(ty, rp, 0));
                let v = if add { fx.ins().fadd(a, b) } else { fx.ins().fmul(a, b) };
                fx.store(v, d, 0);
            };
            split_loop(fx, lo, hi, 4, |fx, i| f(fx, F32X4, i), |fx, i| f(fx, F32, i));
        }
    }
}

/// Exact byte copy of `bytes` (a constant) from src to dst.
pub(crate) fn copy_exact(fx: &mut Fx, src: Value, dst: Value, bytes: i64) {
    let (zero, n) = (fx.i64(0), fx.i64(bytes));
    split_loop(
        fx,
        zero,
        n,
        16,
        |fx, i| {
            let (s, d) = (fx.ins().iadd(src, i), fx.ins().iadd(dst, i));
            let v = fx.load(I8X16, s, 0);
            fx.store(v, d, 0);
        },
        |fx, i| {
            let (s, d) = (fx.ins().iadd(src, i), fx.ins().iadd(dst, i));
            let v = fx.load_u8(I32, s, 0);
            fx.store_u8(v, d, 0);
        },
    );
}
