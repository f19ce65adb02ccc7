//! The qnn ops: exact results on cases worked out by hand, and agreement within
//! one unit of the output scale with a float computation on random data.

mod common;

use common::{i32_operand, ints, quant, quant_axis0, quant_operand, quant_with, rng, tensor_type, OpCase};
use dfq_interp::Tensor;
use dfq_ir::{Attribute, ElementType, QuantParams, QuantType};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

const U8: bool = false;
const I8: bool = true;

#[test]
fn quantize_per_tensor() {
    // s = 0.5, z = 128: x/s = −2 → 126, 0 → 128, 0.5 (tie, to even 0) → 128, 1.2 → 129, 200 → 328 → 255.
    let out =
        OpCase::new("qnn.quantize").f32(&[5], vec![-1.0, 0.0, 0.25, 0.6, 100.0]).result(quant(U8, 0.5, 128)).run();
    assert_eq!((out.dtype(), ints(&out)), ("u8", vec![126, 128, 128, 129, 255]));
}

#[test]
fn quantize_and_dequantize_per_axis() {
    // Axis 1 of (2, 3): column c has (s, z) = (1, 0), (0.5, 1), (0.25, −1).
    //   column 0: 1.5 → 2 (tie to even), −0.5 → 0 (tie to even);
    //   column 1: 1.5/0.5 = 3 → 4, 100/0.5 + 1 = 201 → 127;
    //   column 2: 1.5/0.25 − 1 = 5, −100/0.25 − 1 = −401 → −128.
    let per_axis =
        quant_with(I8, QuantParams::PerAxis { axis: 1, scales: vec![1.0, 0.5, 0.25], zero_points: vec![0, 1, -1] });
    let q = OpCase::new("qnn.quantize")
        .f32(&[2, 3], vec![1.5, 1.5, 1.5, -0.5, 100.0, -100.0])
        .result(per_axis.clone())
        .run();
    assert_eq!((q.dtype(), ints(&q)), ("i8", vec![2, 4, 5, 0, 127, -128]));
    // Back: (2 − 0)·1 = 2, (4 − 1)·0.5 = 1.5, (5 + 1)·0.25 = 1.5, 0, (127 − 1)·0.5 = 63, (−128 + 1)·0.25 = −31.75.
    let x = OpCase::new("qnn.dequantize").operand(tensor_type(&[2, 3], per_axis), q).run_f32();
    assert_eq!(x, [2.0, 1.5, 1.5, 0.0, 63.0, -31.75]);
}

#[test]
fn quantize_to_a_narrow_range() {
    // i8<-127:127>: −1000 saturates at −127, not −128.
    let narrow = ElementType::Quant(Box::new(QuantType {
        storage_signed: true,
        storage_width: 8,
        storage_range: Some((-127, 127)),
        expressed: ElementType::F32,
        params: QuantParams::PerTensor { scale: 1.0, zero_point: 0 },
    }));
    let out = OpCase::new("qnn.quantize").f32(&[2], vec![-1000.0, 1000.0]).result(narrow).run();
    assert_eq!(ints(&out), [-127, 127]);
}

#[test]
fn requantize_scales_and_saturates() {
    // u8 (0.5, 128) → i8 (0.25, −1), M = 2: q − 128 = [−128, −1, 0, 1, 127] → ·2 − 1 =
    // [−257, −3, −1, 1, 253] → clamped to i8 [−128, −3, −1, 1, 127].
    let (ty, x) = quant_operand(&[5], quant(U8, 0.5, 128), &[0, 127, 128, 129, 255]);
    let out = OpCase::new("qnn.requantize").operand(ty, x).result(quant(I8, 0.25, -1)).run();
    assert_eq!(ints(&out), [-128, -3, -1, 1, 127]);
    // u8 (0.5, 128) → u8 (1, 0), M = 0.5: [1, 3, −1, −3] → [0.5, 1.5, −0.5, −1.5] → halves up
    // [1, 2, 0, −1] → clamped [1, 2, 0, 0].
    let (ty, x) = quant_operand(&[4], quant(U8, 0.5, 128), &[129, 131, 127, 125]);
    let out = OpCase::new("qnn.requantize").operand(ty, x).result(quant(U8, 1.0, 0)).run();
    assert_eq!(ints(&out), [1, 2, 0, 0]);
}

/// Input u8 (0.5, z = 2) [2, 4, 6, 0] → centered [0, 2, 4, −2]; two 1×1 output channels
/// with weights [3, −1] (scales 0.25 and 0.5) and bias [1, −1]; output u8 (0.5, z = 10).
fn hand_conv(act: Option<(i64, i64)>) -> Vec<i64> {
    let (x_ty, x) = quant_operand(&[1, 1, 2, 2], quant(U8, 0.5, 2), &[2, 4, 6, 0]);
    let (w_ty, w) = quant_operand(&[2, 1, 1, 1], quant_axis0(vec![0.25, 0.5], vec![0, 0]), &[3, -1]);
    let (b_ty, b) = i32_operand(&[1, -1]);
    let mut case =
        OpCase::new("qnn.conv2d").operand(x_ty, x).operand(w_ty, w).operand(b_ty, b).result(quant(U8, 0.5, 10));
    if let Some((lo, hi)) = act {
        case = case.int("act_min", lo).int("act_max", hi);
    }
    ints(&case.run())
}

#[test]
fn conv2d_exact() {
    // o0: acc = 1 + 3·[0, 2, 4, −2] = [1, 7, 13, −5], M = 0.5·0.25/0.5 = 0.25:
    //     [0.25, 1.75, 3.25, −1.25] → [0, 2, 3, −1] → + 10 = [10, 12, 13, 9].
    // o1: acc = −1 − [0, 2, 4, −2] = [−1, −3, −5, 1], M = 0.5·0.5/0.5 = 0.5:
    //     [−0.5, −1.5, −2.5, 0.5] → halves up [0, −1, −2, 1] → + 10 = [10, 9, 8, 11].
    assert_eq!(hand_conv(None), [10, 12, 13, 9, 10, 9, 8, 11]);
    // Fused clamp [10, 12] (a ReLU with a cap).
    assert_eq!(hand_conv(Some((10, 12))), [10, 12, 12, 10, 10, 10, 10, 11]);
}

#[test]
fn conv2d_padding_is_real_zero() {
    // One input 103 with z = 100 (real 3), a 3×3 kernel of ones, pads 1: only the centre tap
    // reads the input; the 8 padded taps hold z and add 0. acc = 3 → 3. (Zeros would give −797.)
    let (x_ty, x) = quant_operand(&[1, 1, 1, 1], quant(U8, 1.0, 100), &[103]);
    let (w_ty, w) = quant_operand(&[1, 1, 3, 3], quant(I8, 1.0, 0), &[1; 9]);
    let out = OpCase::new("qnn.conv2d")
        .operand(x_ty, x)
        .operand(w_ty, w)
        .ints("pads", &[1, 1, 1, 1])
        .result(quant(U8, 1.0, 0))
        .run();
    assert_eq!(ints(&out), [3]);
}

#[test]
fn linear_exact() {
    // x u8 (1, z = 1) [2, 3, 4] → [1, 2, 3]; W i8 (0.5) [[1, 1, 1], [2, 0, −2]]; bias [0, 1];
    // out i8 (1, 0), M = 0.5. o0: 6·0.5 = 3; o1: (1 + 2 − 6)·0.5 = −1.5 → halves up → −1.
    let (x_ty, x) = quant_operand(&[1, 3], quant(U8, 1.0, 1), &[2, 3, 4]);
    let (w_ty, w) = quant_operand(&[2, 3], quant(I8, 0.5, 0), &[1, 1, 1, 2, 0, -2]);
    let (b_ty, b) = i32_operand(&[0, 1]);
    let out =
        OpCase::new("qnn.linear").operand(x_ty, x).operand(w_ty, w).operand(b_ty, b).result(quant(I8, 1.0, 0)).run();
    assert_eq!(ints(&out), [3, -1]);
}

#[test]
fn add_exact() {
    // Equal scales 0.5: s = 1, a = l·2^19, b = r·2^19, M_sum = 1/(2^20·0.5) = 2^−19: l + r exactly.
    let (l_ty, l) = quant_operand(&[3], quant(U8, 0.5, 0), &[1, 2, 3]);
    let (r_ty, r) = quant_operand(&[3], quant(U8, 0.5, 0), &[1, 1, 1]);
    let out = OpCase::new("qnn.add").operand(l_ty, l).operand(r_ty, r).result(quant(U8, 0.5, 0)).run();
    assert_eq!(ints(&out), [2, 3, 4]);
    // 3 at scale 1 plus 3 at scale 0.5 (real 3 + 1.5 = 4.5): s = 2, a = 3·2^19, b = 3·2^18,
    // (a + b)·2/(2^20·1) = 4.5 → halves up → 5.
    let (l_ty, l) = quant_operand(&[1], quant(U8, 1.0, 0), &[3]);
    let (r_ty, r) = quant_operand(&[1], quant(U8, 0.5, 0), &[3]);
    let out = OpCase::new("qnn.add").operand(l_ty, l).operand(r_ty, r).result(quant(U8, 1.0, 0)).run();
    assert_eq!(ints(&out), [5]);
}

#[test]
fn add_broadcasts_with_fused_clamp() {
    // (2, 2) + (2), all at scale 1, zero points 10 (l), 0 (r), 5 (out); act [5, 8]:
    // reals [[0, 1], [2, 3]] + [1, 2] = [[1, 3], [3, 5]] → + 5 = [6, 8, 8, 10] → [6, 8, 8, 8].
    let (l_ty, l) = quant_operand(&[2, 2], quant(U8, 1.0, 10), &[10, 11, 12, 13]);
    let (r_ty, r) = quant_operand(&[2], quant(U8, 1.0, 0), &[1, 2]);
    let out = OpCase::new("qnn.add")
        .operand(l_ty, l)
        .operand(r_ty, r)
        .int("act_min", 5)
        .int("act_max", 8)
        .result(quant(U8, 1.0, 5))
        .run();
    assert_eq!(ints(&out), [6, 8, 8, 8]);
}

#[test]
fn clamp_on_stored_integers() {
    let (ty, x) = quant_operand(&[3], quant(U8, 0.1, 0), &[0, 50, 200]);
    let out = OpCase::new("qnn.clamp").operand(ty, x).int("min", 10).int("max", 100).run();
    assert_eq!(ints(&out), [10, 50, 100]);
}

#[test]
fn channel_clamp_bounds_each_channel() {
    // (1, 2, 1, 2): channel 0 to [10, 100], channel 1 to [60, 70].
    let (ty, x) = quant_operand(&[1, 2, 1, 2], quant(U8, 0.1, 0), &[0, 200, 50, 65]);
    let out = OpCase::new("qnn.channel_clamp").operand(ty, x).ints("min", &[10, 60]).ints("max", &[100, 70]).run();
    assert_eq!(ints(&out), [10, 100, 60, 65]);
    // (N, C) features: the channel is the last index.
    let (ty, x) = quant_operand(&[2, 2], quant(I8, 0.1, 0), &[-100, 100, 0, -5]);
    let out = OpCase::new("qnn.channel_clamp").operand(ty, x).ints("min", &[-10, 0]).ints("max", &[10, 50]).run();
    assert_eq!(ints(&out), [-10, 50, 0, 0]);
}

#[test]
fn max_pool_on_stored_integers() {
    // i8 −[1..9], 2×2 windows with pads (1, 1, 0, 0): the same maxima as the f32 case.
    let values: Vec<i64> = (1..=9).map(|v| -v).collect();
    let (ty, x) = quant_operand(&[1, 1, 3, 3], quant(I8, 0.1, 0), &values);
    let out = OpCase::new("qnn.max_pool2d").operand(ty, x).ints("kernel", &[2, 2]).ints("pads", &[1, 1, 0, 0]).run();
    assert_eq!((out.dtype(), ints(&out)), ("i8", vec![-1, -1, -2, -1, -1, -2, -4, -4, -5]));
}

#[test]
fn avg_pool_counts() {
    // u8 (1, z = 10) [11, 12, 13, 15] → [1, 2, 3, 5]; 2×2 windows, pads (1, 1, 0, 0);
    // sums 1, 3, 4, 11 over 1, 2, 2, 4 inputs. Output (1, z = 10).
    let pool = |include: bool| {
        let (ty, x) = quant_operand(&[1, 1, 2, 2], quant(U8, 1.0, 10), &[11, 12, 13, 15]);
        let case = OpCase::new("qnn.avg_pool2d")
            .operand(ty, x)
            .ints("kernel", &[2, 2])
            .ints("pads", &[1, 1, 0, 0])
            .attr("count_include_pad", Attribute::Bool(include))
            .result(quant(U8, 1.0, 10));
        ints(&case.run())
    };
    // 1/1 = 1, 3/2 = 1.5 → 2, 4/2 = 2, 11/4 = 2.75 → 3; + 10.
    assert_eq!(pool(false), [11, 12, 12, 13]);
    // Divided by 4: 0.25 → 0, 0.75 → 1, 1, 2.75 → 3; + 10.
    assert_eq!(pool(true), [10, 11, 11, 13]);
}

#[test]
fn global_avg_pool_ties_up() {
    // c0: (1 + 2)/2 = 1.5 → 2; c1: (3 + 4)/2 = 3.5 → 4.
    let (ty, x) = quant_operand(&[1, 2, 1, 2], quant(U8, 1.0, 0), &[1, 2, 3, 4]);
    let out = OpCase::new("qnn.global_avg_pool").operand(ty, x).result(quant(U8, 1.0, 0)).run();
    assert_eq!((out.shape.as_slice(), ints(&out)), (&[1, 2, 1, 1][..], vec![2, 4]));
}

#[test]
fn concat_requantizes_each_input() {
    // [10] at the output's quantization is copied; [6, 2] at (0.5, z = 4) is real [1, −1] → [1, 0] in u8.
    let (a_ty, a) = quant_operand(&[1, 1], quant(U8, 1.0, 0), &[10]);
    let (b_ty, b) = quant_operand(&[1, 2], quant(U8, 0.5, 4), &[6, 2]);
    let out =
        OpCase::new("qnn.concat").operand(a_ty, a).operand(b_ty, b).int("axis", 1).result(quant(U8, 1.0, 0)).run();
    assert_eq!((out.shape.as_slice(), ints(&out)), (&[1, 3][..], vec![10, 1, 0]));
}

#[test]
fn flatten_and_reshape_keep_the_integers() {
    let values: Vec<i64> = (0..12).collect();
    let (ty, x) = quant_operand(&[1, 3, 2, 2], quant(U8, 0.1, 3), &values);
    let flat = OpCase::new("qnn.flatten").operand(ty.clone(), x.clone()).run();
    assert_eq!((flat.shape.as_slice(), ints(&flat)), (&[1, 12][..], values.clone()));
    let reshaped = OpCase::new("qnn.reshape").operand(ty, x).ints("shape", &[-1, 4]).run();
    assert_eq!((reshaped.shape.as_slice(), ints(&reshaped)), (&[3, 4][..], values));
}

// Against float arithmetic: dequantize, compute in f64, quantize with round-to-nearest.
// The integer result may differ by one unit: the multiplier has 31 bits and ties go up.

fn requantize_real(y: f64, scale: f64, zero: i64, (lo, hi): (i64, i64)) -> i64 {
    ((y / scale).round() as i64 + zero).clamp(lo, hi)
}

#[track_caller]
fn assert_within_one(got: &[i64], want: &[i64]) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1, "element {i}: integer {g}, float {w}");
    }
}

fn random_ints(r: &mut ChaCha8Rng, n: usize, lo: i64, hi: i64) -> Vec<i64> {
    (0..n).map(|_| r.gen_range(lo..=hi)).collect()
}

#[test]
fn conv2d_matches_float_within_one() {
    let mut r = rng(20);
    for _ in 0..60 {
        let groups = r.gen_range(1..=3);
        let (cg, og) = (r.gen_range(1..=4), r.gen_range(1..=4));
        let (c, o) = (groups * cg, groups * og);
        let (h, w) = (r.gen_range(3..=8), r.gen_range(3..=8));
        let k = r.gen_range(1..=3);
        let stride = r.gen_range(1..=2);
        let pads = [r.gen_range(0..k), r.gen_range(0..k), r.gen_range(0..k), r.gen_range(0..k)];
        let (oh, ow) = ((h + pads[0] + pads[2] - k) / stride + 1, (w + pads[1] + pads[3] - k) / stride + 1);

        let (s_in, z_in) = (r.gen_range(0.01..0.1), r.gen_range(0..=255));
        let x = random_ints(&mut r, c * h * w, 0, 255);
        let w_scales: Vec<f64> = (0..o).map(|_| r.gen_range(0.002..0.05)).collect();
        let w_zeros = random_ints(&mut r, o, -5, 5);
        let wq = random_ints(&mut r, o * cg * k * k, -127, 127);
        let bias: Vec<i32> = (0..o).map(|_| r.gen_range(-3000..=3000)).collect();

        // The float reference: real input, real weights, real bias.
        let xr = |ci: usize, y: isize, xx: isize| -> f64 {
            if y < 0 || xx < 0 || y >= h as isize || xx >= w as isize {
                return 0.0; // padding is real zero
            }
            s_in * (x[(ci * h + y as usize) * w + xx as usize] - z_in) as f64
        };
        let mut real = vec![0f64; o * oh * ow];
        for oc in 0..o {
            let g = oc / og;
            for oy in 0..oh {
                for ox in 0..ow {
                    let mut sum = bias[oc] as f64 * s_in * w_scales[oc];
                    for ci in 0..cg {
                        for ky in 0..k {
                            for kx in 0..k {
                                let wv = w_scales[oc] * (wq[((oc * cg + ci) * k + ky) * k + kx] - w_zeros[oc]) as f64;
                                let y = (oy * stride + ky) as isize - pads[0] as isize;
                                let xx = (ox * stride + kx) as isize - pads[1] as isize;
                                sum += wv * xr(g * cg + ci, y, xx);
                            }
                        }
                    }
                    real[(oc * oh + oy) * ow + ox] = sum;
                }
            }
        }
        // An output scale that spans the real outputs, a zero point in the middle.
        let span = real.iter().fold(0f64, |m, v| m.max(v.abs())).max(1e-3);
        let (s_out, z_out) = (span / 100.0, r.gen_range(100..=155));
        let want: Vec<i64> = real.iter().map(|&y| requantize_real(y, s_out, z_out, (0, 255))).collect();

        let (x_ty, x_t) = quant_operand(&[1, c, h, w], quant(U8, s_in, z_in), &x);
        let (w_ty, w_t) = quant_operand(&[o, cg, k, k], quant_axis0(w_scales.clone(), w_zeros.clone()), &wq);
        let (b_ty, b_t) = i32_operand(&bias);
        let out = OpCase::new("qnn.conv2d")
            .operand(x_ty, x_t)
            .operand(w_ty, w_t)
            .operand(b_ty, b_t)
            .ints("strides", &[stride as i64; 2])
            .ints("pads", &pads.map(|p| p as i64))
            .int("groups", groups as i64)
            .result(quant(U8, s_out, z_out))
            .run();
        assert_within_one(&ints(&out), &want);
    }
}

#[test]
fn linear_matches_float_within_one() {
    let mut r = rng(21);
    for _ in 0..100 {
        let (n, k, m) = (r.gen_range(1..=3), r.gen_range(1..=64), r.gen_range(1..=16));
        let (s_in, z_in) = (r.gen_range(0.01..0.1), r.gen_range(-128..=127));
        let x = random_ints(&mut r, n * k, -128, 127);
        let (s_w, z_w) = (r.gen_range(0.002..0.05), r.gen_range(-3..=3));
        let wq = random_ints(&mut r, m * k, -127, 127);
        let bias: Vec<i32> = (0..m).map(|_| r.gen_range(-3000..=3000)).collect();
        let real: Vec<f64> = (0..n)
            .flat_map(|row| {
                let (x, wq, bias) = (&x, &wq, &bias);
                (0..m).map(move |col| {
                    let dot: f64 = (0..k)
                        .map(|i| s_in * (x[row * k + i] - z_in) as f64 * s_w * (wq[col * k + i] - z_w) as f64)
                        .sum();
                    dot + bias[col] as f64 * s_in * s_w
                })
            })
            .collect();
        let span = real.iter().fold(0f64, |a, v| a.max(v.abs())).max(1e-3);
        let (s_out, z_out) = (span / 100.0, r.gen_range(-20..=20));
        let want: Vec<i64> = real.iter().map(|&y| requantize_real(y, s_out, z_out, (-128, 127))).collect();

        let (x_ty, x_t) = quant_operand(&[n, k], quant(I8, s_in, z_in), &x);
        let (w_ty, w_t) = quant_operand(&[m, k], quant(I8, s_w, z_w), &wq);
        let (b_ty, b_t) = i32_operand(&bias);
        let out = OpCase::new("qnn.linear")
            .operand(x_ty, x_t)
            .operand(w_ty, w_t)
            .operand(b_ty, b_t)
            .result(quant(I8, s_out, z_out))
            .run();
        assert_within_one(&ints(&out), &want);
    }
}

#[test]
fn add_avg_pool_and_requantize_match_float_within_one() {
    let mut r = rng(22);
    for _ in 0..100 {
        let n = r.gen_range(1..=40);
        let (s_l, z_l, s_r, z_r) =
            (r.gen_range(0.01..0.2), r.gen_range(0..=255), r.gen_range(0.01..0.2), r.gen_range(0..=255));
        let (s_out, z_out) = (r.gen_range(0.02..0.4), r.gen_range(0..=255));
        let (l, rr) = (random_ints(&mut r, n, 0, 255), random_ints(&mut r, n, 0, 255));

        let (l_ty, l_t) = quant_operand(&[n], quant(U8, s_l, z_l), &l);
        let (r_ty, r_t) = quant_operand(&[n], quant(U8, s_r, z_r), &rr);
        let sum = OpCase::new("qnn.add")
            .operand(l_ty.clone(), l_t.clone())
            .operand(r_ty, r_t)
            .result(quant(U8, s_out, z_out))
            .run();
        let want: Vec<i64> = (0..n)
            .map(|i| requantize_real(s_l * (l[i] - z_l) as f64 + s_r * (rr[i] - z_r) as f64, s_out, z_out, (0, 255)))
            .collect();
        assert_within_one(&ints(&sum), &want);

        let requantized = OpCase::new("qnn.requantize").operand(l_ty, l_t).result(quant(U8, s_out, z_out)).run();
        let want: Vec<i64> =
            l.iter().map(|&q| requantize_real(s_l * (q - z_l) as f64, s_out, z_out, (0, 255))).collect();
        assert_within_one(&ints(&requantized), &want);

        // Global average over the n values as one (1, 1, 1, n) plane.
        let (p_ty, p_t) = quant_operand(&[1, 1, 1, n], quant(U8, s_l, z_l), &l);
        let mean = OpCase::new("qnn.global_avg_pool").operand(p_ty, p_t).result(quant(U8, s_out, z_out)).run();
        let real_mean = l.iter().map(|&q| s_l * (q - z_l) as f64).sum::<f64>() / n as f64;
        assert_within_one(&ints(&mean), &[requantize_real(real_mean, s_out, z_out, (0, 255))]);
    }
}

#[test]
fn quantized_weights_from_constants() {
    // An i8 weight stored as an integer constant typed as quantized, as lower-int8 writes it.
    let text = r#"func.func @main(%x: tensor<1x2x!quant.uniform<u8:f32, 1.0:0>>) -> tensor<1x1x!quant.uniform<u8:f32, 1.0:0>> {
      %w_storage = arith.constant dense<[[2, -1]]> : tensor<1x2xi8>
      %w = "quant.scast"(%w_storage) : (tensor<1x2xi8>) -> tensor<1x2x!quant.uniform<i8:f32, 0.5>>
      %b = arith.constant dense<4> : tensor<1xi32>
      %0 = "qnn.linear"(%x, %w, %b) : (tensor<1x2x!quant.uniform<u8:f32, 1.0:0>>, tensor<1x2x!quant.uniform<i8:f32, 0.5>>, tensor<1xi32>) -> tensor<1x1x!quant.uniform<u8:f32, 1.0:0>>
      return %0 : tensor<1x1x!quant.uniform<u8:f32, 1.0:0>>
    }"#;
    // acc = 4 + 2·10 − 1·3 = 21, M = 1·0.5/1 = 0.5 → 10.5 → halves up → 11.
    let module = dfq_ir::parse_module(&dfq_ir::SourceFile::new("w.mlir", text)).unwrap();
    let out = dfq_interp::run_module(&module, "main", vec![Tensor::from_u8(vec![1, 2], vec![10, 3])]).unwrap();
    assert_eq!(out[0].as_u8().unwrap(), [11]);
}

#[test]
fn sixteen_bit_qdq_round_trip() {
    // u16 (2^−10, 32768), held widened in i32: 1.5 → 1536 + 32768 = 34304; −40 → −40960 + 32768 → 0;
    // 40 → 40960 + 32768 → 65535. Back: 1.5, −32, (65535 − 32768)·2^−10 = 31.999.
    let u16 = ElementType::Quant(Box::new(QuantType {
        storage_signed: false,
        storage_width: 16,
        storage_range: None,
        expressed: ElementType::F32,
        params: QuantParams::PerTensor { scale: 2f64.powi(-10), zero_point: 32768 },
    }));
    let q = OpCase::new("qnn.quantize").f32(&[3], vec![1.5, -40.0, 40.0]).result(u16.clone()).run();
    assert_eq!((q.dtype(), ints(&q)), ("i32", vec![34304, 0, 65535]));
    let x = OpCase::new("qnn.dequantize").operand(tensor_type(&[3], u16), q).run_f32();
    assert_eq!(x, [1.5, -32.0, 32767.0 / 1024.0]);
}
