//! ONNX export: one function of a module (a float `nn` model, or its QDQ form
//! from `dfq-opt --quantize` / `--dfq`) becomes an ONNX model that onnxruntime
//! runs.
//!
//! - `nn` ops become the ONNX operators they are named after (the table shared
//!   with import, [`crate::optable`]); `nn.relu6` is Clip(0, 6), `nn.linear` is
//!   Gemm(transB = 1), a per-channel `nn.clip` is Max + Min.
//! - `qnn.quantize` / `qnn.dequantize` are QuantizeLinear / DequantizeLinear,
//!   per-axis through `axis`. A quantize of a constant is computed at export, so
//!   weights are int8 initializers and biases int32 ones, each feeding a
//!   DequantizeLinear: the layout onnxruntime's QDQ optimizer turns into
//!   integer kernels.
//! - Constants become initializers where they are used; SSA names become tensor names.
//! - Ops that cannot be exported are reported all at once.

mod error;
mod ops;
mod quant;
mod writer;

use std::collections::HashSet;

use dfq_ir::{Function, Module, OpId, Value};
use prost::Message;

use crate::proto::{GraphProto, ModelProto, OperatorSetIdProto};
pub use error::{ExportError, OpRef};
use writer::{value_info, Writer};

/// The opset written unless an op needs a later one (16-bit quantization: 21).
/// 13 is the first with per-axis QuantizeLinear/DequantizeLinear and with
/// Softmax along one axis, `nn.softmax`'s meaning.
pub const MIN_OPSET: i64 = 13;

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportOptions {
    /// The function to export; `None` takes `@main`, or the only function.
    pub entry: Option<String>,
}

/// The ONNX model of `module`'s entry function, encoded.
pub fn export_onnx(module: &Module, options: &ExportOptions) -> Result<Vec<u8>, ExportError> {
    Ok(export_model(module, options)?.encode_to_vec())
}

/// The ONNX model of `module`'s entry function.
pub fn export_model(module: &Module, options: &ExportOptions) -> Result<ModelProto, ExportError> {
    let func = entry(module, options)?;
    let terminator = func.terminator();
    let body = || func.ops().filter(move |&id| Some(id) != terminator);
    let mut w = Writer::new(func);
    let unsupported: Vec<OpRef> =
        body().filter(|&id| !ops::is_supported(&func.op(id).name)).map(|id| op_ref(&w, id)).collect();
    if !unsupported.is_empty() {
        return Err(ExportError::Unsupported(unsupported));
    }
    let mut inputs = Vec::new();
    for (i, arg) in func.args.iter().enumerate() {
        let v = Value::Arg(i as u32);
        let name = w.value_name(v).to_string();
        inputs.push(value_info(&name, &arg.ty).map_err(|e| ExportError::Signature(format!("argument {e}")))?);
        w.bind_name(v, name);
    }
    for id in body() {
        ops::emit(&mut w, id, func.op(id)).map_err(|message| ExportError::Op { op: op_ref(&w, id), message })?;
    }
    let outputs = outputs(&mut w, func)?;
    let opset = w.opset;
    let graph = GraphProto {
        node: w.nodes,
        name: func.name.clone(),
        initializer: w.initializers,
        input: inputs,
        output: outputs,
        value_info: vec![],
    };
    Ok(ModelProto {
        ir_version: ir_version(opset),
        producer_name: "dfq".into(),
        producer_version: env!("CARGO_PKG_VERSION").into(),
        graph: Some(graph),
        opset_import: vec![OperatorSetIdProto { domain: String::new(), version: opset }],
        ..Default::default()
    })
}

/// Every op name export handles, for messages.
pub fn supported_ops() -> Vec<&'static str> {
    ops::supported()
}

fn entry<'m>(module: &'m Module, options: &ExportOptions) -> Result<&'m Function, ExportError> {
    let names = || module.functions.iter().map(|f| format!("@{}", f.name)).collect::<Vec<_>>().join(", ");
    match &options.entry {
        Some(name) => module
            .function(name)
            .ok_or_else(|| ExportError::NoFunction(format!("the module has no function @{name} (it has {})", names()))),
        None => match (module.function("main"), module.functions.as_slice()) {
            (Some(f), _) | (None, [f]) => Ok(f),
            (None, []) => Err(ExportError::NoFunction("the module has no function to export".into())),
            (None, _) => Err(ExportError::NoFunction(format!(
                "the module has no @main and several functions ({}); say which one to export",
                names()
            ))),
        },
    }
}

/// The graph outputs. An output must be a node's output of its own: a returned
/// argument, constant or repeated value gets an Identity.
fn outputs(w: &mut Writer, func: &Function) -> Result<Vec<crate::proto::ValueInfoProto>, ExportError> {
    let graph_inputs: HashSet<String> =
        (0..func.args.len()).map(|i| w.value_name(Value::Arg(i as u32)).to_string()).collect();
    let mut seen = HashSet::new();
    let mut infos = Vec::new();
    for &v in func.returned_values() {
        let from_constant = w.is_constant(v);
        let ssa = w.value_name(v).to_string();
        let mut name = w.input(v).map_err(|e| ExportError::Signature(format!("result %{ssa}: {e}")))?;
        if from_constant || graph_inputs.contains(&name) || seen.contains(&name) {
            let copy = w.fresh(&format!("{name}_out"));
            w.node("Identity", vec![name], vec![copy.clone()], vec![]);
            name = copy;
        }
        seen.insert(name.clone());
        infos.push(value_info(&name, func.value_type(v)).map_err(|e| ExportError::Signature(format!("result {e}")))?);
    }
    Ok(infos)
}

/// IR versions onnxruntime accepts for each opset (IR 8 covers opsets ≤ 15, 10 covers 21).
fn ir_version(opset: i64) -> i64 {
    match opset {
        ..=15 => 8,
        16..=20 => 9,
        _ => 10,
    }
}

fn op_ref(w: &Writer, id: OpId) -> OpRef {
    let op = w.func.op(id);
    OpRef {
        name: op.name.clone(),
        result: (!op.results.is_empty()).then(|| format!("%{}", w.value_name(Value::Result(id, 0)))),
        loc: op.loc.clone(),
    }
}
