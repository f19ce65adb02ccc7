//! ONNX export: float models come back unchanged through import, QDQ models hold
//! integer initializers and QuantizeLinear/DequantizeLinear as onnxruntime wants
//! them, and what cannot be exported is reported. (onnxruntime itself runs the
//! exports in crates/dfq-cli/tests/export_onnx.rs.)

use dfq_interp::{run_function, Tensor};
use dfq_ir::{Module, SourceFile};
use dfq_onnx::proto::{data_type, ModelProto, NodeProto, TensorProto};
use dfq_onnx::{export_model, export_onnx, import_onnx, ExportError, ExportOptions, ImportOptions};

fn parse(text: &str) -> Module {
    dfq_ir::parse_module(&SourceFile::new("test.mlir", text)).unwrap_or_else(|e| panic!("{e:?}"))
}

fn export(text: &str) -> ModelProto {
    export_model(&parse(text), &ExportOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

fn export_err(text: &str) -> ExportError {
    export_model(&parse(text), &ExportOptions::default()).expect_err("export fails")
}

/// `n` distinct values in about [−1, 1], as MLIR's hex form of dense elements.
fn values(n: usize, seed: u32) -> String {
    let hex: String = (0..n as u32)
        .map(|i| ((i * 7919 + seed * 104_729) % 2001) as f32 / 1000.0 - 1.0)
        .flat_map(f32::to_le_bytes)
        .map(|b| format!("{b:02X}"))
        .collect();
    format!("\"0x{hex}\"")
}

/// A function using every op the importer produces, in the forms exporters write.
fn every_direct_op() -> String {
    format!(
        r#"func.func @main(%x: tensor<1x4x8x8xf32>) -> tensor<2x5xf32> {{
  %w = arith.constant dense<{w}> : tensor<8x2x3x3xf32>
  %b = arith.constant dense<{b}> : tensor<8xf32>
  %c = "nn.conv2d"(%x, %w, %b) {{dilations = array<i64: 1, 2>, groups = 2 : i64, pads = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 1>}} : (tensor<1x4x8x8xf32>, tensor<8x2x3x3xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  %gamma = arith.constant dense<{gamma}> : tensor<8xf32>
  %beta = arith.constant dense<{beta}> : tensor<8xf32>
  %mean = arith.constant dense<{mean}> : tensor<8xf32>
  %var = arith.constant dense<[0.5, 1.0, 1.5, 2.0, 0.25, 0.75, 1.25, 3.0]> : tensor<8xf32>
  %bn = "nn.batch_norm"(%c, %gamma, %beta, %mean, %var) {{epsilon = 1.0e-3 : f32}} : (tensor<1x8x5x5xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<1x8x5x5xf32>
  %r6 = "nn.relu6"(%bn) : (tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %slope = arith.constant dense<{slope}> : tensor<8x1x1xf32>
  %pr = "nn.prelu"(%r6, %slope) : (tensor<1x8x5x5xf32>, tensor<8x1x1xf32>) -> tensor<1x8x5x5xf32>
  %lo = arith.constant dense<-0.5> : tensor<f32>
  %hi = arith.constant dense<0.75> : tensor<f32>
  %cl = "nn.clip"(%pr, %lo, %hi) : (tensor<1x8x5x5xf32>, tensor<f32>, tensor<f32>) -> tensor<1x8x5x5xf32>
  %sg = "nn.sigmoid"(%cl) : (tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %k = arith.constant dense<{k}> : tensor<1x8x1x1xf32>
  %m = "nn.mul"(%sg, %k) : (tensor<1x8x5x5xf32>, tensor<1x8x1x1xf32>) -> tensor<1x8x5x5xf32>
  %r = "nn.relu"(%bn) : (tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %a = "nn.add"(%m, %r) : (tensor<1x8x5x5xf32>, tensor<1x8x5x5xf32>) -> tensor<1x8x5x5xf32>
  %mp = "nn.max_pool2d"(%a) {{kernel = array<i64: 3, 3>, pads = array<i64: 1, 1, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  %ap = "nn.avg_pool2d"(%a) {{count_include_pad = true, kernel = array<i64: 2, 2>, pads = array<i64: 0, 0, 1, 1>, strides = array<i64: 2, 2>}} : (tensor<1x8x5x5xf32>) -> tensor<1x8x3x3xf32>
  %cat = "nn.concat"(%mp, %ap) {{axis = 1 : i64}} : (tensor<1x8x3x3xf32>, tensor<1x8x3x3xf32>) -> tensor<1x16x3x3xf32>
  %g = "nn.global_avg_pool"(%cat) : (tensor<1x16x3x3xf32>) -> tensor<1x16x1x1xf32>
  %f = "nn.flatten"(%g) {{axis = 1 : i64}} : (tensor<1x16x1x1xf32>) -> tensor<1x16xf32>
  %fw = arith.constant dense<{fw}> : tensor<10x16xf32>
  %fb = arith.constant dense<{fb}> : tensor<10xf32>
  %l = "nn.linear"(%f, %fw, %fb) : (tensor<1x16xf32>, tensor<10x16xf32>, tensor<10xf32>) -> tensor<1x10xf32>
  %rs = "nn.reshape"(%l) {{shape = array<i64: 2, -1>}} : (tensor<1x10xf32>) -> tensor<2x5xf32>
  %sm = "nn.softmax"(%rs) {{axis = 1 : i64}} : (tensor<2x5xf32>) -> tensor<2x5xf32>
  return %sm : tensor<2x5xf32>
}}"#,
        w = values(144, 1),
        b = values(8, 2),
        gamma = values(8, 3),
        beta = values(8, 4),
        mean = values(8, 5),
        slope = values(8, 6),
        k = values(8, 7),
        fw = values(160, 8),
        fb = values(10, 9),
    )
}

fn nn_op_names(m: &Module) -> Vec<String> {
    let f = &m.functions[0];
    f.ops().map(|id| f.op(id).name.clone()).filter(|n| n.starts_with("nn.")).collect()
}

fn interpret(m: &Module, input: &Tensor) -> Vec<f32> {
    let out = run_function(&m.functions[0], vec![input.clone()]).unwrap_or_else(|e| panic!("{e}"));
    out[0].as_f32().expect("float output").to_vec()
}

#[test]
fn float_models_come_back_through_import_unchanged() {
    let example = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mobilenet_tiny.mlir"))
        .expect("examples/mobilenet_tiny.mlir");
    for (text, shape) in [(every_direct_op(), vec![1, 4, 8, 8]), (example, vec![1, 3, 32, 32])] {
        let original = parse(&text);
        dfq_dialects::verify_module(&original).unwrap_or_else(|e| panic!("{e}"));
        let bytes = export_onnx(&original, &ExportOptions::default()).unwrap();
        let back = import_onnx(&bytes, &ImportOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(nn_op_names(&back), nn_op_names(&original));
        let n: usize = shape.iter().product();
        let input = Tensor::from_f32(shape, (0..n).map(|i| ((i * 37 % 101) as f32 / 25.0) - 2.0).collect());
        // The same ops on the same constants: the same bits.
        assert_eq!(interpret(&back, &input), interpret(&original, &input));
    }
}

#[test]
fn direct_ops_carry_their_attributes() {
    let model = export(&every_direct_op());
    let graph = model.graph.as_ref().unwrap();
    assert_eq!(model.opset_import[0].version, 13);
    let node = |output: &str| graph.node.iter().find(|n| n.output[0] == output).unwrap();
    let ints = |n: &NodeProto, name: &str| n.attribute.iter().find(|a| a.name == name).map(|a| a.ints.clone());
    let int = |n: &NodeProto, name: &str| n.attribute.iter().find(|a| a.name == name).map(|a| a.i);
    let conv = node("c");
    assert_eq!((conv.op_type.as_str(), conv.input.clone()), ("Conv", vec!["x".into(), "w".into(), "b".into()]));
    assert_eq!(ints(conv, "pads"), Some(vec![1, 0, 2, 1]));
    assert_eq!(ints(conv, "strides"), Some(vec![2, 1]));
    assert_eq!(ints(conv, "dilations"), Some(vec![1, 2]));
    assert_eq!(int(conv, "group"), Some(2));
    assert_eq!(node("r6").op_type, "Clip");
    assert_eq!(ints(node("ap"), "kernel_shape"), Some(vec![2, 2]));
    assert_eq!(int(node("ap"), "count_include_pad"), Some(1));
    assert_eq!((node("l").op_type.as_str(), int(node("l"), "transB")), ("Gemm", Some(1)));
    assert_eq!(node("rs").op_type, "Reshape");
    let bn = node("bn");
    assert_eq!(bn.attribute[0].f, 1.0e-3);
}

/// A conv in QDQ form: u8 activations, per-channel i8 weights, i32 bias, and a
/// narrowed i8 output.
const QDQ_CONV: &str = r#"func.func @main(%x: tensor<1x2x4x4xf32>) -> tensor<1x3x4x4xf32> {
  %xq = "qnn.quantize"(%x) : (tensor<1x2x4x4xf32>) -> tensor<1x2x4x4x!quant.uniform<u8:f32, 0.02:128>>
  %xd = "qnn.dequantize"(%xq) : (tensor<1x2x4x4x!quant.uniform<u8:f32, 0.02:128>>) -> tensor<1x2x4x4xf32>
  %w = arith.constant dense<[[[[0.5]], [[-0.25]]], [[[1.0]], [[0.125]]], [[[-2.0]], [[3.7]]]]> : tensor<3x2x1x1xf32>
  %wq = "qnn.quantize"(%w) : (tensor<3x2x1x1xf32>) -> tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:-3, 0.03:0}>>
  %wd = "qnn.dequantize"(%wq) : (tensor<3x2x1x1x!quant.uniform<i8:f32:0, {0.01:0, 0.02:-3, 0.03:0}>>) -> tensor<3x2x1x1xf32>
  %b = arith.constant dense<[0.1, -0.2, 0.3]> : tensor<3xf32>
  %bq = "qnn.quantize"(%b) : (tensor<3xf32>) -> tensor<3x!quant.uniform<i32:f32:0, {2.0e-4:0, 4.0e-4:0, 6.0e-4:0}>>
  %bd = "qnn.dequantize"(%bq) : (tensor<3x!quant.uniform<i32:f32:0, {2.0e-4:0, 4.0e-4:0, 6.0e-4:0}>>) -> tensor<3xf32>
  %y = "nn.conv2d"(%xd, %wd, %bd) : (tensor<1x2x4x4xf32>, tensor<3x2x1x1xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %yq = "qnn.quantize"(%y) : (tensor<1x3x4x4xf32>) -> tensor<1x3x4x4x!quant.uniform<i8<-127:127>:f32, 0.05>>
  %yd = "qnn.dequantize"(%yq) : (tensor<1x3x4x4x!quant.uniform<i8<-127:127>:f32, 0.05>>) -> tensor<1x3x4x4xf32>
  return %yd : tensor<1x3x4x4xf32>
}"#;

fn initializer<'m>(model: &'m ModelProto, name: &str) -> Option<&'m TensorProto> {
    model.graph.as_ref().unwrap().initializer.iter().find(|t| t.name == name)
}

#[test]
fn quantized_constants_are_integer_initializers() {
    let model = export(QDQ_CONV);
    let graph = model.graph.as_ref().unwrap();
    // The float weight and bias are gone; their quantized values are stored.
    assert!(initializer(&model, "w").is_none() && initializer(&model, "b").is_none());
    let wq = initializer(&model, "wq").expect("int8 weights");
    assert_eq!((wq.data_type, wq.dims.as_slice()), (data_type::INT8, &[3, 2, 1, 1][..]));
    // round(w / s) + z per output channel (axis 0): 0.5/0.01, -0.25/0.01 | 1/0.02 - 3, 0.125/0.02 - 3 | -2/0.03, 3.7/0.03.
    let expected: Vec<u8> = [50i8, -25, 47, 3, -67, 123].iter().map(|&v| v as u8).collect();
    assert_eq!(wq.raw_data, expected);
    let bq = initializer(&model, "bq").expect("int32 bias");
    assert_eq!(bq.data_type, data_type::INT32);
    let bias: Vec<i32> = bq.raw_data.chunks(4).map(|c| i32::from_le_bytes(c.try_into().unwrap())).collect();
    assert_eq!(bias, [500, -500, 500]);

    let node = |output: &str| graph.node.iter().find(|n| n.output[0] == output).unwrap();
    let wd = node("wd");
    assert_eq!(wd.op_type, "DequantizeLinear");
    assert_eq!(wd.attribute.iter().find(|a| a.name == "axis").map(|a| a.i), Some(0));
    assert_eq!(initializer(&model, &wd.input[1]).unwrap().dims, [3]);
    assert_eq!(initializer(&model, &wd.input[2]).unwrap().data_type, data_type::INT8);
    // DequantizeLinear of int32 takes no zero point.
    assert_eq!(node("bd").input.len(), 2);
    let xq = node("xq");
    assert_eq!(xq.op_type, "QuantizeLinear");
    let zp = initializer(&model, &xq.input[2]).unwrap();
    assert_eq!((zp.data_type, zp.dims.len(), zp.raw_data.as_slice()), (data_type::UINT8, 0, &[128u8][..]));
    // The narrowed i8<-127:127> output is clipped to ±127 steps before QuantizeLinear.
    let yq = node("yq");
    let clip = graph.node.iter().find(|n| n.output[0] == yq.input[0]).unwrap();
    assert_eq!(clip.op_type, "Clip");
    let bound = |name: &str| f32::from_le_bytes(initializer(&model, name).unwrap().raw_data[..4].try_into().unwrap());
    assert_eq!((bound(&clip.input[1]), bound(&clip.input[2])), (-127.0 * 0.05f32, 127.0 * 0.05f32));
    assert_eq!(model.opset_import[0].version, 13);
}

#[test]
fn per_channel_clip_is_max_then_min() {
    let model = export(
        r#"func.func @main(%x: tensor<1x3x2x2xf32>) -> tensor<1x3x2x2xf32> {
  %lo = arith.constant dense<0.0> : tensor<3xf32>
  %hi = arith.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %y = "nn.clip"(%x, %lo, %hi) : (tensor<1x3x2x2xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<1x3x2x2xf32>
  return %y : tensor<1x3x2x2xf32>
}"#,
    );
    let graph = model.graph.as_ref().unwrap();
    let ops: Vec<&str> = graph.node.iter().map(|n| n.op_type.as_str()).collect();
    assert_eq!(ops, ["Max", "Min"]);
    let hi = initializer(&model, &graph.node[1].input[1]).unwrap();
    assert_eq!(hi.dims, [1, 3, 1, 1], "bounds broadcast along axis 1");
}

#[test]
fn sixteen_bit_quantization_needs_opset_21() {
    let model = export(
        r#"func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<4xf32>) -> tensor<4x!quant.uniform<i16:f32, 0.001>>
  %d = "qnn.dequantize"(%q) : (tensor<4x!quant.uniform<i16:f32, 0.001>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}"#,
    );
    assert_eq!((model.opset_import[0].version, model.ir_version), (21, 10));
    let zp = &model.graph.as_ref().unwrap().node[0].input[2];
    assert_eq!(initializer(&model, zp).unwrap().data_type, data_type::INT16);
}

#[test]
fn returned_arguments_and_constants_get_an_identity() {
    let model = export(
        r#"func.func @main(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %c = arith.constant dense<[1.0, 2.0]> : tensor<2xf32>
  return %x, %c, %x : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}"#,
    );
    let graph = model.graph.as_ref().unwrap();
    let outputs: Vec<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(outputs, ["x_out", "c_out", "x_out_1"]);
    assert!(graph.node.iter().all(|n| n.op_type == "Identity"));
}

#[test]
fn unsupported_ops_are_listed_together() {
    let err = export_err(
        r#"func.func @main(%x: tensor<1x4xf32>) -> tensor<1x4xf32> {
  %0 = "test.erf"(%x) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %1 = "nn.relu"(%0) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %2 = "test.erf"(%1) : (tensor<1x4xf32>) -> tensor<1x4xf32>
  %q = "qnn.quantize"(%2) : (tensor<1x4xf32>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
  %c = "qnn.clamp"(%q) {max = 10 : i64, min = 0 : i64} : (tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>
  %d = "qnn.dequantize"(%c) : (tensor<1x4x!quant.uniform<u8:f32, 0.1:0>>) -> tensor<1x4xf32>
  return %d : tensor<1x4xf32>
}"#,
    );
    let text = err.to_string();
    assert!(
        text.starts_with(
            "the function uses 2 operations that ONNX export does not support (qnn.clamp, test.erf) in 3 places:\n  \
             %0 = \"test.erf\" at test.mlir:2:3\n  %2 = \"test.erf\" at test.mlir:4:3\n  %c = \"qnn.clamp\" at test.mlir:6:3\n\
             supported operations: arith.constant, nn.add,"
        ),
        "{text}"
    );
}

#[test]
fn forms_without_an_onnx_equivalent_name_the_op() {
    let err = export_err(
        r#"func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %q = "qnn.quantize"(%x) : (tensor<4xf32>) -> tensor<4x!quant.uniform<i32:f32, 0.001>>
  %d = "qnn.dequantize"(%q) : (tensor<4x!quant.uniform<i32:f32, 0.001>>) -> tensor<4xf32>
  return %d : tensor<4xf32>
}"#,
    );
    assert_eq!(err.location().map(|l| (l.line, l.col)), Some((2, 3)));
    assert!(
        err.to_string().starts_with("'qnn.quantize' op: quantizing a computed tensor to i32 has no ONNX form"),
        "{err}"
    );

    let err = export_err("func.func @a() {\n  return\n}\nfunc.func @b() {\n  return\n}");
    assert_eq!(err.to_string(), "the module has no @main and several functions (@a, @b); say which one to export");
    let err = export_model(&parse("func.func @a() {\n  return\n}"), &ExportOptions { entry: Some("main".into()) })
        .unwrap_err();
    assert_eq!(err.to_string(), "the module has no function @main (it has @a)");
}

#[test]
fn storage_casts_retype_constants() {
    let model = export(
        r#"func.func @main() -> tensor<2xf32> {
  %c = arith.constant dense<[-128, 5]> : tensor<2xi8>
  %q = "quant.scast"(%c) : (tensor<2xi8>) -> tensor<2x!quant.uniform<u8:f32, 0.5:128>>
  %d = "qnn.dequantize"(%q) : (tensor<2x!quant.uniform<u8:f32, 0.5:128>>) -> tensor<2xf32>
  return %d : tensor<2xf32>
}"#,
    );
    // u8 storage comes as signless i8 bits: the same bytes, typed UINT8.
    let q = initializer(&model, "q").expect("the cast constant");
    assert_eq!((q.data_type, q.raw_data.as_slice()), (data_type::UINT8, &[128u8, 5][..]));
    assert!(initializer(&model, "c").is_none());
}

/// The library takes modules that were never verified: bad ones are errors.
#[test]
fn malformed_modules_are_errors_not_panics() {
    let err = export_err(
        r#"func.func @main() -> tensor<2xf32> {
  %0 = "nn.relu6"() : () -> tensor<2xf32>
  return %0 : tensor<2xf32>
}"#,
    );
    assert_eq!(err.to_string(), "'nn.relu6' op: expected an operand");
    let err = export_err(
        r#"func.func @main() -> tensor<3x2xf32> {
  %w = arith.constant dense<1.0> : tensor<3x2xf32>
  %q = "qnn.quantize"(%w) : (tensor<3x2xf32>) -> tensor<3x2x!quant.uniform<i8:f32:0, {0.1:0, 0.2:0}>>
  %d = "qnn.dequantize"(%q) : (tensor<3x2x!quant.uniform<i8:f32:0, {0.1:0, 0.2:0}>>) -> tensor<3x2xf32>
  return %d : tensor<3x2xf32>
}"#,
    );
    assert_eq!(err.to_string(), "'qnn.quantize' op: 2 scales for 3 channels along the quantization axis");
}
