// RUN: dfq-opt %s --relu6-to-relu | FileCheck %s

// The paper's ablation: ReLU6 becomes ReLU (the function changes above 6).
// CHECK-LABEL: func.func @relu6
// CHECK: %act = "nn.relu"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
// CHECK-NOT: nn.relu6
// CHECK: return %act
func.func @relu6(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %act = "nn.relu6"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  return %act : tensor<1x4xf32>
}
