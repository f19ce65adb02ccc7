// RUN: dfq-opt %s --verify-diagnostics

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-note @+1 {{previously defined here}}
  %0 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  // expected-error @+1 {{redefinition of SSA value '%0'}}
  %0 = "nn.sigmoid"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
