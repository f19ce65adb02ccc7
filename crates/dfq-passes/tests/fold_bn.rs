//! `fold-bn` preserves the function: interpreter outputs before and after agree.

mod common;

use common::{count_ops, max_relative_deviation, random_inputs, run_passes};
use dfq_fixtures::{random, tiny, RandomNetConfig};

#[test]
fn folding_preserves_outputs() {
    let mut nets = vec![tiny(1)];
    nets.extend((0..6).map(|seed| random(seed, &RandomNetConfig::default())));
    for original in nets {
        let mut folded = original.clone();
        run_passes(&mut folded, "fold-bn");
        assert!(count_ops(&original.functions[0], "nn.batch_norm") > 0);
        assert_eq!(count_ops(&folded.functions[0], "nn.batch_norm"), 0, "every fixture BN follows a layer");
        let xs = random_inputs(&original.functions[0], 7, 3);
        let dev = max_relative_deviation(&original, &folded, &xs);
        assert!(dev < 1e-4, "fold-bn changed outputs by {dev:.2e} (relative)");
    }
}
