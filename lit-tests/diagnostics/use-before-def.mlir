// RUN: dfq-opt %s --verify-diagnostics

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{operand #0 does not dominate this use}}
  %0 = "nn.relu"(%1) : (tensor<2xf32>) -> tensor<2xf32>
  // expected-note @+1 {{operand defined here}}
  %1 = "nn.relu"(%x) : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
