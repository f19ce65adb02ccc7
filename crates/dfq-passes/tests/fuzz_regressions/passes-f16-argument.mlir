// Found by the `passes` fuzzer (trimmed from a mutated lit test): quantize gave
// the f16 argument a qnn.quantize whose type expresses f32, which the verifier
// rejects. Now quantize refuses f16 with an error at the argument.
func.func @features(%X: tensor<1x3x8x8xf16>) -> tensor<6xf32> {
  %c = arith.constant dense<0.0> : tensor<6xf32>
  return %c : tensor<6xf32>
}

func.func @relu(%X: tensor<1x3x8x8xf16>) -> tensor<1x3x8x8xf16> {
  %0 = "nn.relu"(%X) : (tensor<1x3x8x8xf16>) -> tensor<1x3x8x8xf16>
  return %0 : tensor<1x3x8x8xf16>
}
