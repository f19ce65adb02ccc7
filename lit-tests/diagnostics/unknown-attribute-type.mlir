// RUN: dfq-opt %s --verify-diagnostics

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  // expected-error @+1 {{expected}}
  %0 = "nn.softmax"(%x) {axis = affine_map<(d0) -> (d0)>} : (tensor<2xf32>) -> tensor<2xf32>
  return %0 : tensor<2xf32>
}
