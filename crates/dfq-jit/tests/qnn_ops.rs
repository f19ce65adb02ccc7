//! Every qnn op on hand-built graphs with random shapes and parameters: the JIT
//! equals the interpreter bit for bit, for every kernel this CPU has and for 1
//! and 2 threads. Shapes include 1×1 maps, channel counts that are not multiples
//! of the vector width, stride 2, dilation, padding on all sides and groups.

mod common;

use common::{quant, quant_params, random_act, random_act_quant, rng, tensor_type, OneOp};
use dfq_ir::{DenseData, ElementType, QuantParams, Type};
use rand::seq::SliceRandom;
use rand::Rng;
use rand_chacha::ChaCha8Rng;

fn q_type(shape: &[usize], e: ElementType) -> Type {
    tensor_type(shape, e)
}

/// i8 weights for `channels` output channels: per tensor or per axis 0.
fn weight_quant(r: &mut ChaCha8Rng, channels: usize) -> ElementType {
    if r.gen_bool(0.5) {
        let z = if r.gen_bool(0.3) { 0 } else { r.gen_range(-20..=20) };
        quant(true, r.gen_range(0.002..0.02), z)
    } else {
        let scales = (0..channels).map(|_| r.gen_range(0.002..0.02)).collect();
        let zeros = (0..channels).map(|_| if r.gen_bool(0.5) { 0 } else { r.gen_range(-20..=20) }).collect();
        quant_params(true, QuantParams::PerAxis { axis: 0, scales, zero_points: zeros })
    }
}

/// Which convs `conv_case` draws.
#[derive(Clone, Copy, PartialEq)]
enum ConvKind {
    Any,
    /// groups = C = O.
    Depthwise,
    /// Depthwise 3×3 (the row kernels' register-resident loop) with channel
    /// counts around the AVX2 and AVX-512 block widths.
    Depthwise3x3Wide,
}

/// A conv of random geometry.
fn conv_case(seed: u64, kind: ConvKind) -> OneOp {
    let mut r = rng(seed);
    let depthwise = kind != ConvKind::Any;
    let n = *[1, 1, 2].choose(&mut r).unwrap();
    let (c, (kh, kw)) = if kind == ConvKind::Depthwise3x3Wide {
        (*[7, 31, 32, 48, 64, 65, 100, 128].choose(&mut r).unwrap(), (3, 3))
    } else {
        (*[1, 3, 5, 8, 16, 17, 24, 33].choose(&mut r).unwrap(), *[(1, 1), (3, 3), (3, 3), (5, 5), (1, 3), (3, 1), (2, 2)].choose(&mut r).unwrap())
    };
    let dil = if r.gen_bool(0.2) { 2 } else { 1 };
    let stride = if r.gen_bool(0.35) { 2 } else { 1 };
    let pads: Vec<usize> = (0..4).map(|i| r.gen_range(0..=dil * if i % 2 == 0 { kh - 1 } else { kw - 1 })).collect();
    let min_h = (dil * (kh - 1) + 1).saturating_sub(pads[0] + pads[2]).max(1);
    let min_w = (dil * (kw - 1) + 1).saturating_sub(pads[1] + pads[3]).max(1);
    let h = r.gen_range(min_h..=min_h + 8);
    let w = r.gen_range(min_w..=min_w + 8);
    let (groups, o) = if depthwise {
        (c, c)
    } else {
        let divisors: Vec<usize> = (1..=c).filter(|g| c % g == 0).collect();
        let g = if r.gen_bool(0.3) { *divisors.choose(&mut r).unwrap() } else { 1 };
        (g, g * r.gen_range(1..=40usize.div_ceil(g)))
    };
    let oh = (h + pads[0] + pads[2] - dil * (kh - 1) - 1) / stride + 1;
    let ow = (w + pads[1] + pads[3] - dil * (kw - 1) - 1) / stride + 1;
    let k = (c / groups) * kh * kw;
    let (s_in, wq) = (0.05, weight_quant(&mut r, o));
    let s_w = match &wq {
        ElementType::Quant(q) => match &q.params {
            QuantParams::PerTensor { scale, .. } => *scale,
            QuantParams::PerAxis { scales, .. } => scales[0],
        },
        _ => unreachable!(),
    };
    let s_out = s_in * s_w * 75.0 * 75.0 * (k as f64).sqrt() / 60.0 * r.gen_range(0.3..3.0);
    let x_ty = q_type(&[n, c, h, w], random_act_quant(&mut r, s_in));
    let y_q = random_act_quant(&mut r, s_out);
    let weights: Vec<i8> = (0..o * k).map(|_| r.gen()).collect();
    let mut case = OneOp::new("qnn.conv2d", q_type(&[n, o, oh, ow], y_q.clone()))
        .arg(x_ty)
        .constant(q_type(&[o, c / groups, kh, kw], wq), DenseData::I8(weights));
    if r.gen_bool(0.8) {
        let bias: Vec<i32> = (0..o).map(|_| r.gen_range(-30000..30000)).collect();
        case = case.constant(tensor_type(&[o], ElementType::I32), DenseData::I32(bias));
    }
    case = case
        .ints("strides", &[stride as i64; 2])
        .ints("pads", &pads.iter().map(|&p| p as i64).collect::<Vec<_>>())
        .ints("dilations", &[dil as i64; 2])
        .int("groups", groups as i64);
    act_bounds(&mut r, case, &y_q)
}

/// Sometimes a fused ReLU (act_min = z) or ReLU6-like cap.
fn act_bounds(r: &mut ChaCha8Rng, case: OneOp, y: &ElementType) -> OneOp {
    let q = y.as_quant().unwrap();
    let QuantParams::PerTensor { zero_point: z, .. } = q.params else { unreachable!() };
    let hi = if q.storage_signed { 127 } else { 255 };
    match r.gen_range(0..3) {
        0 => case,
        1 => case.int("act_min", z),
        _ => case.int("act_min", z).int("act_max", (z + r.gen_range(1..=60)).min(hi)),
    }
}

#[test]
fn conv2d_random_geometries() {
    for seed in 0..60 {
        conv_case(seed, ConvKind::Any).check(seed, &format!("conv2d seed {seed}"));
    }
}

#[test]
fn depthwise_conv2d_random_geometries() {
    for seed in 0..60 {
        conv_case(1000 + seed, ConvKind::Depthwise).check(seed, &format!("depthwise seed {seed}"));
    }
}

#[test]
fn depthwise_3x3_wide_channels() {
    for seed in 0..40 {
        conv_case(3000 + seed, ConvKind::Depthwise3x3Wide).check(seed, &format!("depthwise 3x3 seed {seed}"));
    }
}

#[test]
fn linear_random_sizes() {
    for seed in 0..30 {
        let mut r = rng(2000 + seed);
        let (n, k, m) = (r.gen_range(1..=3), *[1, 5, 16, 64, 100].choose(&mut r).unwrap(), *[1, 10, 16, 65, 130].choose(&mut r).unwrap());
        let wq = weight_quant(&mut r, m);
        let s_out = 0.05 * 0.01 * 75.0 * 75.0 * (k as f64).sqrt() / 60.0;
        let y = random_act_quant(&mut r, s_out);
        let weights: Vec<i8> = (0..m * k).map(|_| r.gen()).collect();
        let bias: Vec<i32> = (0..m).map(|_| r.gen_range(-30000..30000)).collect();
        let case = OneOp::new("qnn.linear", q_type(&[n, m], y.clone()))
            .arg(q_type(&[n, k], random_act_quant(&mut r, 0.05)))
            .constant(q_type(&[m, k], wq), DenseData::I8(weights))
            .constant(tensor_type(&[m], ElementType::I32), DenseData::I32(bias));
        act_bounds(&mut r, case, &y).check(seed, &format!("linear seed {seed}"));
    }
}

fn random_shape(r: &mut ChaCha8Rng) -> Vec<usize> {
    match r.gen_range(0..3) {
        0 => vec![r.gen_range(1..=2), r.gen_range(1..=40), r.gen_range(1..=9), r.gen_range(1..=9)],
        1 => vec![r.gen_range(1..=3), r.gen_range(1..=300)],
        _ => vec![r.gen_range(1..=5000)],
    }
}

#[test]
fn add_random() {
    for seed in 0..30 {
        let mut r = rng(3000 + seed);
        let shape = random_shape(&mut r);
        let (a, b) = (random_act(&mut r, 0.01..0.2), random_act(&mut r, 0.01..0.2));
        let y = random_act(&mut r, 0.02..0.3);
        let case = OneOp::new("qnn.add", q_type(&shape, y.clone())).arg(q_type(&shape, a)).arg(q_type(&shape, b));
        act_bounds(&mut r, case, &y).check(seed, &format!("add seed {seed}"));
    }
}

#[test]
fn requantize_clamp_quantize_dequantize() {
    for seed in 0..20 {
        let mut r = rng(4000 + seed);
        let shape = random_shape(&mut r);
        // Scale ratios on both sides of 1, including shifts below 32.
        let s_in = r.gen_range(0.01..0.1);
        let ratio = *[1e-3, 0.26, 0.5, 0.9, 1.0, 3.7, 40.0].choose(&mut r).unwrap();
        let x = random_act_quant(&mut r, s_in);
        let y = random_act_quant(&mut r, s_in / ratio);
        OneOp::new("qnn.requantize", q_type(&shape, y)).arg(q_type(&shape, x.clone())).check(seed, &format!("requantize seed {seed}"));
        let signed = x.as_quant().unwrap().storage_signed;
        let (lo, hi) = if signed { (-128, 127) } else { (0, 255) };
        let a = r.gen_range(lo..=hi);
        let b = r.gen_range(a..=hi);
        OneOp::new("qnn.clamp", q_type(&shape, x.clone()))
            .arg(q_type(&shape, x.clone()))
            .int("min", a)
            .int("max", b)
            .check(seed, &format!("clamp seed {seed}"));
        OneOp::new("qnn.quantize", q_type(&shape, x.clone())).arg(q_type(&shape, ElementType::F32)).check(seed, &format!("quantize seed {seed}"));
        OneOp::new("qnn.dequantize", q_type(&shape, ElementType::F32)).arg(q_type(&shape, x)).check(seed, &format!("dequantize seed {seed}"));
    }
}

/// Per-channel bounds on NCHW (rows of channels after the JIT's NHWC change) and
/// (N, C) data, channel counts on both sides of the 16-byte vector, u8 and i8.
#[test]
fn channel_clamp_random() {
    for seed in 0..30 {
        let mut r = rng(4500 + seed);
        let c = *[1, 3, 15, 16, 17, 40, 100].choose(&mut r).unwrap();
        let shape = if r.gen_bool(0.5) { vec![r.gen_range(1..=2), c, r.gen_range(1..=7), r.gen_range(1..=7)] } else { vec![r.gen_range(1..=3), c] };
        let scale = r.gen_range(0.01..0.1);
        let x = random_act_quant(&mut r, scale);
        let signed = x.as_quant().unwrap().storage_signed;
        let (lo, hi) = if signed { (-128, 127) } else { (0, 255) };
        let (mut min, mut max) = (Vec::new(), Vec::new());
        for _ in 0..c {
            let a = r.gen_range(lo..=hi);
            min.push(a);
            max.push(r.gen_range(a..=hi));
        }
        OneOp::new("qnn.channel_clamp", q_type(&shape, x.clone()))
            .arg(q_type(&shape, x))
            .ints("min", &min)
            .ints("max", &max)
            .check(seed, &format!("channel_clamp seed {seed} shape {shape:?}"));
    }
}

#[test]
fn quantize_edge_values() {
    // Ties to even, saturation, NaN (→ zero point), infinities, a narrowed range.
    let narrow = ElementType::Quant(Box::new(dfq_ir::QuantType {
        storage_signed: true,
        storage_width: 8,
        storage_range: Some((-127, 127)),
        expressed: ElementType::F32,
        params: QuantParams::PerTensor { scale: 0.5, zero_point: 3 },
    }));
    for (i, e) in [quant(false, 0.5, 128), quant(true, 0.25, -1), narrow].into_iter().enumerate() {
        let values = vec![0.25, 0.75, -0.25, -0.75, 1e30, -1e30, f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 63.74, -64.3, 0.0, -0.0, 1.25, 33.1, 2.5, -2.5];
        let n = values.len();
        let f = OneOp::new("qnn.quantize", q_type(&[n], e.clone())).arg(q_type(&[n], ElementType::F32)).function();
        let x = dfq_interp::Tensor::from_f32(vec![n], values.clone());
        common::assert_bit_exact(&f, &[x], &format!("quantize edges {i}"));
        // 4-D inputs (quantized straight to NHWC with AVX-512): channel counts
        // around the 4-channel packing, pixel counts past one item (2048).
        for shape in [[1, 3, 5, 7], [2, 2, 3, 3], [1, 4, 4, 5], [1, 5, 2, 9], [1, 70, 3, 3], [2, 3, 45, 50]] {
            let len: usize = shape.iter().product();
            let f = OneOp::new("qnn.quantize", q_type(&shape, e.clone())).arg(q_type(&shape, ElementType::F32)).function();
            let data = (0..len).map(|k| if k % 3 == 0 { values[k / 3 % n] } else { (k as f32 * 0.37).sin() * 70.0 }).collect();
            let x = dfq_interp::Tensor::from_f32(shape.to_vec(), data);
            common::assert_bit_exact(&f, &[x], &format!("quantize edges {i} {shape:?}"));
        }
    }
}

#[test]
fn pools_random() {
    for seed in 0..40 {
        let mut r = rng(5000 + seed);
        let (n, c) = (r.gen_range(1..=2), *[1, 3, 16, 17, 35].choose(&mut r).unwrap());
        let k = r.gen_range(1..=3);
        let stride = r.gen_range(1..=2);
        let pads: Vec<i64> = (0..4).map(|_| r.gen_range(0..k as i64)).collect();
        let h = r.gen_range(k.max(1)..=9);
        let w = r.gen_range(k.max(1)..=9);
        let oh = (h + (pads[0] + pads[2]) as usize - k) / stride + 1;
        let ow = (w + (pads[1] + pads[3]) as usize - k) / stride + 1;
        let x = random_act_quant(&mut r, 0.05);
        let attrs = |case: OneOp| case.ints("kernel", &[k as i64; 2]).ints("strides", &[stride as i64; 2]).ints("pads", &pads);
        attrs(OneOp::new("qnn.max_pool2d", q_type(&[n, c, oh, ow], x.clone())).arg(q_type(&[n, c, h, w], x.clone())))
            .check(seed, &format!("max pool seed {seed}"));
        let y = random_act(&mut r, 0.02..0.1);
        let include = r.gen_bool(0.5);
        attrs(OneOp::new("qnn.avg_pool2d", q_type(&[n, c, oh, ow], y)).arg(q_type(&[n, c, h, w], x.clone())))
            .attr("count_include_pad", dfq_ir::Attribute::Bool(include))
            .check(seed, &format!("avg pool seed {seed}"));
        let y = random_act(&mut r, 0.02..0.1);
        OneOp::new("qnn.global_avg_pool", q_type(&[n, c, 1, 1], y)).arg(q_type(&[n, c, h, w], x)).check(seed, &format!("global pool seed {seed}"));
    }
}

#[test]
fn concat_flatten_reshape() {
    for seed in 0..20 {
        let mut r = rng(6000 + seed);
        let (n, h, w) = (r.gen_range(1..=2), r.gen_range(1..=5), r.gen_range(1..=5));
        let axis = r.gen_range(0..4usize);
        let parts: Vec<usize> = (0..r.gen_range(1..=3)).map(|_| r.gen_range(1..=20)).collect();
        let shape_of = |len: usize| {
            let mut s = vec![n, 3, h, w];
            s[axis] = len;
            s
        };
        let y = random_act_quant(&mut r, 0.05);
        let mut case = OneOp::new("qnn.concat", q_type(&shape_of(parts.iter().sum()), y.clone())).int("axis", axis as i64 - if r.gen_bool(0.3) { 4 } else { 0 });
        for &p in &parts {
            // Same quantization as the result (a copy) or another one (requantized).
            let q = if r.gen_bool(0.5) { y.clone() } else { random_act(&mut r, 0.02..0.1) };
            case = case.arg(q_type(&shape_of(p), q));
        }
        case.check(seed, &format!("concat seed {seed} axis {axis}"));
        let x = random_act_quant(&mut r, 0.05);
        OneOp::new("qnn.flatten", q_type(&[n, 3 * h * w], x.clone()))
            .arg(q_type(&[n, 3, h, w], x.clone()))
            .int("axis", 1)
            .check(seed, &format!("flatten seed {seed}"));
        OneOp::new("qnn.reshape", q_type(&[3 * h * w * n], x.clone()))
            .arg(q_type(&[n, 3, h, w], x))
            .ints("shape", &[-1])
            .check(seed, &format!("reshape seed {seed}"));
    }
}

#[test]
fn conv_feeding_layout_sensitive_ops() {
    // A conv's NHWC output read by row-major consumers (flatten, concat on H)
    // must be transposed back: conv → flatten, checked via a 2-op chain.
    for seed in 0..10 {
        let case = conv_case(7000 + seed, ConvKind::Any);
        let f = case.function();
        let y_ty = f.result_types[0].clone();
        let shape: Vec<i64> = y_ty.as_tensor().unwrap().shape.iter().map(|d| d.unwrap()).collect();
        let flat = Type::tensor(&[shape[0], shape[1] * shape[2] * shape[3]], y_ty.element().clone());
        let mut g = f.clone();
        let ret = g.terminator().unwrap();
        let conv = g.op(ret).operands()[0];
        let fl = g.insert_op_before(ret, dfq_ir::Operation::new("qnn.flatten", vec![conv], vec![flat.clone()]).with_attr("axis", dfq_ir::Attribute::i64(1)));
        g.set_operand(ret, 0, dfq_ir::Value::Result(fl, 0));
        g.result_types = vec![flat];
        let inputs = common::random_inputs(&g, seed);
        common::assert_bit_exact(&g, &inputs, &format!("conv → flatten seed {seed}"));
    }
}
