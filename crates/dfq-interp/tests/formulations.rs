//! The interpreter's convolution and pooling against independent formulations
//! of the same maths, on seeded random shapes.

mod common;

use common::{assert_close, rng, uniform, OpCase};
use dfq_ir::Attribute;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// A random convolution problem; sizes are kept small so 200 cases run in a blink.
#[derive(Debug)]
struct ConvCase {
    batch: usize,
    groups: usize,
    in_per_group: usize,
    out_per_group: usize,
    input: [usize; 2],
    kernel: [usize; 2],
    strides: [usize; 2],
    dilations: [usize; 2],
    /// top, left, bottom, right
    pads: [usize; 4],
    bias: bool,
}

impl ConvCase {
    fn draw(r: &mut ChaCha8Rng) -> ConvCase {
        loop {
            let c = ConvCase {
                batch: r.gen_range(1..=2),
                groups: r.gen_range(1..=3),
                in_per_group: r.gen_range(1..=3),
                out_per_group: r.gen_range(1..=3),
                input: [r.gen_range(1..=9), r.gen_range(1..=9)],
                kernel: [r.gen_range(1..=4), r.gen_range(1..=4)],
                strides: [r.gen_range(1..=3), r.gen_range(1..=3)],
                dilations: [r.gen_range(1..=3), r.gen_range(1..=3)],
                pads: [r.gen_range(0..=3), r.gen_range(0..=3), r.gen_range(0..=3), r.gen_range(0..=3)],
                bias: r.gen_bool(0.5),
            };
            if (0..2).all(|a| c.span(a) <= c.padded(a)) {
                return c;
            }
        }
    }

    fn span(&self, axis: usize) -> usize {
        self.dilations[axis] * (self.kernel[axis] - 1) + 1
    }

    fn padded(&self, axis: usize) -> usize {
        self.input[axis] + self.pads[axis] + self.pads[axis + 2]
    }

    fn output(&self, axis: usize) -> usize {
        (self.padded(axis) - self.span(axis)) / self.strides[axis] + 1
    }

    fn channels(&self) -> (usize, usize) {
        (self.groups * self.in_per_group, self.groups * self.out_per_group)
    }

    fn input_shape(&self) -> [usize; 4] {
        [self.batch, self.channels().0, self.input[0], self.input[1]]
    }

    fn weight_shape(&self) -> [usize; 4] {
        [self.channels().1, self.in_per_group, self.kernel[0], self.kernel[1]]
    }

    fn op(&self, x: &[f32], w: &[f32], b: Option<&[f32]>) -> OpCase {
        let case = OpCase::new("nn.conv2d").f32(&self.input_shape(), x.to_vec()).f32(&self.weight_shape(), w.to_vec());
        let case = match b {
            Some(b) => case.f32(&[b.len()], b.to_vec()),
            None => case,
        };
        let as_i64 = |v: &[usize]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
        case.ints("strides", &as_i64(&self.strides))
            .ints("dilations", &as_i64(&self.dilations))
            .ints("pads", &as_i64(&self.pads))
            .int("groups", self.groups as i64)
    }
}

/// Convolution as im2col + matrix product, in f64: for each image and group,
/// columns[(c, ky, kx), (oy, ox)] holds the input each output position reads
/// (0 in the padding), and out = W_group · columns + bias.
fn conv_im2col(c: &ConvCase, x: &[f32], w: &[f32], b: Option<&[f32]>) -> Vec<f32> {
    let (cin, cout) = c.channels();
    let [h, wd] = c.input;
    let (oh, ow) = (c.output(0), c.output(1));
    let rows = c.in_per_group * c.kernel[0] * c.kernel[1];
    let mut out = vec![0f32; c.batch * cout * oh * ow];
    for n in 0..c.batch {
        for g in 0..c.groups {
            let mut columns = vec![0f64; rows * oh * ow];
            for ci in 0..c.in_per_group {
                for ky in 0..c.kernel[0] {
                    for kx in 0..c.kernel[1] {
                        let row = (ci * c.kernel[0] + ky) * c.kernel[1] + kx;
                        for oy in 0..oh {
                            for ox in 0..ow {
                                let iy = (oy * c.strides[0] + ky * c.dilations[0]) as isize - c.pads[0] as isize;
                                let ix = (ox * c.strides[1] + kx * c.dilations[1]) as isize - c.pads[1] as isize;
                                if (0..h as isize).contains(&iy) && (0..wd as isize).contains(&ix) {
                                    let ch = g * c.in_per_group + ci;
                                    let v = x[((n * cin + ch) * h + iy as usize) * wd + ix as usize];
                                    columns[row * oh * ow + oy * ow + ox] = v as f64;
                                }
                            }
                        }
                    }
                }
            }
            for oi in 0..c.out_per_group {
                let o = g * c.out_per_group + oi;
                for p in 0..oh * ow {
                    let dot: f64 = (0..rows).map(|r| w[o * rows + r] as f64 * columns[r * oh * ow + p]).sum();
                    out[(n * cout + o) * oh * ow + p] = (dot + b.map_or(0.0, |b| b[o] as f64)) as f32;
                }
            }
        }
    }
    out
}

#[test]
fn conv2d_matches_im2col_matmul() {
    let mut r = rng(1);
    for case_index in 0..200 {
        let c = ConvCase::draw(&mut r);
        let x = uniform(&mut r, c.input_shape().iter().product(), -1.0, 1.0);
        let w = uniform(&mut r, c.weight_shape().iter().product(), -1.0, 1.0);
        let b = c.bias.then(|| uniform(&mut r, c.channels().1, -1.0, 1.0));
        let got = c.op(&x, &w, b.as_deref()).run();
        assert_eq!(got.shape, [c.batch, c.channels().1, c.output(0), c.output(1)], "case {case_index}: {c:?}");
        let want = conv_im2col(&c, &x, &w, b.as_deref());
        assert_close(got.as_f32().unwrap(), &want, 1e-5);
    }
}

/// A grouped weight (O, C/g, KH, KW) as the dense (O, C, KH, KW) weight that is
/// zero outside each output channel's group.
fn block_diagonal(c: &ConvCase, w: &[f32]) -> Vec<f32> {
    let (cin, cout) = c.channels();
    let taps = c.kernel[0] * c.kernel[1];
    let mut dense = vec![0f32; cout * cin * taps];
    for o in 0..cout {
        let g = o / c.out_per_group;
        for ci in 0..c.in_per_group {
            let src = &w[(o * c.in_per_group + ci) * taps..][..taps];
            dense[(o * cin + g * c.in_per_group + ci) * taps..][..taps].copy_from_slice(src);
        }
    }
    dense
}

#[test]
fn grouped_and_depthwise_equal_block_diagonal_dense_conv() {
    let mut r = rng(2);
    for i in 0..100 {
        let mut c = ConvCase::draw(&mut r);
        if i % 2 == 0 {
            // Depthwise: one input and one output channel per group.
            c.groups = r.gen_range(1..=6);
            (c.in_per_group, c.out_per_group) = (1, 1);
        }
        let x = uniform(&mut r, c.input_shape().iter().product(), -1.0, 1.0);
        let w = uniform(&mut r, c.weight_shape().iter().product(), -1.0, 1.0);
        let grouped = c.op(&x, &w, None).run_f32();
        let dense_w = block_diagonal(&c, &w);
        let dense_case = ConvCase { groups: 1, in_per_group: c.channels().0, out_per_group: c.channels().1, ..c };
        // The extra terms are exact zeros and the order of the others is the same: equal bits.
        assert_eq!(grouped, dense_case.op(&x, &dense_w, None).run_f32(), "{dense_case:?}");
    }
}

#[test]
fn avg_pool_equals_depthwise_conv_with_constant_weights() {
    let mut r = rng(3);
    let mut ran = 0;
    for _ in 0..100 {
        let mut c = ConvCase::draw(&mut r);
        (c.in_per_group, c.out_per_group, c.dilations) = (1, 1, [1, 1]);
        // Pools need pads smaller than the kernel, and a window that fits.
        c.pads = [0, 1, 2, 3].map(|i| c.pads[i].min(c.kernel[i % 2] - 1));
        if (0..2).any(|a| c.span(a) > c.padded(a)) {
            continue;
        }
        let x = uniform(&mut r, c.input_shape().iter().product(), -1.0, 1.0);
        let as_i64 = |v: &[usize]| v.iter().map(|&x| x as i64).collect::<Vec<_>>();
        let pool = |include: bool| {
            OpCase::new("nn.avg_pool2d")
                .f32(&c.input_shape(), x.clone())
                .ints("kernel", &as_i64(&c.kernel))
                .ints("strides", &as_i64(&c.strides))
                .ints("pads", &as_i64(&c.pads))
                .attr("count_include_pad", Attribute::Bool(include))
                .run_f32()
        };
        let taps = c.kernel[0] * c.kernel[1];
        let w_len = c.weight_shape().iter().product();
        // count_include_pad: the window mean is a convolution with weights 1 / (KH·KW).
        let mean_w = vec![1.0 / taps as f32; w_len];
        assert_close(&pool(true), &c.op(&x, &mean_w, None).run_f32(), 1e-5);
        // Otherwise the divisor is the number of real inputs, the window sum of a tensor of ones.
        let sums = c.op(&x, &vec![1.0; w_len], None).run_f32();
        let ones = vec![1.0; x.len()];
        let counts = c.op(&ones, &vec![1.0; w_len], None).run_f32();
        let want: Vec<f32> = sums.iter().zip(&counts).map(|(s, n)| s / n).collect();
        assert_close(&pool(false), &want, 1e-5);
        ran += 1;
    }
    assert!(ran >= 50, "only {ran} cases fit a pool");
}

#[test]
fn linear_equals_pointwise_conv() {
    let mut r = rng(4);
    for _ in 0..50 {
        let (n, k, m) = (r.gen_range(1..=3), r.gen_range(1..=20), r.gen_range(1..=20));
        let x = uniform(&mut r, n * k, -1.0, 1.0);
        let w = uniform(&mut r, m * k, -1.0, 1.0);
        let b = uniform(&mut r, m, -1.0, 1.0);
        let fc =
            OpCase::new("nn.linear").f32(&[n, k], x.clone()).f32(&[m, k], w.clone()).f32(&[m], b.clone()).run_f32();
        let conv = OpCase::new("nn.conv2d").f32(&[n, k, 1, 1], x).f32(&[m, k, 1, 1], w).f32(&[m], b).run_f32();
        // Both sum bias + x₀w₀ + x₁w₁ + … in the same order.
        assert_eq!(fc, conv);
    }
}
