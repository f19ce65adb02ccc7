//! Random int8 networks (dfq-fixtures → fold-bn → quantize → lower-int8): the
//! JIT equals the interpreter bit for bit, for every kernel and thread count.

mod common;

use common::{assert_bit_exact, lower_int8, random_inputs};
use dfq_fixtures::{random, RandomNetConfig};

#[test]
fn random_int8_networks_are_bit_exact() {
    for seed in 0..40 {
        let module = lower_int8(random(seed, &RandomNetConfig::default()), "");
        let f = &module.functions[0];
        let inputs = random_inputs(f, seed);
        assert_bit_exact(f, &inputs, &format!("random net {seed}"));
        if seed < 2 {
            let c = dfq_jit::CompiledFunction::compile(f, &Default::default()).unwrap();
            eprintln!("{:#?}", c.stats().step_labels);
            let out = c.run(inputs.clone()).unwrap();
            eprintln!("{:?}", &out[0].to_f32_lossy());
        }
    }
}
