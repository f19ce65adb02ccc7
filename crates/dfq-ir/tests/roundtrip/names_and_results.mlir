// SSA names survive printing when unique; numbers are renumbered; multi-result ops.
func.func @names(%arg0: tensor<4xf32>, %input: tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>) {
  %7 = "nn.relu"(%arg0) : (tensor<4xf32>) -> tensor<4xf32>
  %relu = "nn.relu"(%input) : (tensor<4xf32>) -> tensor<4xf32>
  %pair:2 = "test.split"(%7) : (tensor<4xf32>) -> (tensor<4xf32>, tensor<4xf32>)
  %3 = "nn.add"(%pair#1, %relu) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return %3, %pair#0 : tensor<4xf32>, tensor<4xf32>
}

func.func @"quoted name"() {
  return
}
