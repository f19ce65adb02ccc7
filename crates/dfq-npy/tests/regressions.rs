//! Reproducers the npy fuzzer found (docs/hardening.md).

use std::time::{Duration, Instant};

/// Decodes reproducer `file` as `name` and returns the error it must give.
fn decode_error(file: &str, name: &str) -> String {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions").join(file);
    let bytes = std::fs::read(path).unwrap();
    dfq_npy::decode(name, &bytes).unwrap_err()
}

#[test]
fn fuzz_npy_a_deeply_nested_header_is_refused_quickly() {
    let start = Instant::now();
    let err = decode_error("nested-header.npy", "nested.npy");
    assert_eq!(err, "'nested.npy' is not a valid .npy file: malformed header: brackets nested more than 8 deep");
    // npyz's parser took over 10 s on these 232 bytes.
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
}

#[test]
fn fuzz_npy_a_shape_whose_element_count_overflows_is_an_error_not_a_panic() {
    // Shape (2674598684952712532, 4, 3, 3): npyz's unchecked product overflowed.
    let err = decode_error("shape-product-overflow.npy", "overflow.npy");
    assert_eq!(err, "'overflow.npy' has a shape too large for this machine");
}

#[test]
fn fuzz_npy_strides_that_overflow_beside_a_zero_dimension_are_an_error_not_a_panic() {
    // Shape (0, 1337299342476356265, 4, 3, 3): no elements, but npyz's strides overflowed.
    let err = decode_error("stride-overflow-with-zero-dim.npy", "strides.npy");
    assert_eq!(err, "'strides.npy' has a shape too large for this machine");
}

#[test]
fn fuzz_npy_a_shape_dimension_written_as_an_expression_is_refused() {
    // Shape (0+2674598684952712530, 4, 3, 3): npyz evaluates the sum, then overflows.
    let err = decode_error("shape-expression.npy", "sum.npy");
    assert!(err.starts_with("'sum.npy' is not a valid .npy file: malformed header: shape dimension '"), "{err}");
    assert!(err.ends_with("' is not a non-negative integer"), "{err}");
}
