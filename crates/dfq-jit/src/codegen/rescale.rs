//! Requantization in generated code (see `plan::rescale` for the constants).
//!
//! Vector form, per i32x4 accumulator: widen to two i64x2, a·mult + round, keep
//! the high 32 bits of each lane (a shift by 32 that is a shuffle), then an i32
//! shift by K − 32; then the output zero point and clamp. Scalar form: the
//! rule itself in i64.

use cranelift_codegen::ir::types::{I16X8, I32, I32X4, I64, I64X2};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::fx::Fx;
use crate::plan::rescale::{Rescale, SimdRescale};
use crate::plan::steps::OutRange;

/// Where a vector rescale's per-lane constants come from.
pub(crate) enum LaneConsts {
    /// Every lane alike: immediates.
    Uniform { mult: i64, round: i64 },
    /// Tables of i64 per channel (mult, round).
    Tables { mult: i64, round: i64 },
    /// The same, at addresses known at run time.
    Pointers { mult: Value, round: Value },
}

/// The shift K of the vector form (≥ 32): known, or at run time (K − 32, i64).
#[derive(Clone, Copy)]
pub(crate) enum Shift {
    Imm(u32),
    Dyn(Value),
}

impl LaneConsts {
    pub fn of(s: &SimdRescale, pool: &mut crate::plan::ConstPool) -> LaneConsts {
        if s.uniform() {
            LaneConsts::Uniform { mult: s.mult[0], round: s.round[0] }
        } else {
            LaneConsts::Tables { mult: pool.table(&s.mult), round: pool.table(&s.round) }
        }
    }

    /// (mult, round) for lanes [2j, 2j + 2) of the 4 lanes starting at channel `c`.
    fn pair(&self, fx: &mut Fx, c: Value, j: i64) -> (Value, Value) {
        match *self {
            LaneConsts::Uniform { mult, round } => (fx.splat_i32(I64X2, mult), fx.splat_i32(I64X2, round)),
            LaneConsts::Tables { mult, round } => {
                let (pm, pr) = (fx.i64(mult), fx.i64(round));
                let (pm, pr) = (fx.index(pm, c, 8), fx.index(pr, c, 8));
                (fx.load(I64X2, pm, 16 * j), fx.load(I64X2, pr, 16 * j))
            }
            LaneConsts::Pointers { mult, round } => {
                let (pm, pr) = (fx.index(mult, c, 8), fx.index(round, c, 8));
                (fx.load(I64X2, pm, 16 * j), fx.load(I64X2, pr, 16 * j))
            }
        }
    }
}

/// clamp(z + Rescale(acc)) for the 4 channels c.. of an i32x4 accumulator.
pub(crate) fn vec4(fx: &mut Fx, acc: Value, consts: &LaneConsts, shift: Shift, c: Value, out: OutRange) -> Value {
    let halves = [fx.ins().swiden_low(acc), fx.ins().swiden_high(acc)];
    let mut prods = [acc; 2];
    for (j, h) in halves.into_iter().enumerate() {
        let (m, r) = consts.pair(fx, c, j as i64);
        let p = fx.ins().imul(h, m);
        prods[j] = fx.ins().iadd(p, r);
    }
    // High dwords of the four i64 lanes: floor(v / 2^32).
    let hi = fx.shuffle(prods[0], prods[1], [4, 5, 6, 7, 12, 13, 14, 15, 20, 21, 22, 23, 28, 29, 30, 31]);
    let mut t = fx.cast(I32X4, hi);
    match shift {
        Shift::Imm(k) if k > 32 => t = fx.ins().sshr_imm_s(t, i64::from(k - 32)),
        Shift::Imm(_) => {}
        Shift::Dyn(amount) => t = fx.ins().sshr(t, amount),
    }
    place4(fx, t, out)
}

/// clamp(z + r, lo, hi) on i32x4.
pub(crate) fn place4(fx: &mut Fx, r: Value, out: OutRange) -> Value {
    let z = fx.splat_i32(I32X4, out.zero.into());
    let lo = fx.splat_i32(I32X4, out.lo.into());
    let hi = fx.splat_i32(I32X4, out.hi.into());
    let t = fx.ins().iadd(r, z);
    let t = fx.ins().smax(t, lo);
    fx.ins().smin(t, hi)
}

/// Four i32x4 (values in 0..=255) to one u8x16.
pub(crate) fn narrow16(fx: &mut Fx, v: [Value; 4]) -> Value {
    let a = fx.ins().snarrow(v[0], v[1]);
    let b = fx.ins().snarrow(v[2], v[3]);
    debug_assert_eq!(fx.b.func.dfg.value_type(a), I16X8);
    fx.ins().unarrow(a, b)
}

/// Scalar constants: immediates or per-channel tables of (mult, round, shift).
pub(crate) enum ScalarConsts {
    Fixed(Rescale),
    Tables { mult: i64, round: i64, shift: i64 },
}

impl ScalarConsts {
    pub fn of(rescales: &[Rescale], pool: &mut crate::plan::ConstPool) -> ScalarConsts {
        if rescales.windows(2).all(|w| w[0] == w[1]) {
            return ScalarConsts::Fixed(rescales[0]);
        }
        let col = |f: fn(&Rescale) -> i64| rescales.iter().map(f).collect::<Vec<i64>>();
        ScalarConsts::Tables {
            mult: pool.table(&col(|r| r.mult)),
            round: pool.table(&col(|r| r.round)),
            shift: pool.table(&col(|r| r.shift)),
        }
    }
}

/// clamp(z + Rescale(acc)) for an i32 accumulator of channel `c`; an i32.
pub(crate) fn scalar(fx: &mut Fx, acc: Value, consts: &ScalarConsts, c: Value, out: OutRange) -> Value {
    let a = fx.ins().sextend(I64, acc);
    let (m, r, s) = match *consts {
        ScalarConsts::Fixed(k) => (fx.i64(k.mult), fx.i64(k.round), fx.i64(k.shift)),
        ScalarConsts::Tables { mult, round, shift } => {
            let mut load = |t: i64| {
                let base = fx.i64(t);
                let p = fx.index(base, c, 8);
                fx.load(I64, p, 0)
            };
            (load(mult), load(round), load(shift))
        }
    };
    let p = fx.ins().imul(a, m);
    let p = fx.ins().iadd(p, r);
    let v = fx.ins().sshr(p, s);
    let z = i64::from(out.zero);
    let lo = fx.i64(i64::from(out.lo) - z);
    let hi = fx.i64(i64::from(out.hi) - z);
    let v = fx.ins().smax(v, lo);
    let v = fx.ins().smin(v, hi);
    let v = fx.ins().iadd_imm_s(v, z);
    fx.ins().ireduce(I32, v)
}
