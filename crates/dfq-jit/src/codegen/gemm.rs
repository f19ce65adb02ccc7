//! GEMM steps: for each item (group, row panel, column chunk), gather the
//! panel's rows (im2col, for convs other than 1×1) into the thread's scratch,
//! then call the microkernel on it.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64, I8X16};
use cranelift_codegen::ir::{InstBuilder, Value};

use super::fx::Fx;
use crate::plan::steps::{GemmInput, GemmStep, Im2col};

/// The loop over items `begin..end`; `kernel` is the address of the function to call.
pub(crate) fn emit(fx: &mut Fx, s: &GemmStep, input: Value, output: Value, kernel: Value, begin: Value, end: Value) {
    let (panels, chunks) = (s.panels() as i64, s.chunks() as i64);
    let es = s.esize as i64;
    fx.for_range(begin, end, 1, |fx, item| {
        let g = fx.ins().udiv_imm_s(item, panels * chunks);
        let rest = fx.ins().urem_imm_s(item, panels * chunks);
        let panel = fx.ins().udiv_imm_s(rest, chunks);
        let chunk = fx.ins().urem_imm_s(rest, chunks);
        let row0 = fx.ins().imul_imm_s(panel, s.panel_rows as i64);
        let total = fx.i64(s.rows as i64);
        let left = fx.ins().isub(total, row0);
        let cap = fx.i64(s.panel_rows as i64);
        let rows = fx.ins().umin(left, cap);
        let col0 = fx.ins().imul_imm_s(chunk, s.col_chunk as i64);
        let col_end = fx.ins().iadd_imm_s(col0, s.col_chunk as i64);
        let cols = fx.i64(s.cols as i64);
        let col1 = fx.ins().umin(col_end, cols);
        let layer = if s.groups == 1 {
            fx.i64(s.layers[0])
        } else {
            let table = fx.i64(s.layer_table);
            let p = fx.index(table, g, 8);
            fx.load(I64, p, 0)
        };
        // Output rows row0.., columns of group g.
        let out = fx.index(output, row0, s.ldc as i64 * es);
        let out = fx.index(out, g, s.cols as i64 * es);
        let (a, lda) = match &s.a {
            GemmInput::Direct { lda, group_offset } => {
                let a = fx.index(input, row0, *lda as i64 * es);
                (fx.index(a, g, *group_offset as i64 * es), *lda as i64)
            }
            GemmInput::Im2col(im) => {
                gather(fx, im, es, input, row0, rows, g);
                (fx.scratch, im.kp as i64)
            }
        };
        let (lda, ldc) = (fx.i64(lda), fx.i64(s.ldc as i64));
        fx.call_indirect(kernel, &[layer, a, lda, rows, col0, col1, out, ldc]);
    });
}

/// im2col of output pixels row0..row0 + rows into scratch rows of `kp` elements:
/// for each (ky, kx), the group's `cg` channels of the input pixel it reads, or
/// the fill value where it falls in the padding.
fn gather(fx: &mut Fx, im: &Im2col, es: i64, input: Value, row0: Value, rows: Value, g: Value) {
    let geo = im.geom;
    let bytes = im.cg as i64 * es;
    let zero = fx.i64(0);
    let group = fx.ins().imul_imm_s(g, bytes);
    let input = fx.ins().iadd(input, group);
    fx.for_range(zero, rows, 1, |fx, r| {
        let p = fx.ins().iadd(row0, r);
        let n = fx.ins().udiv_imm_s(p, (geo.oh * geo.ow) as i64);
        let rest = fx.ins().urem_imm_s(p, (geo.oh * geo.ow) as i64);
        let oy = fx.ins().udiv_imm_s(rest, geo.ow as i64);
        let ox = fx.ins().urem_imm_s(rest, geo.ow as i64);
        let scratch = fx.scratch;
        let dst_row = fx.index(scratch, r, im.kp as i64 * es);
        let iy0 = fx.ins().imul_imm_s(oy, geo.sh as i64);
        let ix0 = fx.ins().imul_imm_s(ox, geo.sw as i64);
        let image = fx.index(input, n, (geo.h * geo.w * geo.c) as i64 * es);
        // Pixels whose window lies inside the input (most of them) copy without
        // tests: a whole kernel row at once where its taps are contiguous.
        let (ylo, yhi) = geo.interior(0);
        let (xlo, xhi) = geo.interior(1);
        let inside = if ylo < yhi && xlo < xhi {
            let dy = fx.ins().iadd_imm_s(oy, -(ylo as i64));
            let dx = fx.ins().iadd_imm_s(ox, -(xlo as i64));
            let y_in = fx.ins().icmp_imm_u(IntCC::UnsignedLessThan, dy, (yhi - ylo) as i64);
            let x_in = fx.ins().icmp_imm_u(IntCC::UnsignedLessThan, dx, (xhi - xlo) as i64);
            fx.ins().band(y_in, x_in)
        } else {
            fx.ins().iconst(cranelift_codegen::ir::types::I8, 0)
        };
        let taps = |fx: &mut Fx, checked: bool| {
            for ky in 0..geo.kh {
                let iy = fx.ins().iadd_imm_s(iy0, (ky * geo.dh) as i64 - geo.pt as i64);
                let row_ok = fx.ins().icmp_imm_u(IntCC::UnsignedLessThan, iy, geo.h as i64);
                let line = fx.index(image, iy, (geo.w * geo.c) as i64 * es);
                if !checked && geo.dw == 1 && im.cg == geo.c {
                    let ix = fx.ins().iadd_imm_s(ix0, -(geo.pl as i64));
                    let src = fx.index(line, ix, geo.c as i64 * es);
                    let dst = fx.offset(dst_row, (ky * geo.kw) as i64 * bytes);
                    copy_over(fx, src, dst, geo.kw as i64 * bytes);
                    continue;
                }
                for kx in 0..geo.kw {
                    let ix = fx.ins().iadd_imm_s(ix0, (kx * geo.dw) as i64 - geo.pl as i64);
                    let src = fx.index(line, ix, geo.c as i64 * es);
                    let dst = fx.offset(dst_row, ((ky * geo.kw + kx) as i64) * bytes);
                    if !checked {
                        copy_over(fx, src, dst, bytes);
                        continue;
                    }
                    let col_ok = fx.ins().icmp_imm_u(IntCC::UnsignedLessThan, ix, geo.w as i64);
                    let ok = fx.ins().band(row_ok, col_ok);
                    fx.if_else(ok, |fx| copy_over(fx, src, dst, bytes), |fx| fill_over(fx, dst, bytes, im.fill, es));
                }
            }
        };
        fx.if_else(inside, |fx| taps(fx, false), |fx| taps(fx, true));
    });
}

/// Copies `bytes` bytes, possibly up to 15 more (the scratch is written in
/// increasing order, so what spills over is overwritten or padding).
fn copy_over(fx: &mut Fx, src: Value, dst: Value, bytes: i64) {
    if bytes <= 4 {
        let v = fx.load(I32, src, 0);
        fx.store(v, dst, 0);
    } else if bytes <= 8 {
        let v = fx.load(I64, src, 0);
        fx.store(v, dst, 0);
    } else if bytes <= 256 {
        for off in (0..bytes).step_by(16) {
            let v = fx.load(I8X16, src, off);
            fx.store(v, dst, off);
        }
    } else {
        fx.for_static(0, bytes, 16, |fx, off| {
            let (s, d) = (fx.ins().iadd(src, off), fx.ins().iadd(dst, off));
            let v = fx.load(I8X16, s, 0);
            fx.store(v, d, 0);
        });
    }
}

/// Fills `bytes` bytes (and possibly up to 15 more) with the fill element.
fn fill_over(fx: &mut Fx, dst: Value, bytes: i64, fill: u32, es: i64) {
    let pattern: u32 = if es == 1 { (fill & 0xFF) * 0x0101_0101 } else { fill };
    if bytes <= 4 {
        let v = fx.i32(pattern as i32);
        fx.store(v, dst, 0);
    } else if bytes <= 8 {
        let v = fx.i64(i64::from(pattern) | (i64::from(pattern) << 32));
        fx.store(v, dst, 0);
    } else {
        let lane = fx.i32(pattern as i32);
        let v = fx.splat(cranelift_codegen::ir::types::I32X4, lane);
        if bytes <= 256 {
            for off in (0..bytes).step_by(16) {
                fx.store(v, dst, off);
            }
        } else {
            fx.for_static(0, bytes, 16, |fx, off| {
                let d = fx.ins().iadd(dst, off);
                fx.store(v, d, 0);
            });
        }
    }
}
