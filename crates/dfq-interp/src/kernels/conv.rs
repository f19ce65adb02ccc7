//! Direct 2-D convolution (ONNX Conv: groups, strides, dilations, asymmetric pads).
//!
//! One generic loop nest serves the f32 and the integer convolution. It walks
//! output channel → input channel → kernel tap → output row, and the innermost
//! loop runs over an output row reading the input row contiguously (stride 1) —
//! an axpy the compiler vectorizes. Padding is never materialized: each tap only
//! visits the output positions where it reads inside the input.

use super::window::Window;

/// Sizes of a convolution; the weight is (O, C / groups, KH, KW).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ConvShape {
    pub batch: usize,
    pub in_channels: usize,
    pub out_channels: usize,
    pub groups: usize,
    pub window: Window,
}

impl ConvShape {
    pub fn in_per_group(&self) -> usize {
        self.in_channels / self.groups
    }

    pub fn out_per_group(&self) -> usize {
        self.out_channels / self.groups
    }
}

/// out[n, o] = init(o) + Σ_{c in o's group, ky, kx} x[n, c, ·] ⋆ w[o, c, ky, kx],
/// where `mac(acc, x, w)` adds one product to an accumulator.
pub(crate) fn conv2d<X, W, A>(
    x: &[X],
    w: &[W],
    shape: &ConvShape,
    init: impl Fn(usize) -> A,
    mac: impl Fn(&mut A, X, W) + Copy,
) -> Vec<A>
where
    X: Copy,
    W: Copy,
    A: Copy,
{
    let win = &shape.window;
    let (cg, og) = (shape.in_per_group(), shape.out_per_group());
    let (plane_in, plane_out, taps) = (win.plane_in(), win.plane_out(), win.taps());
    let image_in = shape.in_channels * plane_in;
    let mut out = Vec::with_capacity(shape.batch * shape.out_channels * plane_out);
    for n in 0..shape.batch {
        let image = &x[n * image_in..][..image_in];
        for o in 0..shape.out_channels {
            let start = out.len();
            out.resize(start + plane_out, init(o));
            let plane = &mut out[start..];
            let first_channel = (o / og) * cg;
            for ci in 0..cg {
                let input = &image[(first_channel + ci) * plane_in..][..plane_in];
                let kernel = &w[(o * cg + ci) * taps..][..taps];
                accumulate_plane(plane, input, kernel, win, mac);
            }
        }
    }
    out
}

/// plane += input ⋆ kernel for one (output channel, input channel) pair.
fn accumulate_plane<X: Copy, W: Copy, A>(
    plane: &mut [A],
    input: &[X],
    kernel: &[W],
    win: &Window,
    mac: impl Fn(&mut A, X, W) + Copy,
) {
    if win.is_pointwise() {
        let wv = kernel[0];
        plane.iter_mut().zip(input).for_each(|(acc, &xv)| mac(acc, xv, wv));
        return;
    }
    let [in_w, out_w] = [win.input[1], win.output[1]];
    for ky in 0..win.kernel[0] {
        let rows = win.valid_outputs(0, ky);
        for kx in 0..win.kernel[1] {
            let cols = win.valid_outputs(1, kx);
            if cols.is_empty() {
                continue;
            }
            let wv = kernel[ky * win.kernel[1] + kx];
            let first_x = win.input_at(1, cols.start, kx);
            for oy in rows.clone() {
                let in_row = &input[win.input_at(0, oy, ky) * in_w..][..in_w];
                let out_row = &mut plane[oy * out_w..][cols.clone()];
                if win.strides[1] == 1 {
                    let in_seg = &in_row[first_x..][..out_row.len()];
                    out_row.iter_mut().zip(in_seg).for_each(|(acc, &xv)| mac(acc, xv, wv));
                } else {
                    let in_seg = in_row[first_x..].iter().step_by(win.strides[1]);
                    out_row.iter_mut().zip(in_seg).for_each(|(acc, &xv)| mac(acc, xv, wv));
                }
            }
        }
    }
}
