//! Data movement: block copies (concat parts, imports and exports, through a
//! byte table where values change representation) and NCHW ↔ NHWC transposes.

use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::elementwise::copy_exact;
use super::fx::Fx;
use crate::plan::steps::{CopyStep, TransposeStep};

pub(crate) fn copy(fx: &mut Fx, s: &CopyStep, x: Value, y: Value, begin: Value, end: Value) {
    let per = s.outer_per_item() as i64;
    let es = s.esize as i64;
    let lo = fx.ins().imul_imm_s(begin, per);
    let hi = fx.ins().imul_imm_s(end, per);
    let outer = fx.i64(s.outer as i64);
    let hi = fx.ins().umin(hi, outer);
    let y = fx.offset(y, s.out_offset as i64 * es);
    fx.for_range(lo, hi, 1, |fx, o| {
        let src = fx.index(x, o, s.in_stride as i64 * es);
        let dst = fx.index(y, o, s.out_stride as i64 * es);
        match s.lut {
            Some(table) => {
                fx.for_static(0, s.block as i64, 1, |fx, i| {
                    let sp = fx.ins().iadd(src, i);
                    let v = fx.load_u8(I64, sp, 0);
                    let t = fx.i64(table);
                    let tp = fx.ins().iadd(t, v);
                    let r = fx.load_u8(I32, tp, 0);
                    let dp = fx.ins().iadd(dst, i);
                    fx.store_u8(r, dp, 0);
                });
            }
            None => copy_exact(fx, src, dst, s.block as i64 * es),
        }
    });
}

/// Items are (image, input row): row r of image n becomes column r.
pub(crate) fn transpose(fx: &mut Fx, s: &TransposeStep, x: Value, y: Value, begin: Value, end: Value) {
    let es = s.esize as i64;
    fx.for_range(begin, end, 1, |fx, item| {
        let n = fx.ins().udiv_imm_s(item, s.rows as i64);
        let r = fx.ins().urem_imm_s(item, s.rows as i64);
        let src = fx.index(x, item, s.cols as i64 * es);
        let image = fx.index(y, n, (s.rows * s.cols) as i64 * es);
        let dst = fx.index(image, r, es);
        fx.for_static(0, s.cols as i64, 1, |fx, c| {
            let sp = fx.index(src, c, es);
            let dp = fx.index(dst, c, s.rows as i64 * es);
            if es == 1 {
                let v = fx.load_u8(I32, sp, 0);
                fx.store_u8(v, dp, 0);
            } else {
                let v = fx.load(I32, sp, 0);
                fx.store(v, dp, 0);
            }
        });
    });
}
