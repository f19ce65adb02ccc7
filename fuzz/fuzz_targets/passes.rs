//! The DFQ pipeline on every input that parses and verifies: fold-bn, equalize,
//! absorb-bias, quantize, bias-correct, lower-int8, with the IR verified after
//! each pass. A pass may refuse the module with diagnostics, but must not panic
//! and must not leave IR that fails verification.
#![no_main]

use dfq_ir::{parse_module, print_module, source_from_bytes, PrintOptions};
use dfq_rewrite::{parse_pipeline, PassContext, PassError, PassManager};
use libfuzzer_sys::fuzz_target;

const PIPELINE: &str =
    "builtin.module(fold-bn,equalize,absorb-bias,quantize{input-range=-1,1},bias-correct,lower-int8,canonicalize,dce)";

/// Passes expand splats and rewrite weights: a model of millions of elements
/// is legal but makes an execution take seconds, so the fuzzer skips it and
/// spends its time on many small modules instead.
fn too_large(module: &dfq_ir::Module) -> bool {
    let elements = |ty: &dfq_ir::Type| ty.as_tensor().and_then(|t| t.num_elements()).unwrap_or(1);
    let total: u64 = module
        .functions
        .iter()
        .flat_map(|f| f.args.iter().map(|a| elements(&a.ty)).chain(f.ops().flat_map(|id| f.op(id).results.iter().map(elements))))
        .fold(0u64, u64::saturating_add);
    total > 1 << 20
}

fuzz_target!(|data: &[u8]| {
    let Ok(src) = source_from_bytes("fuzz.mlir", data) else { return };
    let Ok(mut module) = parse_module(&src) else { return };
    if dfq_dialects::verify_module(&module).is_err() || too_large(&module) {
        return;
    }
    let registry = dfq_passes::registry();
    let mut pm = PassManager::new();
    for entry in parse_pipeline(PIPELINE).expect("a valid pipeline") {
        pm.add(registry.create(&entry).expect("registered pass").0);
    }
    pm.verify_each(dfq_dialects::verify_module);
    let mut ctx = PassContext::default();
    match pm.run(&mut module, &mut ctx) {
        Ok(()) => {
            let _ = print_module(&module, &PrintOptions::default());
        }
        Err(PassError::Diagnostics(d)) => {
            // The pass manager marks IR that fails verification after a pass.
            let text = d.to_string();
            assert!(!text.contains("produced invalid IR"), "{text}\n--- input:\n{}", src.text());
        }
        Err(PassError::Message(_)) => {}
    }
});
