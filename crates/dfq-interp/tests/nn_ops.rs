//! Each nn op against numbers worked out by hand (the arithmetic is in the comments).

mod common;

use common::{assert_close, OpCase};
use dfq_interp::{run_module, Tensor};
use dfq_ir::{parse_module, Attribute, ElementType, SourceFile, Type};

/// x = [[1, 2, 3], [4, 5, 6], [7, 8, 9]] as (1, 1, 3, 3).
fn grid() -> Vec<f32> {
    (1..=9).map(|v| v as f32).collect()
}

#[test]
fn conv2d_valid_with_bias() {
    // w = [[1, 2], [3, 4]]; out[0,0] = 1·1 + 2·2 + 4·3 + 5·4 = 37, out[0,1] = 2 + 6 + 15 + 24 = 47,
    // out[1,0] = 4 + 10 + 21 + 32 = 67, out[1,1] = 5 + 12 + 24 + 36 = 77; then + 0.5.
    let out = OpCase::new("nn.conv2d")
        .f32(&[1, 1, 3, 3], grid())
        .f32(&[1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0])
        .f32(&[1], vec![0.5])
        .run_f32();
    assert_eq!(out, [37.5, 47.5, 67.5, 77.5]);
}

#[test]
fn conv2d_asymmetric_pads_and_stride() {
    // pads (top 1, left 0, bottom 0, right 1), stride 2, w = all ones. Padded rows −1..2, cols 0..3:
    //   0 0 0 0 / 1 2 3 0 / 4 5 6 0 / 7 8 9 0   → out size ⌊(4 − 2) / 2⌋ + 1 = 2 per axis.
    // out[0,0] = 0+0+1+2 = 3, out[0,1] = 0+0+3+0 = 3, out[1,0] = 4+5+7+8 = 24, out[1,1] = 6+0+9+0 = 15.
    let out = OpCase::new("nn.conv2d")
        .f32(&[1, 1, 3, 3], grid())
        .f32(&[1, 1, 2, 2], vec![1.0; 4])
        .ints("pads", &[1, 0, 0, 1])
        .ints("strides", &[2, 2])
        .run_f32();
    assert_eq!(out, [3.0, 3.0, 24.0, 15.0]);
}

#[test]
fn conv2d_dilation() {
    // A 2×2 kernel of ones, dilation 2, reads the corners: 1 + 3 + 7 + 9 = 20.
    let out = OpCase::new("nn.conv2d")
        .f32(&[1, 1, 3, 3], grid())
        .f32(&[1, 1, 2, 2], vec![1.0; 4])
        .ints("dilations", &[2, 2])
        .run_f32();
    assert_eq!(out, [20.0]);
}

#[test]
fn conv2d_groups() {
    // Channels [1, 2 | 3, 4] in 2 groups; o0 = 1·1 + 2·1 = 3 (group 0), o1 = 3·1 + 4·(−1) = −1 (group 1).
    let out = OpCase::new("nn.conv2d")
        .f32(&[1, 4, 1, 1], vec![1.0, 2.0, 3.0, 4.0])
        .f32(&[2, 2, 1, 1], vec![1.0, 1.0, 1.0, -1.0])
        .int("groups", 2)
        .run_f32();
    assert_eq!(out, [3.0, -1.0]);
}

#[test]
fn batch_norm() {
    // ε = 1 so that sqrt(var + ε) = sqrt(3 + 1) = 2 for channel 0 and sqrt(0 + 1) = 1 for channel 1.
    // c0: (x − 1) / 2 · 2 + 0.5 → 1 ↦ 0.5, 2 ↦ 1.5;  c1: (x − 2) / 1 · 1 − 1 → 3 ↦ 0, 4 ↦ 1.
    let out = OpCase::new("nn.batch_norm")
        .f32(&[1, 2, 1, 2], vec![1.0, 2.0, 3.0, 4.0])
        .f32(&[2], vec![2.0, 1.0])
        .f32(&[2], vec![0.5, -1.0])
        .f32(&[2], vec![1.0, 2.0])
        .f32(&[2], vec![3.0, 0.0])
        .attr("epsilon", Attribute::f32(1.0))
        .run_f32();
    assert_eq!(out, [0.5, 1.5, 0.0, 1.0]);
}

#[test]
fn activations() {
    let relu = OpCase::new("nn.relu").f32(&[3], vec![-1.0, 0.0, 2.5]).run_f32();
    assert_eq!(relu, [0.0, 0.0, 2.5]);
    let relu6 = OpCase::new("nn.relu6").f32(&[3], vec![-1.0, 3.0, 7.0]).run_f32();
    assert_eq!(relu6, [0.0, 3.0, 6.0]);
    // 1 / (1 + e^0) = 0.5; 1 / (1 + e^−ln 3) = 1 / (1 + 1/3) = 0.75; 1 / (1 + 3) = 0.25.
    let ln3 = 3f32.ln();
    let sigmoid = OpCase::new("nn.sigmoid").f32(&[3], vec![0.0, ln3, -ln3]).run_f32();
    assert_close(&sigmoid, &[0.5, 0.75, 0.25], 1e-6);
}

#[test]
fn softmax_along_each_axis() {
    // [[0, ln 3], [0, 0]]: along the last axis e^0 : e^ln3 = 1 : 3 → [0.25, 0.75], and [0.5, 0.5].
    let x = vec![0.0, 3f32.ln(), 0.0, 0.0];
    let last = OpCase::new("nn.softmax").f32(&[2, 2], x.clone()).run_f32();
    assert_close(&last, &[0.25, 0.75, 0.5, 0.5], 1e-6);
    // Along axis 0: column 0 is [0, 0] → [0.5, 0.5]; column 1 is [ln 3, 0] → [0.75, 0.25].
    let first = OpCase::new("nn.softmax").f32(&[2, 2], x).int("axis", 0).run_f32();
    assert_close(&first, &[0.5, 0.75, 0.5, 0.25], 1e-6);
}

#[test]
fn clip_scalar_bounds() {
    let scalar = |v: f32| (Type::Scalar(ElementType::F32), Tensor::from_f32(vec![], vec![v]));
    let (lo_ty, lo) = scalar(0.0);
    let (hi_ty, hi) = scalar(6.0);
    let out = OpCase::new("nn.clip").f32(&[3], vec![-2.0, 0.5, 9.0]).operand(lo_ty, lo).operand(hi_ty, hi).run_f32();
    assert_eq!(out, [0.0, 0.5, 6.0]);
}

#[test]
fn clip_per_channel_bounds() {
    // Channel 0 in [0, 4]: [−1, 5] → [0, 4]; channel 1 in [−0.5, 2]: [−1, 5] → [−0.5, 2].
    // min has shape (C), max (1, C, 1, 1): both apply along axis 1.
    let out = OpCase::new("nn.clip")
        .f32(&[1, 2, 1, 2], vec![-1.0, 5.0, -1.0, 5.0])
        .f32(&[2], vec![0.0, -0.5])
        .f32(&[1, 2, 1, 1], vec![4.0, 2.0])
        .run_f32();
    assert_eq!(out, [0.0, 4.0, -0.5, 2.0]);
}

#[test]
fn prelu_per_channel_slope() {
    // Slope (2, 1, 1) = [0.5, 0.25]: −2·0.5 = −1, 3 stays, −4·0.25 = −1, 5 stays.
    let out = OpCase::new("nn.prelu")
        .f32(&[1, 2, 1, 2], vec![-2.0, 3.0, -4.0, 5.0])
        .f32(&[2, 1, 1], vec![0.5, 0.25])
        .run_f32();
    assert_eq!(out, [-1.0, 3.0, -1.0, 5.0]);
}

#[test]
fn add_and_mul_broadcast() {
    // [[1, 2, 3], [4, 5, 6]] + [10, 20, 30] = [[11, 22, 33], [14, 25, 36]].
    let sum = OpCase::new("nn.add")
        .f32(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        .f32(&[3], vec![10.0, 20.0, 30.0])
        .run_f32();
    assert_eq!(sum, [11.0, 22.0, 33.0, 14.0, 25.0, 36.0]);
    // [[1], [2]] · [[3, 4, 5]] = [[3, 4, 5], [6, 8, 10]] (both sides broadcast).
    let product = OpCase::new("nn.mul").f32(&[2, 1], vec![1.0, 2.0]).f32(&[1, 3], vec![3.0, 4.0, 5.0]).run_f32();
    assert_eq!(product, [3.0, 4.0, 5.0, 6.0, 8.0, 10.0]);
}

#[test]
fn concat_middle_and_last_axis() {
    // (1, 1, 2) ++ (1, 2, 2) on axis 1: the rows one after another.
    let out = OpCase::new("nn.concat")
        .f32(&[1, 1, 2], vec![1.0, 2.0])
        .f32(&[1, 2, 2], vec![3.0, 4.0, 5.0, 6.0])
        .int("axis", 1)
        .run();
    assert_eq!((out.shape.as_slice(), out.as_f32().unwrap()), (&[1, 3, 2][..], &[1.0, 2.0, 3.0, 4.0, 5.0, 6.0][..]));
    // [[a], [b]] ++ [[c, d], [e, f]] on axis −1 = [[a, c, d], [b, e, f]].
    let out = OpCase::new("nn.concat")
        .f32(&[2, 1], vec![1.0, 2.0])
        .f32(&[2, 2], vec![3.0, 4.0, 5.0, 6.0])
        .int("axis", -1)
        .run_f32();
    assert_eq!(out, [1.0, 3.0, 4.0, 2.0, 5.0, 6.0]);
}

#[test]
fn max_pool_padding_never_wins() {
    // x = −[[1, 2, 3], [4, 5, 6], [7, 8, 9]], 2×2 windows, stride 1, pads (1, 1, 0, 0): 3×3 windows.
    // Window (0,0) holds only x[0,0] = −1 (a zero pad would win if it counted); (0,1) = max(−1, −2);
    // (0,2) = max(−2, −3); (1,0) = max(−1, −4); (1,1) = max(−1, −2, −4, −5); (1,2) = max(−2, −3, −5, −6);
    // (2,0) = max(−4, −7); (2,1) = max(−4, −5, −7, −8); (2,2) = max(−5, −6, −8, −9).
    let out = OpCase::new("nn.max_pool2d")
        .f32(&[1, 1, 3, 3], grid().iter().map(|v| -v).collect())
        .ints("kernel", &[2, 2])
        .ints("pads", &[1, 1, 0, 0])
        .run_f32();
    assert_eq!(out, [-1.0, -1.0, -2.0, -1.0, -1.0, -2.0, -4.0, -4.0, -5.0]);
}

#[test]
fn avg_pool_count_include_pad() {
    // x = [[1, 2], [3, 4]], 2×2 windows, pads (1, 1, 0, 0): window sums 1, 1+2 = 3, 1+3 = 4, 10,
    // covering 1, 2, 2 and 4 input elements.
    let case = |include| {
        OpCase::new("nn.avg_pool2d")
            .f32(&[1, 1, 2, 2], vec![1.0, 2.0, 3.0, 4.0])
            .ints("kernel", &[2, 2])
            .ints("pads", &[1, 1, 0, 0])
            .attr("count_include_pad", Attribute::Bool(include))
            .run_f32()
    };
    // Divided by the covered count: 1/1, 3/2, 4/2, 10/4.
    assert_eq!(case(false), [1.0, 1.5, 2.0, 2.5]);
    // Divided by the window size 4: 0.25, 0.75, 1, 2.5.
    assert_eq!(case(true), [0.25, 0.75, 1.0, 2.5]);
}

#[test]
fn avg_pool_stride() {
    // 1×4 row [1, 2, 3, 4], kernel 1×2, stride 2: (1+2)/2, (3+4)/2.
    let out = OpCase::new("nn.avg_pool2d")
        .f32(&[1, 1, 1, 4], vec![1.0, 2.0, 3.0, 4.0])
        .ints("kernel", &[1, 2])
        .ints("strides", &[1, 2])
        .run_f32();
    assert_eq!(out, [1.5, 3.5]);
}

#[test]
fn global_avg_pool() {
    // c0: (1+2+3+4)/4 = 2.5; c1: (−1−1+0+6)/4 = 1.
    let out =
        OpCase::new("nn.global_avg_pool").f32(&[1, 2, 2, 2], vec![1.0, 2.0, 3.0, 4.0, -1.0, -1.0, 0.0, 6.0]).run();
    assert_eq!((out.shape.as_slice(), out.as_f32().unwrap()), (&[1, 2, 1, 1][..], &[2.5, 1.0][..]));
}

#[test]
fn flatten_and_reshape_keep_order() {
    let x: Vec<f32> = (0..24).map(|v| v as f32).collect();
    // Flatten at axis 2 of (2, 3, 4): (2·3, 4).
    let flat = OpCase::new("nn.flatten").f32(&[2, 3, 4], x.clone()).int("axis", 2).run();
    assert_eq!((flat.shape.as_slice(), flat.as_f32().unwrap()), (&[6, 4][..], x.as_slice()));
    // Axis 0: (1, everything).
    let flat = OpCase::new("nn.flatten").f32(&[2, 3, 4], x.clone()).int("axis", 0).run();
    assert_eq!(flat.shape, [1, 24]);
    // [0, −1]: keep axis 0 (2), infer 24 / 2 = 12.
    let reshaped = OpCase::new("nn.reshape").f32(&[2, 3, 4], x.clone()).ints("shape", &[0, -1]).run();
    assert_eq!((reshaped.shape.as_slice(), reshaped.as_f32().unwrap()), (&[2, 12][..], x.as_slice()));
}

#[test]
fn linear() {
    // x = [[1, 2, 3], [4, 5, 6]], W = [[1, 0, −1], [0.5, 0.5, 0.5]], b = [10, 0]:
    // row 0: 1 − 3 + 10 = 8, (1 + 2 + 3)/2 = 3; row 1: 4 − 6 + 10 = 8, (4 + 5 + 6)/2 = 7.5.
    let out = OpCase::new("nn.linear")
        .f32(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
        .f32(&[2, 3], vec![1.0, 0.0, -1.0, 0.5, 0.5, 0.5])
        .f32(&[2], vec![10.0, 0.0])
        .run_f32();
    assert_eq!(out, [8.0, 3.0, 8.0, 7.5]);
}

#[test]
fn constants_splat_and_scalar() {
    // x + splat 2 = [3, 4, 5, 6]; then clip to [0, 4.5] with scalar constants.
    let text = r#"func.func @main(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
      %c = arith.constant dense<2.0> : tensor<2x2xf32>
      %lo = arith.constant 0.0 : f32
      %hi = arith.constant 4.5 : f32
      %0 = "nn.add"(%x, %c) : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
      %1 = "nn.clip"(%0, %lo, %hi) : (tensor<2x2xf32>, f32, f32) -> tensor<2x2xf32>
      return %1 : tensor<2x2xf32>
    }"#;
    let module = parse_module(&SourceFile::new("splat.mlir", text)).unwrap();
    let out = run_module(&module, "main", vec![Tensor::from_f32(vec![2, 2], vec![1.0, 2.0, 3.0, 4.0])]).unwrap();
    assert_eq!(out[0].as_f32().unwrap(), [3.0, 4.0, 4.5, 4.5]);
}
