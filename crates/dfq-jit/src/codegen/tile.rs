//! The pure-Cranelift integer GEMM tile (`KernelChoice::Cranelift`), the
//! portable path of the design: a function with the Rust kernels' signature,
//! 128-bit SIMD. Per row and block of 4 columns: A widened to i16, `pmaddwd`
//! against weights stored as i16 (w − z_w), so no row sums are needed; the four
//! dot products reduced with pairwise adds; the vector rescale; 4 bytes out.

use cranelift_codegen::ir::types::{I16X8, I32X4, I64, I8X16};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::fx::Fx;
use super::rescale::{self, LaneConsts, Shift};
use crate::plan::steps::OutRange;

/// Emits the body; the parameters are the kernel's (layer, a, lda, rows, col0, col1, c, ldc).
pub(crate) fn emit(fx: &mut Fx, p: &[Value], k16: usize, out: OutRange) {
    let [layer, a, lda, rows, col0, col1, c, ldc] = <[Value; 8]>::try_from(p).expect("8 parameters");
    let w = fx.load(I64, layer, 0);
    let bias = fx.load(I64, layer, 8);
    let consts = LaneConsts::Pointers { mult: fx.load(I64, layer, 16), round: fx.load(I64, layer, 24) };
    let shift = fx.load(I64, layer, 32);
    let amount = fx.ins().iadd_imm_s(shift, -32);
    let k16 = k16 as i64;
    let zero = fx.i64(0);
    fx.for_range(zero, rows, 1, |fx, r| {
        let arow = fx.ins().imul(r, lda);
        let arow = fx.ins().iadd(a, arow);
        let crow = fx.ins().imul(r, ldc);
        let crow = fx.ins().iadd(c, crow);
        fx.for_range(col0, col1, 4, |fx, j| {
            let vars: Vec<_> = (0..4)
                .map(|_| {
                    let v = fx.b.declare_var(I32X4);
                    let z = fx.splat_i32(I32X4, 0);
                    fx.b.def_var(v, z);
                    v
                })
                .collect();
            let wj = fx.index(w, j, 2 * k16);
            fx.for_static(0, k16, 16, |fx, kk| {
                let ap = fx.ins().iadd(arow, kk);
                let x = fx.load(I8X16, ap, 0);
                let (xl, xh) = (fx.ins().uwiden_low(x), fx.ins().uwiden_high(x));
                let wk = fx.index(wj, kk, 2);
                for (t, &v) in vars.iter().enumerate() {
                    let wl = fx.load(I16X8, wk, 2 * k16 * t as i64);
                    let wh = fx.load(I16X8, wk, 2 * k16 * t as i64 + 16);
                    let pl = fx.pmaddwd(xl, wl);
                    let ph = fx.pmaddwd(xh, wh);
                    let acc = fx.b.use_var(v);
                    let acc = fx.ins().iadd(acc, pl);
                    let acc = fx.ins().iadd(acc, ph);
                    fx.b.def_var(v, acc);
                }
            });
            let acc: Vec<Value> = vars.iter().map(|&v| fx.b.use_var(v)).collect();
            let s01 = fx.ins().iadd_pairwise(acc[0], acc[1]);
            let s23 = fx.ins().iadd_pairwise(acc[2], acc[3]);
            let sums = fx.ins().iadd_pairwise(s01, s23);
            let bp = fx.index(bias, j, 4);
            let b = fx.load(I32X4, bp, 0);
            let sums = fx.ins().iadd(sums, b);
            let res = rescale::vec4(fx, sums, &consts, Shift::Dyn(amount), j, out);
            let half = fx.ins().snarrow(res, res);
            let bytes = fx.ins().unarrow(half, half);
            let word = fx.cast(I32X4, bytes);
            let word = fx.ins().extractlane(word, 0);
            let dst = fx.ins().iadd(crow, j);
            let end = fx.ins().iadd_imm_s(j, 4);
            let whole = fx.ins().icmp(cranelift_codegen::ir::condcodes::IntCC::SignedLessThanOrEqual, end, col1);
            fx.if_else(
                whole,
                |fx| fx.store(word, dst, 0),
                |fx| {
                    // The last columns of a chunk: only those below col1.
                    let left = fx.ins().isub(col1, j);
                    for t in 0..3i64 {
                        let keep = fx.ins().icmp_imm_s(cranelift_codegen::ir::condcodes::IntCC::SignedGreaterThan, left, t);
                        let byte = fx.ins().ushr_imm_s(word, 8 * t);
                        fx.if_else(keep, |fx| fx.store_u8(byte, dst, t), |_| {});
                    }
                },
            );
        });
    });
}

