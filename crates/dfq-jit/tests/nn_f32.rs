//! The f32 (nn) path: JIT outputs within a tight tolerance of the interpreter's
//! on random and MobileNet-like networks and on single ops.

mod common;

use common::{assert_close, random_inputs, rng, run_passes, tensor_type, OneOp};
use dfq_fixtures::{random, tiny, RandomNetConfig};
use dfq_ir::{DenseData, ElementType};
use rand::seq::SliceRandom;
use rand::Rng;

const TOL: f32 = 2e-5;

#[test]
fn random_float_networks() {
    for seed in 0..25 {
        let module = random(seed, &RandomNetConfig::default());
        let f = &module.functions[0];
        assert_close(f, &random_inputs(f, seed), TOL, &format!("random net {seed} (batch norms unfolded)"));
        let folded = run_passes(module.clone(), "fold-bn");
        let f = &folded.functions[0];
        assert_close(f, &random_inputs(f, seed), TOL, &format!("random net {seed} (folded)"));
    }
}

#[test]
fn tiny_mobilenet() {
    let module = tiny(3);
    let f = &module.functions[0];
    assert_close(f, &random_inputs(f, 3), TOL, "tiny");
}

#[test]
fn qdq_form_runs_in_float() {
    // The QDQ form (float ops between quantize/dequantize pairs) is an nn graph too.
    for seed in 0..5 {
        let module = run_passes(random(seed, &RandomNetConfig::default()), "fold-bn,quantize");
        let f = &module.functions[0];
        assert_close(f, &random_inputs(f, seed), 1e-3, &format!("QDQ net {seed}"));
    }
}

#[test]
fn conv_and_linear_ops() {
    for seed in 0..30 {
        let mut r = rng(8000 + seed);
        let c = *[1, 3, 5, 16, 17, 32].choose(&mut r).unwrap();
        let depthwise = r.gen_bool(0.4);
        let (k, stride) = (*[1, 3, 5].choose(&mut r).unwrap(), r.gen_range(1..=2));
        let pads: Vec<i64> = (0..4).map(|_| r.gen_range(0..k as i64)).collect();
        let (h, w) = (r.gen_range(k..=k + 6), r.gen_range(k..=k + 6));
        let (groups, o) = if depthwise { (c, c) } else { (1, r.gen_range(1..=40)) };
        let oh = (h + (pads[0] + pads[2]) as usize - k) / stride + 1;
        let ow = (w + (pads[1] + pads[3]) as usize - k) / stride + 1;
        let cg = c / groups;
        let weights: Vec<f32> = (0..o * cg * k * k).map(|_| r.gen_range(-0.5..0.5)).collect();
        let bias: Vec<f32> = (0..o).map(|_| r.gen_range(-1.0..1.0)).collect();
        let case = OneOp::new("nn.conv2d", tensor_type(&[1, o, oh, ow], ElementType::F32))
            .arg(tensor_type(&[1, c, h, w], ElementType::F32))
            .constant(tensor_type(&[o, cg, k, k], ElementType::F32), DenseData::F32(weights))
            .constant(tensor_type(&[o], ElementType::F32), DenseData::F32(bias))
            .ints("strides", &[stride as i64; 2])
            .ints("pads", &pads)
            .int("groups", groups as i64);
        let f = case.function();
        assert_close(&f, &random_inputs(&f, seed), TOL, &format!("conv seed {seed}"));

        let (n, kk, m) = (r.gen_range(1..=3), r.gen_range(1..=70), r.gen_range(1..=70));
        let weights: Vec<f32> = (0..m * kk).map(|_| r.gen_range(-0.5..0.5)).collect();
        let case = OneOp::new("nn.linear", tensor_type(&[n, m], ElementType::F32))
            .arg(tensor_type(&[n, kk], ElementType::F32))
            .constant(tensor_type(&[m, kk], ElementType::F32), DenseData::F32(weights));
        let f = case.function();
        assert_close(&f, &random_inputs(&f, seed), TOL, &format!("linear seed {seed}"));
    }
}

#[test]
fn pools_norms_and_elementwise() {
    for seed in 0..20 {
        let mut r = rng(9000 + seed);
        let shape = [r.gen_range(1..=2), *[1, 3, 16, 19].choose(&mut r).unwrap(), r.gen_range(2..=8), r.gen_range(2..=8)];
        let c = shape[1];
        let t = |s: &[usize]| tensor_type(s, ElementType::F32);
        let vec_c = |r: &mut rand_chacha::ChaCha8Rng, lo: f32, hi: f32| DenseData::F32((0..c).map(|_| r.gen_range(lo..hi)).collect());
        let bn = OneOp::new("nn.batch_norm", t(&shape))
            .arg(t(&shape))
            .constant(t(&[c]), vec_c(&mut r, 0.5, 2.0))
            .constant(t(&[c]), vec_c(&mut r, -1.0, 1.0))
            .constant(t(&[c]), vec_c(&mut r, -1.0, 1.0))
            .constant(t(&[c]), vec_c(&mut r, 0.1, 2.0));
        let f = bn.function();
        assert_close(&f, &random_inputs(&f, seed), 1e-6, &format!("batch norm {seed}"));
        let clip = OneOp::new("nn.clip", t(&shape)).arg(t(&shape)).constant(t(&[c]), vec_c(&mut r, -1.0, 0.0)).constant(t(&[c]), vec_c(&mut r, 0.0, 1.0));
        let f = clip.function();
        assert_close(&f, &random_inputs(&f, seed), 0.0, &format!("per-channel clip {seed}"));
        for name in ["nn.relu", "nn.relu6"] {
            let f = OneOp::new(name, t(&shape)).arg(t(&shape)).function();
            assert_close(&f, &random_inputs(&f, seed), 0.0, name);
        }
        for name in ["nn.add", "nn.mul"] {
            let f = OneOp::new(name, t(&shape)).arg(t(&shape)).arg(t(&shape)).function();
            assert_close(&f, &random_inputs(&f, seed), 0.0, name);
        }
        let (k, stride) = (r.gen_range(1..=2), r.gen_range(1..=2));
        let out = [shape[0], c, (shape[2] - k) / stride + 1, (shape[3] - k) / stride + 1];
        for name in ["nn.max_pool2d", "nn.avg_pool2d"] {
            let f = OneOp::new(name, t(&out)).arg(t(&shape)).ints("kernel", &[k as i64; 2]).ints("strides", &[stride as i64; 2]).function();
            assert_close(&f, &random_inputs(&f, seed), 0.0, name);
        }
        let f = OneOp::new("nn.global_avg_pool", t(&[shape[0], c, 1, 1])).arg(t(&shape)).function();
        assert_close(&f, &random_inputs(&f, seed), 1e-6, "global avg pool");
    }
}

#[test]
fn unsupported_ops_are_named() {
    let f = OneOp::new("nn.sigmoid", tensor_type(&[4], ElementType::F32)).arg(tensor_type(&[4], ElementType::F32)).function();
    let e = dfq_jit::CompiledFunction::compile(&f, &Default::default()).err().expect("sigmoid is not supported");
    assert!(e.message.contains("'nn.sigmoid' op is not supported by the JIT"), "{e}");
}
