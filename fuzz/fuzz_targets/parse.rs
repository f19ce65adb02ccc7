//! Any bytes: the parser (and, when it succeeds, the verifier) must answer with
//! a module or diagnostics, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = dfq_ir::source_from_bytes("fuzz.mlir", data) else { return };
    if let Ok(module) = dfq_ir::parse_module(&src) {
        let _ = dfq_dialects::verify_module(&module);
    }
});
