// RUN: dfq-opt %s --verify-diagnostics

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{dataflow cycle through 2 operation(s)}}
  %a = "nn.add"(%x, %b) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  // expected-note @+1 {{'nn.relu' is part of the cycle}}
  %b = "nn.relu"(%a) : (tensor<2xf32>) -> tensor<2xf32>
  return %b : tensor<2xf32>
}
