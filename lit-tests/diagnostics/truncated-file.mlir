// RUN: dfq-opt %s --verify-diagnostics
// The module below ends in the middle of an op's type list.

func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
  %0 = "nn.relu"(%x) : (tensor<2xf32>) ->
// expected-error @below {{found end of file}}
