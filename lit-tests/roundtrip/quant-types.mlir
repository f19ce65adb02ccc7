// RUN: dfq-opt %s --allow-unregistered-dialect | FileCheck %s

// MLIR's quant types: per-tensor, per-axis, narrowed storage range, default zero point.
// CHECK: tensor<4x!quant.uniform<u8:f32, 0.0235:128>>
// CHECK: tensor<2x4x!quant.uniform<i8:f32:0, {0.01:0, 0.02:-3}>>
// CHECK: tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5:0>>
// CHECK: tensor<4x!quant.uniform<u16:f32, 1.5e-5:32768>>
func.func @types(%a: tensor<4x!quant.uniform<u8:f32, 0.0235:128>>, %b: tensor<2x4x!quant.uniform<i8:f32:0, {0.01, 0.02:-3}>>, %c: tensor<4x!quant.uniform<i8<-127:127>:f32, 0.5>>, %d: tensor<4x!quant.uniform<u16:f32, 1.5e-5:32768>>) {
  return
}
