// RUN: dfq-opt %s --split-input-file --verify-diagnostics

func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{invalid hex digit 'G' in hex string}}
  %0 = arith.constant dense<"0x0000803F0000G040"> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @g() -> tensor<2xf32> {
  // expected-error @+1 {{hex string has an odd number of digits}}
  %0 = arith.constant dense<"0x0000803F000000400"> : tensor<2xf32>
  return %0 : tensor<2xf32>
}

// -----

func.func @h() -> tensor<3xf32> {
  // expected-error @+1 {{hex data holds 6 bytes but 'tensor<3xf32>' needs 12}}
  %0 = arith.constant dense<"0x0000803F0000"> : tensor<3xf32>
  return %0 : tensor<3xf32>
}
