//! Every generated network is valid nn-dialect IR.

use dfq_fixtures::{random, Preset, RandomNetConfig};
use dfq_ir::{print_module, Module, PrintOptions, SourceFile};

fn assert_verifies(what: &str, module: &Module) {
    if let Err(diags) = dfq_dialects::verify_module(module) {
        let text = print_module(module, &PrintOptions::default());
        panic!("{what} does not verify:\n{}", diags.render(&[&SourceFile::new(what, &text)]));
    }
}

#[test]
fn presets_verify() {
    for preset in Preset::ALL {
        assert_verifies(preset.name(), &preset.build(1));
    }
}

#[test]
fn random_networks_verify() {
    let config = RandomNetConfig::default();
    for seed in 0..60 {
        assert_verifies(&format!("random seed {seed}"), &random(seed, &config));
    }
}
