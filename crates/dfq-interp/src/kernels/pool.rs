//! Window reductions over NCHW planes: max, sum (for averages), global mean.
//! The kernels take `planes` = N·C independent planes.

use super::window::Window;

/// The maximum of each window; padding never wins (every window holds an
/// input element because pads are smaller than the kernel).
pub(crate) fn max_pool2d<T: Copy + PartialOrd>(x: &[T], planes: usize, win: &Window) -> Vec<T> {
    let mut out = Vec::with_capacity(planes * win.plane_out());
    for input in x.chunks_exact(win.plane_in()).take(planes) {
        for oy in 0..win.output[0] {
            for ox in 0..win.output[1] {
                let (rows, cols) = win.covered(oy, ox);
                let mut best = input[rows.start * win.input[1] + cols.start];
                for y in rows {
                    for &v in &input[y * win.input[1]..][cols.clone()] {
                        if v > best {
                            best = v;
                        }
                    }
                }
                out.push(best);
            }
        }
    }
    out
}

/// Sum of each window's input elements (padding adds nothing) and the number of
/// positions the average divides by: the whole window when `count_include_pad`,
/// else the input elements it covers.
pub(crate) fn window_sums<T, S>(
    x: &[T],
    planes: usize,
    win: &Window,
    count_include_pad: bool,
    zero: S,
    add: impl Fn(S, T) -> S,
) -> Vec<(S, usize)>
where
    T: Copy,
    S: Copy,
{
    let mut out = Vec::with_capacity(planes * win.plane_out());
    for input in x.chunks_exact(win.plane_in()).take(planes) {
        for oy in 0..win.output[0] {
            for ox in 0..win.output[1] {
                let (rows, cols) = win.covered(oy, ox);
                let count = if count_include_pad { win.taps() } else { rows.len() * cols.len() };
                let mut sum = zero;
                for y in rows {
                    for &v in &input[y * win.input[1]..][cols.clone()] {
                        sum = add(sum, v);
                    }
                }
                out.push((sum, count));
            }
        }
    }
    out
}

/// The mean of each of `planes` planes of `plane_len` elements.
pub(crate) fn global_avg_pool(x: &[f32], plane_len: usize) -> Vec<f32> {
    x.chunks_exact(plane_len).map(|p| p.iter().sum::<f32>() / plane_len as f32).collect()
}
