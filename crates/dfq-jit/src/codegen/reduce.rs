//! Global average pooling: per image, each channel's mean over all pixels,
//! 16 channels at a time with the sums in registers.

use cranelift_codegen::ir::types::{F32, F32X4, I32, I32X4};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::fx::Fx;
use super::rescale::{self, LaneConsts, ScalarConsts, Shift};
use super::window::widen16;
use crate::plan::rescale::{Rescale, SimdRescale};
use crate::plan::steps::{GlobalOp, GlobalPoolStep};
use crate::plan::ConstPool;

pub(crate) fn global_pool(fx: &mut Fx, s: &GlobalPoolStep, x: Value, y: Value, begin: Value, end: Value, pool: &mut ConstPool) -> Result<(), String> {
    let (c, hw) = (s.c as i64, s.hw as i64);
    let es = if matches!(s.op, GlobalOp::F) { 4 } else { 1 };
    let simd = match s.op {
        GlobalOp::Q { requant, .. } => {
            let v = SimdRescale::new(&[requant], &[255 * hw]).ok_or("a mean whose rescale overflows")?;
            Some((LaneConsts::of(&v, pool), v.shift))
        }
        GlobalOp::F => None,
    };
    fx.for_range(begin, end, 1, |fx, n| {
        let image = fx.index(x, n, hw * c * es);
        let out = fx.index(y, n, c * es);
        let wide = c / 16 * 16;
        fx.for_static(0, wide, 16, |fx, ch| {
            let lane_ty = if es == 4 { F32X4 } else { I32X4 };
            let start = match s.op {
                GlobalOp::Q { zero, .. } => fx.splat_i32(I32X4, -i64::from(zero) * hw),
                GlobalOp::F => fx.splat_f32(F32X4, 0.0),
            };
            let vars: Vec<_> = (0..4)
                .map(|_| {
                    let v = fx.b.declare_var(lane_ty);
                    fx.b.def_var(v, start);
                    v
                })
                .collect();
            let col = fx.index(image, ch, es);
            fx.for_static(0, hw, 1, |fx, p| {
                let at = fx.index(col, p, c * es);
                if es == 4 {
                    for (j, &v) in vars.iter().enumerate() {
                        let x = fx.load(F32X4, at, 16 * j as i64);
                        let a = fx.b.use_var(v);
                        let sum = fx.ins().fadd(a, x);
                        fx.b.def_var(v, sum);
                    }
                } else {
                    let xs = widen16(fx, at);
                    for (&v, x) in vars.iter().zip(xs) {
                        let a = fx.b.use_var(v);
                        let sum = fx.ins().iadd(a, x);
                        fx.b.def_var(v, sum);
                    }
                }
            });
            let sums: Vec<Value> = vars.iter().map(|&v| fx.b.use_var(v)).collect();
            match (&s.op, &simd) {
                (GlobalOp::Q { out: range, .. }, Some((consts, shift))) => {
                    let mut r = [sums[0]; 4];
                    for j in 0..4 {
                        r[j] = rescale::vec4(fx, sums[j], consts, Shift::Imm(*shift), ch, *range);
                    }
                    let bytes = rescale::narrow16(fx, r);
                    let dst = fx.index(out, ch, 1);
                    fx.store(bytes, dst, 0);
                }
                _ => {
                    let dst = fx.index(out, ch, 4);
                    let count = fx.splat_f32(F32X4, hw as f32);
                    for (j, sum) in sums.into_iter().enumerate() {
                        let mean = fx.ins().fdiv(sum, count);
                        fx.store(mean, dst, 16 * j as i64);
                    }
                }
            }
        });
        fx.for_static(wide, c, 1, |fx, ch| {
            let ty = if es == 4 { F32 } else { I32 };
            let v = fx.b.declare_var(ty);
            let start = match s.op {
                GlobalOp::Q { zero, .. } => fx.i32(-zero * hw as i32),
                GlobalOp::F => fx.f32(0.0),
            };
            fx.b.def_var(v, start);
            let col = fx.index(image, ch, es);
            fx.for_static(0, hw, 1, |fx, p| {
                let at = fx.index(col, p, c * es);
                let x = if es == 4 { fx.load(F32, at, 0) } else { fx.load_u8(I32, at, 0) };
                let a = fx.b.use_var(v);
                let sum = if es == 4 { fx.ins().fadd(a, x) } else { fx.ins().iadd(a, x) };
                fx.b.def_var(v, sum);
            });
            let sum = fx.b.use_var(v);
            match s.op {
                GlobalOp::Q { requant, out: range, .. } => {
                    let r = rescale::scalar(fx, sum, &ScalarConsts::Fixed(Rescale::new(requant)), ch, range);
                    let dst = fx.index(out, ch, 1);
                    fx.store_u8(r, dst, 0);
                }
                GlobalOp::F => {
                    let count = fx.f32(hw as f32);
                    let mean = fx.ins().fdiv(sum, count);
                    let dst = fx.index(out, ch, 4);
                    fx.store(mean, dst, 0);
                }
            }
        });
    });
    Ok(())
}
