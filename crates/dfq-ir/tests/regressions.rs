//! Inputs that once crashed or could crash the parser, the printer or the
//! structural verifier (docs/hardening.md): very long and deeply nested inputs,
//! absurd tensor sizes. Each must be answered with a module or a located
//! diagnostic, never a panic, a stack overflow or a huge allocation.

use dfq_ir::{parse_module, print_module, verify_module, Diagnostic, Function, Module, OpId, PrintOptions, SourceFile};

/// Structure only: these tests are about the IR crate, not the dialects.
struct NoOpChecks;

impl dfq_ir::OpVerifier for NoOpChecks {
    fn verify_op(&self, _: &Function, _: OpId, _: &mut Vec<Diagnostic>) {}
}

fn parse(text: &str) -> Result<Module, String> {
    let src = SourceFile::new("t.mlir", text);
    parse_module(&src).map_err(|d| d.render(&[&src]))
}

fn parse_error(text: &str) -> String {
    match parse(text) {
        Ok(_) => panic!("expected a diagnostic for:\n{}", &text[..text.len().min(300)]),
        Err(e) => e,
    }
}

fn long_chain(n: usize) -> String {
    dfq_fixtures::stress::relu_chain(n, "")
}

#[test]
fn a_100k_op_chain_parses_verifies_and_prints() {
    // The cycle check once used a recursive SCC search and overflowed the stack
    // here (one frame per op).
    let module = parse(&long_chain(100_000)).unwrap();
    assert_eq!(module.functions[0].ops().count(), 100_001);
    verify_module(&module, &NoOpChecks).unwrap();
    let printed = print_module(&module, &PrintOptions::default());
    assert!(printed.contains("%99999 = \"nn.relu\"(%99998)"), "last op missing from the printed module");
}

#[test]
fn a_100k_op_cycle_is_reported_not_overflowed() {
    // The first op uses the last one: one cycle through all 100k ops.
    let text = long_chain(100_000).replacen("\"nn.relu\"(%x)", "\"nn.relu\"(%99999)", 1);
    let module = parse(&text).unwrap();
    let err = verify_module(&module, &NoOpChecks).unwrap_err().to_string();
    assert!(err.contains("dataflow cycle through 100000 operation(s)"), "{}", &err[..err.len().min(300)]);
}

#[test]
fn deeply_nested_attributes_and_literals_are_refused_with_a_location() {
    let d = 100_000;
    let cases = [
        format!("func.func @f() attributes {{a = {}{}}} {{\n  return\n}}\n", "[".repeat(d), "]".repeat(d)),
        format!("func.func @f() attributes {{a = {}1{}}} {{\n  return\n}}\n", "{a = ".repeat(d), "}".repeat(d)),
        format!(
            "func.func @f() {{\n  %c = arith.constant dense<{}1.0{}> : tensor<1xf32>\n  return\n}}\n",
            "[".repeat(d),
            "]".repeat(d)
        ),
    ];
    for text in cases {
        let err = parse_error(&text);
        assert!(err.contains("error: input too complex to parse"), "{}", &err[..err.len().min(300)]);
        // The source line is shown as a short window around the column, not in full.
        assert!(err.lines().nth(1).is_some_and(|l| l.len() < 200), "{}", &err[..err.len().min(300)]);
    }
}

#[test]
fn a_2_pow_40_element_tensor_is_refused_at_its_type() {
    let err = parse_error(
        "func.func @f(%x: tensor<1099511627776xf32>) -> tensor<1099511627776xf32> {\n  return %x : tensor<1099511627776xf32>\n}\n",
    );
    assert!(
        err.starts_with("t.mlir:1:18: error: 'tensor<1099511627776xf32>' has 1099511627776 elements; dfq supports at most 2147483648 (2^31) elements per tensor"),
        "{err}"
    );
}

#[test]
fn a_splat_constant_of_absurd_size_is_refused_before_anything_expands_it() {
    // A splat stores one value, so parsing it allocated nothing; the passes and
    // the interpreter expand splats, which would have asked for 4 TiB.
    let err = parse_error(
        "func.func @f() -> tensor<1099511627776xf32> {\n  %c = arith.constant dense<1.0> : tensor<1099511627776xf32>\n  return %c : tensor<1099511627776xf32>\n}\n",
    );
    assert!(err.starts_with("t.mlir:1:19: error: 'tensor<1099511627776xf32>' has 1099511627776 elements"), "{err}");
}

#[test]
fn dimensions_whose_product_overflows_are_refused() {
    let err = parse_error("func.func @f(%x: tensor<4294967296x4294967296x16xf32>) {\n  return\n}\n");
    assert!(
        err.starts_with(
            "t.mlir:1:18: error: the product of the dimensions of 'tensor<4294967296x4294967296x16xf32>' overflows 64 bits"
        ),
        "{err}"
    );
    // Dynamic dimensions do not hide an overflowing product of the static ones.
    let err = parse_error("func.func @f(%x: tensor<?x4294967296x4294967296x16xf32>) {\n  return\n}\n");
    assert!(err.contains("overflows 64 bits"), "{err}");
}

#[test]
fn the_verifier_refuses_absurd_sizes_in_modules_built_in_code() {
    use dfq_ir::{Argument, ElementType, Operation, Type};
    let huge = Type::tensor(&[1 << 20, 1 << 20], ElementType::F32);
    let mut f = Function::new("main", vec![Argument::new(huge.clone())], vec![huge.clone()]);
    f.push_op(Operation::new("func.return", vec![dfq_ir::Value::Arg(0)], vec![]));
    let module = Module { functions: vec![f], ..Module::default() };
    let err = verify_module(&module, &NoOpChecks).unwrap_err().to_string();
    assert!(err.contains("argument #0: 'tensor<1048576x1048576xf32>' has 1099511627776 elements"), "{err}");
    assert!(err.contains("result #0 of '@main'"), "{err}");
}

#[test]
fn the_largest_allowed_tensor_type_still_parses() {
    // 2^31 elements exactly: the limit is inclusive, and a type alone allocates nothing.
    parse("func.func @f(%x: tensor<2x1073741824xi8>) {\n  return\n}\n").unwrap();
}

/// Reproducers the fuzzers found (fuzz/, docs/hardening.md), kept as files.
fn fuzz_reproducer(name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn fuzz_roundtrip_a_function_name_repeated_at_the_top_level_is_a_redefinition() {
    // Two `func.func @qdq` without an explicit `module { }` parsed, and printed
    // as a module that did not parse back. Now both forms refuse it.
    let text = fuzz_reproducer("roundtrip-duplicate-function-at-top-level.mlir");
    let err = parse_error(&text);
    assert!(err.starts_with("t.mlir:31:1: error: redefinition of symbol '@qdq'\n"), "{err}");
    assert!(err.contains("t.mlir:8:1: note: previous definition is here"), "{err}");
}

#[test]
fn the_verifier_refuses_repeated_function_names_in_modules_built_in_code() {
    use dfq_ir::Operation;
    let f = || {
        let mut f = Function::new("f", vec![], vec![]);
        f.push_op(Operation::new("func.return", vec![], vec![]));
        f
    };
    let module = Module { functions: vec![f(), f()], ..Module::default() };
    let err = verify_module(&module, &NoOpChecks).unwrap_err().to_string();
    assert!(err.contains("redefinition of symbol '@f'"), "{err}");
}

/// The roundtrip fuzzer's property on its reproducers: whatever parses prints
/// to text that parses back and prints the same.
#[test]
fn fuzz_reproducers_round_trip_or_are_refused() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let Ok(module) = parse(&std::fs::read_to_string(&path).unwrap()) else { continue };
        let first = print_module(&module, &PrintOptions::default());
        let again = parse(&first).unwrap_or_else(|e| panic!("{}: printed form does not parse: {e}", path.display()));
        assert_eq!(print_module(&again, &PrintOptions::default()), first, "{}", path.display());
    }
}
