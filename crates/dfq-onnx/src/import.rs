//! The import driver: decode, check, convert node by node, verify.

use std::collections::HashMap;

use dfq_ir::{Argument, Attribute, ElementType, Function, Module, Type, Value};
use prost::Message;

use crate::builder::GraphBuilder;
use crate::error::ImportError;
use crate::fusion::FusionPlan;
use crate::names::NameTable;
use crate::node::{node_ref, Node};
use crate::ops;
use crate::options::ImportOptions;
use crate::proto::{data_type, DimensionValue, GraphProto, ModelProto, TensorProto, ValueInfoProto};
use crate::tensor::decode_tensor;

/// Imports the ONNX model in `bytes` as a module with one function `@main`.
pub fn import_onnx(bytes: &[u8], options: &ImportOptions) -> Result<Module, ImportError> {
    let model = ModelProto::decode(bytes).map_err(|e| ImportError::NotOnnx(e.to_string()))?;
    let graph = model
        .graph
        .as_ref()
        .filter(|_| model.ir_version > 0)
        .ok_or_else(|| ImportError::NotOnnx("it has no IR version or no graph (is it an ONNX file?)".into()))?;
    let opset = default_opset(&model)?;
    let unsupported: Vec<_> =
        graph.node.iter().enumerate().filter(|(_, n)| !ops::is_supported(n)).map(|(i, n)| node_ref(n, i)).collect();
    if !unsupported.is_empty() {
        return Err(ImportError::Unsupported(unsupported));
    }
    let initializers: HashMap<&str, &TensorProto> = graph.initializer.iter().map(|t| (t.name.as_str(), t)).collect();
    // Before IR version 4 initializers were also listed as inputs.
    let inputs: Vec<&ValueInfoProto> =
        graph.input.iter().filter(|i| !initializers.contains_key(i.name.as_str())).collect();
    let mut names = NameTable::default();
    let args = arguments(&inputs, options, &mut names)?;
    let mut b = GraphBuilder::new(Function::new("main", args, vec![]), names, opset);
    for (i, input) in inputs.iter().enumerate() {
        b.bind(&input.name, Value::Arg(i as u32));
    }
    for t in &graph.initializer {
        let c = decode_tensor(t).map_err(|e| ImportError::Model(format!("initializer '{}': {e}", t.name)))?;
        b.bind_constant(&t.name, c);
    }
    convert_nodes(&mut b, graph)?;
    let outputs = outputs(&mut b, graph)?;
    let module = Module { functions: vec![b.finish(outputs)], ..Module::default() };
    check_sizes(&module.functions[0])?;
    dfq_dialects::verify_module(&module).map_err(|d| ImportError::Verify(d.to_string()))?;
    Ok(module)
}

/// Shapes inferred from legal attributes (huge pads, a Reshape's target) can
/// still be absurd: say so plainly, before the verifier calls it an importer bug.
fn check_sizes(f: &Function) -> Result<(), ImportError> {
    for id in f.ops() {
        let op = f.op(id);
        let problem = op.results.iter().find_map(|t| t.as_tensor().and_then(|t| t.size_problem()));
        if let Some(problem) = problem {
            let name = op.result_names.first().cloned().flatten().map(|n| format!(" '%{n}'")).unwrap_or_default();
            return Err(ImportError::Model(format!("the result{name} of an '{}' op: {problem}", op.name)));
        }
    }
    Ok(())
}

/// The version of the default operator set the model imports.
fn default_opset(model: &ModelProto) -> Result<i64, ImportError> {
    model
        .opset_import
        .iter()
        .find(|o| matches!(o.domain.as_str(), "" | "ai.onnx"))
        .map(|o| o.version)
        .ok_or_else(|| ImportError::NotOnnx("it imports no version of the default ONNX operator set".into()))
}

fn convert_nodes(b: &mut GraphBuilder, graph: &GraphProto) -> Result<(), ImportError> {
    let constant_dims = |name: &str| -> Option<Vec<i64>> {
        if let Some(t) = graph.initializer.iter().find(|t| t.name == name) {
            return Some(t.dims.clone());
        }
        let (i, n) = graph
            .node
            .iter()
            .enumerate()
            .find(|(_, n)| n.op_type == "Constant" && n.output.iter().any(|o| o == name))?;
        ops::constant_value(&Node::new(n, i)).ok().map(|c| c.dims)
    };
    let plan = FusionPlan::new(graph, &constant_dims);
    let absorbs: HashMap<usize, usize> = plan.absorbed_by.iter().map(|(&add, &matmul)| (matmul, add)).collect();
    for (i, proto) in graph.node.iter().enumerate() {
        if plan.absorbed_by.contains_key(&i) {
            continue;
        }
        let mut node = Node::new(proto, i);
        node.absorbs = absorbs.get(&i).map(|&j| &graph.node[j]);
        ops::convert(b, &node).map_err(|message| ImportError::Node { node: node.node_ref(), message })?;
        for (k, out) in proto.output.iter().enumerate().skip(1).filter(|(_, o)| !o.is_empty()) {
            if !b.is_bound(out) {
                b.mark_unavailable(
                    out,
                    format!("'{out}' is output #{k} of {}, which dfq does not compute", node.node_ref()),
                );
            }
        }
    }
    Ok(())
}

/// The function's arguments: one per graph input, of static shape.
fn arguments(
    inputs: &[&ValueInfoProto],
    options: &ImportOptions,
    names: &mut NameTable,
) -> Result<Vec<Argument>, ImportError> {
    if inputs.is_empty() {
        return Err(ImportError::Model("the graph has no inputs".into()));
    }
    if options.input_shape.is_some() && inputs.len() > 1 {
        let all: Vec<&str> = inputs.iter().map(|i| i.name.as_str()).collect();
        return Err(ImportError::Model(format!(
            "--input-shape sets the shape of a single input, but the graph has {}: {}",
            inputs.len(),
            all.join(", ")
        )));
    }
    inputs
        .iter()
        .map(|input| {
            let shape = input_shape(input, options.input_shape.as_deref())?;
            let ty = dfq_ir::TensorType::new(&shape, ElementType::F32);
            if let Some(problem) = ty.size_problem() {
                return Err(ImportError::Model(format!("input '{}': {problem}", input.name)));
            }
            let mut arg = Argument::new(Type::tensor(&shape, ElementType::F32));
            arg.name = Some(names.claim(&input.name, "input"));
            if let Some(r) = options.input_range {
                let bound = |value| Attribute::Float { value, ty: ElementType::F64 };
                arg.attributes
                    .insert(dfq_dialects::RANGE_ATTR.into(), Attribute::Array(vec![bound(r.min), bound(r.max)]));
            }
            Ok(arg)
        })
        .collect()
}

/// A dimension as the model declares it: a size, or the symbol or `?` of a
/// dynamic one.
#[derive(Clone)]
enum Dim {
    Static(i64),
    Dynamic(String),
}

/// The declared element type and dimensions (`None` for unknown rank).
fn declared(info: &ValueInfoProto) -> Option<(i32, Option<Vec<Dim>>)> {
    let t = info.r#type.as_ref()?.tensor_type.as_ref()?;
    let dims = t.shape.as_ref().map(|s| {
        s.dim
            .iter()
            .map(|d| match &d.value {
                Some(DimensionValue::DimValue(v)) if *v > 0 => Dim::Static(*v),
                Some(DimensionValue::DimParam(p)) if !p.is_empty() => Dim::Dynamic(p.clone()),
                _ => Dim::Dynamic("?".into()),
            })
            .collect()
    });
    Some((t.elem_type, dims))
}

fn input_shape(input: &ValueInfoProto, given: Option<&[i64]>) -> Result<Vec<i64>, ImportError> {
    let name = &input.name;
    let Some((elem_type, dims)) = declared(input) else {
        return Err(ImportError::Model(format!("input '{name}' is not a tensor")));
    };
    if elem_type != data_type::FLOAT {
        return Err(ImportError::Model(format!(
            "input '{name}' has element type {}; dfq imports FLOAT inputs only",
            data_type::name(elem_type)
        )));
    }
    if let Some(given) = given {
        check_override(name, dims.as_deref(), given)?;
        return Ok(given.to_vec());
    }
    let dims = dims.ok_or_else(|| ImportError::DynamicInput {
        input: name.clone(),
        shape: "of unknown rank".into(),
        example: "1,3,224,224".into(),
    })?;
    let fixed: Option<Vec<i64>> = dims.iter().map(|d| if let Dim::Static(v) = d { Some(*v) } else { None }).collect();
    fixed.ok_or_else(|| ImportError::DynamicInput {
        input: name.clone(),
        shape: show_dims(&dims),
        example: dims
            .iter()
            .map(|d| if let Dim::Static(v) = d { v.to_string() } else { "1".into() })
            .collect::<Vec<_>>()
            .join(","),
    })
}

/// A shape given on the command line must keep the static dimensions the model declares.
fn check_override(name: &str, dims: Option<&[Dim]>, given: &[i64]) -> Result<(), ImportError> {
    let Some(dims) = dims else { return Ok(()) };
    let conflicts =
        dims.len() != given.len() || dims.iter().zip(given).any(|(d, g)| matches!(d, Dim::Static(v) if v != g));
    if conflicts {
        return Err(ImportError::Model(format!(
            "--input-shape {given:?} conflicts with the shape {} that the model declares for input '{name}'",
            show_dims(dims)
        )));
    }
    Ok(())
}

fn show_dims(dims: &[Dim]) -> String {
    let items: Vec<String> = dims
        .iter()
        .map(|d| match d {
            Dim::Static(v) => v.to_string(),
            Dim::Dynamic(p) => p.clone(),
        })
        .collect();
    format!("[{}]", items.join(", "))
}

/// The returned values, checked against the output shapes the model declares.
fn outputs(b: &mut GraphBuilder, graph: &GraphProto) -> Result<Vec<Value>, ImportError> {
    if graph.output.is_empty() {
        return Err(ImportError::Model("the graph has no outputs".into()));
    }
    graph
        .output
        .iter()
        .map(|out| {
            let name = &out.name;
            let v = b.value(name).map_err(|e| ImportError::Model(format!("graph output '{name}': {e}")))?;
            let shape = b.shape(v).map_err(|e| ImportError::Model(format!("graph output '{name}': {e}")))?;
            if let Some((_, Some(dims))) = declared(out) {
                let agrees = dims.len() == shape.len()
                    && dims.iter().zip(&shape).all(|(d, s)| !matches!(d, Dim::Static(v) if v != s));
                if !agrees {
                    return Err(ImportError::Model(format!(
                        "graph output '{name}' has shape {shape:?} after import, but the model declares {}",
                        show_dims(&dims)
                    )));
                }
            }
            Ok(v)
        })
        .collect()
}
