//! parse → verify → print → parse → verify → print: a verified module must print
//! to text that parses back, verifies, and prints to the same bytes (the printed
//! form is the graph's canonical text, so equal bytes mean an equal graph).
#![no_main]

use dfq_ir::{parse_module, print_module, source_from_bytes, PrintOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(src) = source_from_bytes("fuzz.mlir", data) else { return };
    let Ok(module) = parse_module(&src) else { return };
    if dfq_dialects::verify_module(&module).is_err() {
        return;
    }
    let options = PrintOptions::default();
    let first = print_module(&module, &options);
    let src2 = source_from_bytes("printed.mlir", first.as_bytes()).expect("printed text is UTF-8");
    let reparsed = match parse_module(&src2) {
        Ok(m) => m,
        Err(d) => panic!("printed module does not parse:\n{}\n{first}", d.render(&[&src2])),
    };
    if let Err(d) = dfq_dialects::verify_module(&reparsed) {
        panic!("printed module does not verify:\n{}\n{first}", d.render(&[&src2]));
    }
    let second = print_module(&reparsed, &options);
    assert_eq!(first, second, "printing is not a fixpoint");
});
