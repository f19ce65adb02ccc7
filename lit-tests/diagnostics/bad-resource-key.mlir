// RUN: dfq-opt %s --split-input-file --verify-diagnostics

func.func @f() -> tensor<2xf32> {
  // expected-error @+1 {{unknown resource 'missing'}}
  %0 = arith.constant dense_resource<missing> : tensor<2xf32>
  return %0 : tensor<2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      present: "0x040000000000803F00000040"
    }
  }
#-}

// -----

func.func @g() -> tensor<3xf32> {
  // expected-error @+1 {{resource 'short' holds 8 bytes but 'tensor<3xf32>' needs 12}}
  %0 = arith.constant dense_resource<short> : tensor<3xf32>
  return %0 : tensor<3xf32>
}
{-#
  dialect_resources: {
    builtin: {
      // expected-note @+1 {{resource defined here}}
      short: "0x040000000000803F00000040"
    }
  }
#-}
