//! Any bytes as an ONNX model: an error or a module that verifies, never a panic.
#![no_main]

use dfq_onnx::{import_onnx, ImportOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(module) = import_onnx(data, &ImportOptions::default()) {
        // import_onnx verifies; check that claim, and that the module prints.
        dfq_dialects::verify_module(&module).expect("an imported module verifies");
        let _ = dfq_ir::print_module(&module, &dfq_ir::PrintOptions::default());
    }
});
