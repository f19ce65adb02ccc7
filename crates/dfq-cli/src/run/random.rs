//! `--random-input`: one seeded tensor per argument, shaped by the signature.
//!
//! The draws are written out here (ChaCha8 bits → values) rather than taken from
//! `rand`'s distributions, so a seed gives the same inputs whatever crate
//! versions a later build uses.

use dfq_interp::{expected_input, InterpError, Tensor, TensorData};
use dfq_ir::{Argument, ElementType, Function};
use rand_chacha::rand_core::{RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// Integer arguments without a quantized type get values in this range: small
/// enough that sums and products in a graph stay far from overflow.
const PLAIN_INT_RANGE: (i64, i64) = (-128, 127);

/// Draws every argument of `func` from one generator seeded with `seed`, in
/// argument order. f32 arguments are uniform in their `dfq.range` if they have
/// one and standard normal otherwise; integer arguments are uniform over their
/// storage range (i8/u8 and quantized types) or [-128, 127] (i32, i64).
pub fn random_inputs(func: &Function, seed: u64) -> Result<Vec<Tensor>, InterpError> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..func.args.len())
        .map(|i| {
            let (shape, dtype) = expected_input(func, i)?;
            let n = shape.iter().product();
            let arg = &func.args[i];
            let data = match dtype {
                "f32" => TensorData::F32(floats(&mut rng, arg, n)?),
                _ => integers(&mut rng, dtype, int_range(arg, dtype), n),
            };
            Ok(Tensor { shape, data })
        })
        .collect()
}

fn floats(rng: &mut ChaCha8Rng, arg: &Argument, n: usize) -> Result<Vec<f32>, InterpError> {
    let range = dfq_dialects::input_range(arg).map_err(|e| InterpError { message: e, loc: arg.loc.clone() })?;
    Ok(match range {
        Some((lo, hi)) => (0..n).map(|_| (lo + (hi - lo) * unit(rng)) as f32).collect(),
        None => (0..n).map(|_| standard_normal(rng) as f32).collect(),
    })
}

fn integers(rng: &mut ChaCha8Rng, dtype: &str, (lo, hi): (i64, i64), n: usize) -> TensorData {
    let span = (hi - lo + 1) as u64;
    // Spans are at most 256 here, so the modulo bias is below 2^-55.
    let mut draw = || lo + (rng.next_u64() % span) as i64;
    match dtype {
        "i8" => TensorData::I8((0..n).map(|_| draw() as i8).collect()),
        "u8" => TensorData::U8((0..n).map(|_| draw() as u8).collect()),
        "i32" => TensorData::I32((0..n).map(|_| draw() as i32).collect()),
        _ => TensorData::I64((0..n).map(|_| draw()).collect()),
    }
}

/// The values an integer argument's storage may take.
fn int_range(arg: &Argument, dtype: &str) -> (i64, i64) {
    match arg.ty.element() {
        ElementType::Quant(q) if dtype == "i8" || dtype == "u8" => q.storage_min_max(),
        _ => match dtype {
            "i8" => (i8::MIN.into(), i8::MAX.into()),
            "u8" => (u8::MIN.into(), u8::MAX.into()),
            _ => PLAIN_INT_RANGE,
        },
    }
}

/// Uniform in [0, 1), from the top 53 bits.
fn unit(rng: &mut ChaCha8Rng) -> f64 {
    (rng.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// Box–Muller, one of the pair: simple and exact enough for test inputs.
fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - unit(rng); // (0, 1]: the log stays finite
    let u2 = unit(rng);
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

#[cfg(test)]
mod tests {
    use super::*;
    use dfq_ir::{parse_module, SourceFile};

    fn func(signature: &str) -> Function {
        let text = format!("func.func @main({signature}) {{\n  return\n}}\n");
        parse_module(&SourceFile::new("t.mlir", &text)).unwrap().functions.remove(0)
    }

    #[test]
    fn same_seed_same_values() {
        let f = func("%x: tensor<4x8xf32>, %q: tensor<16x!quant.uniform<u8:f32, 0.1:3>>");
        let a = random_inputs(&f, 7).unwrap();
        assert_eq!(a, random_inputs(&f, 7).unwrap());
        assert_ne!(a, random_inputs(&f, 8).unwrap());
        assert_eq!(a[1].dtype(), "u8");
    }

    #[test]
    fn floats_stay_in_the_declared_range() {
        let f = func("%x: tensor<1000xf32> {dfq.range = [-0.5, 2.0]}");
        let x = random_inputs(&f, 1).unwrap().remove(0);
        let v = x.as_f32().unwrap();
        assert!(v.iter().all(|&x| (-0.5..=2.0).contains(&x)));
        let mean = v.iter().sum::<f32>() / v.len() as f32;
        assert!((mean - 0.75).abs() < 0.1, "mean {mean}");
    }

    #[test]
    fn normal_without_a_range() {
        let f = func("%x: tensor<4000xf32>");
        let v = random_inputs(&f, 3).unwrap().remove(0).to_f32_lossy();
        let n = v.len() as f32;
        let mean = v.iter().sum::<f32>() / n;
        let var = v.iter().map(|x| (x - mean) * (x - mean)).sum::<f32>() / n;
        assert!(mean.abs() < 0.1 && (var - 1.0).abs() < 0.1, "mean {mean} var {var}");
    }

    #[test]
    fn narrowed_quant_storage_is_respected() {
        let f = func("%x: tensor<500x!quant.uniform<i8<-127:127>:f32, 0.5:0>>");
        let x = random_inputs(&f, 2).unwrap().remove(0);
        assert!(x.as_i8().unwrap().iter().all(|&v| v >= -127));
    }
}
