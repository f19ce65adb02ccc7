//! Random int8 networks (dfq-fixtures → fold-bn → quantize → lower-int8): the
//! JIT equals the interpreter bit for bit, for every kernel family this CPU has
//! and for 1 and 2 threads.

mod common;

use common::{assert_bit_exact, lower_int8, random_inputs};
use dfq_fixtures::{random, RandomNetConfig};

#[test]
fn random_int8_networks_are_bit_exact() {
    let mut informative = 0;
    for seed in 0..40 {
        let module = lower_int8(random(seed, &RandomNetConfig::default()), "");
        let f = &module.functions[0];
        let inputs = random_inputs(f, seed);
        assert_bit_exact(f, &inputs, &format!("random net {seed}"));
        // Guard against comparing constant outputs only.
        let out = dfq_interp::run_function(f, inputs).unwrap()[0].to_f32_lossy();
        if out.iter().any(|v| *v != out[0]) {
            informative += 1;
        }
    }
    assert!(informative >= 30, "only {informative} of 40 networks produce varied outputs");
}
