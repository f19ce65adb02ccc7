// arith.constant in each form (a quantized one through quant.scast), and func.return with zero and several values.
module {
  func.func @constants() -> (tensor<2xf32>, f32, i64, tensor<2x!quant.uniform<u8:f32, 0.5:3>>) {
    %0 = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
    %1 = arith.constant 1.5 : f32
    %2 = arith.constant 7 : i64
    %3 = arith.constant dense<[3, -1]> : tensor<2xi8>
    %4 = "quant.scast"(%3) : (tensor<2xi8>) -> tensor<2x!quant.uniform<u8:f32, 0.5:3>>
    return %0, %1, %2, %4 : tensor<2xf32>, f32, i64, tensor<2x!quant.uniform<u8:f32, 0.5:3>>
  }

  func.func private @nothing() {
    return
  }
}
