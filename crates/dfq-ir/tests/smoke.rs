use dfq_ir::*;

#[test]
fn smoke() {
    let text = r#"
module attributes {dfq.version = 1 : i64} {
  func.func @main(%x: tensor<1x3x4x4xf32> {dfq.range = [-2.12, 2.64]}) -> tensor<1x2x4x4xf32> {
    %w = arith.constant dense_resource<conv1_w> : tensor<2x3x1x1xf32>
    %b = arith.constant dense<[0.5, -1.0e-10]> : tensor<2xf32>
    %0 = "nn.conv2d"(%x, %w, %b) {strides = array<i64: 1, 1>, pads = array<i64: 0, 0, 0, 0>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x4x4xf32>, tensor<2x3x1x1xf32>, tensor<2xf32>) -> tensor<1x2x4x4xf32>
    %q = "qnn.quantize"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.0235:3>>
    %1 = "nn.relu"(%0) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4xf32>
    return %1 : tensor<1x2x4x4xf32>
  }
}
{-#
  dialect_resources: {
    builtin: {
      conv1_w: "0x040000000000803F0000803F0000803F0000803F0000803F0000803F"
    }
  }
#-}
"#;
    let src = SourceFile::new("t.mlir", text);
    let m = parse_module(&src).unwrap_or_else(|d| panic!("{}", d.render(&[&src])));
    let printed = print_module(&m, &PrintOptions::default());
    println!("{printed}");
    let src2 = SourceFile::new("t2.mlir", &printed);
    let m2 = parse_module(&src2).unwrap_or_else(|d| panic!("{}", d.render(&[&src2])));
    assert_eq!(print_module(&m2, &PrintOptions::default()), printed);
}
