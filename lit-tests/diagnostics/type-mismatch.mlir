// RUN: dfq-opt %s --verify-diagnostics

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-note @-1 {{prior definition here}}
  // expected-error @+1 {{use of value '%x' expects type 'tensor<3xf32>' but it has type 'tensor<2xf32>'}}
  %0 = "nn.relu"(%x) : (tensor<3xf32>) -> tensor<3xf32>
  return %x : tensor<2xf32>
}
