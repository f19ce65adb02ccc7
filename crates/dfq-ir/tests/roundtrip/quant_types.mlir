// Quantized values in MLIR's quant types: per-tensor, per-axis, narrow range.
func.func @q(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.0235:128>>
  %d = "qnn.dequantize"(%q) : (tensor<1x4x!quant.uniform<u8:f32, 0.0235:128>>) -> tensor<1x4xf32>
  %w = arith.constant dense<[[1, -2, 3, -127]]> : tensor<1x4xi8>
  %c = "test.cast"(%w) : (tensor<1x4xi8>) -> tensor<1x4x!quant.uniform<i8:f32:1, {0.01, 0.02:0, 1.5e-3:0, 4.0:0}>>
  %n = "test.cast"(%w) : (tensor<1x4xi8>) -> tensor<1x4x!quant.uniform<i8<-127:127>:f32, 0.5>>
  return %d : tensor<1x4xf32>
}
