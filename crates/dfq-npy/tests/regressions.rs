//! Reproducers the npy fuzzer found (docs/hardening.md).

use std::time::{Duration, Instant};

#[test]
fn fuzz_npy_a_deeply_nested_header_is_refused_quickly() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/nested-header.npy");
    let bytes = std::fs::read(path).unwrap();
    let start = Instant::now();
    let err = dfq_npy::decode("nested.npy", &bytes).unwrap_err();
    assert_eq!(err, "'nested.npy' is not a valid .npy file: malformed header: brackets nested more than 8 deep");
    // npyz's parser took over 10 s on these 232 bytes.
    assert!(start.elapsed() < Duration::from_secs(1), "took {:?}", start.elapsed());
}

#[test]
fn fuzz_npy_a_shape_whose_element_count_overflows_is_an_error_not_a_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/shape-product-overflow.npy");
    let bytes = std::fs::read(path).unwrap();
    // Shape (2674598684952712532, 4, 3, 3): npyz's unchecked product overflowed.
    let err = dfq_npy::decode("overflow.npy", &bytes).unwrap_err();
    assert_eq!(err, "'overflow.npy' has a shape too large for this machine");
}

#[test]
fn fuzz_npy_strides_that_overflow_beside_a_zero_dimension_are_an_error_not_a_panic() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/stride-overflow-with-zero-dim.npy");
    let bytes = std::fs::read(path).unwrap();
    // Shape (0, 1337299342476356265, 4, 3, 3): no elements, but npyz's strides overflowed.
    let err = dfq_npy::decode("strides.npy", &bytes).unwrap_err();
    assert_eq!(err, "'strides.npy' has a shape too large for this machine");
}

#[test]
fn fuzz_npy_a_shape_dimension_written_as_an_expression_is_refused() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions/shape-expression.npy");
    let bytes = std::fs::read(path).unwrap();
    // Shape (0+2674598684952712530, 4, 3, 3): npyz evaluates the sum, then overflows.
    let err = dfq_npy::decode("sum.npy", &bytes).unwrap_err();
    assert!(err.starts_with("'sum.npy' is not a valid .npy file: malformed header: shape dimension '"), "{err}");
    assert!(err.ends_with("' is not a non-negative integer"), "{err}");
}
