//! Builds small ONNX models as protobuf messages, for the import tests.
#![allow(dead_code)] // each test binary uses a different part

use dfq_onnx::proto::{
    attribute_type, data_type, AttributeProto, Dimension, DimensionValue, GraphProto, ModelProto, NodeProto,
    OperatorSetIdProto, TensorProto, TensorShapeProto, TensorTypeProto, TypeProto, ValueInfoProto,
};
use dfq_onnx::{import_onnx, ImportError, ImportOptions};
use prost::Message;

pub struct Model {
    opset: i64,
    graph: GraphProto,
}

impl Model {
    pub fn new(opset: i64) -> Model {
        Model { opset, graph: GraphProto { name: "test".into(), ..Default::default() } }
    }

    /// A FLOAT input of static shape.
    pub fn input(self, name: &str, dims: &[i64]) -> Model {
        let dims = dims.iter().map(|&d| Dimension { value: Some(DimensionValue::DimValue(d)) }).collect();
        self.input_dims(name, dims)
    }

    /// A FLOAT input whose dimensions may be symbolic: `"N"` for a name, else a size.
    pub fn input_symbolic(self, name: &str, dims: &[&str]) -> Model {
        let dims = dims
            .iter()
            .map(|d| match d.parse::<i64>() {
                Ok(v) => Dimension { value: Some(DimensionValue::DimValue(v)) },
                Err(_) => Dimension { value: Some(DimensionValue::DimParam(d.to_string())) },
            })
            .collect();
        self.input_dims(name, dims)
    }

    fn input_dims(mut self, name: &str, dim: Vec<Dimension>) -> Model {
        self.graph.input.push(value_info(name, data_type::FLOAT, Some(dim)));
        self
    }

    pub fn typed_input(mut self, name: &str, elem_type: i32, dims: &[i64]) -> Model {
        let dims = dims.iter().map(|&d| Dimension { value: Some(DimensionValue::DimValue(d)) }).collect();
        self.graph.input.push(value_info(name, elem_type, Some(dims)));
        self
    }

    /// An output without a declared shape.
    pub fn output(mut self, name: &str) -> Model {
        self.graph.output.push(value_info(name, data_type::FLOAT, None));
        self
    }

    pub fn output_shaped(mut self, name: &str, dims: &[i64]) -> Model {
        let dims = dims.iter().map(|&d| Dimension { value: Some(DimensionValue::DimValue(d)) }).collect();
        self.graph.output.push(value_info(name, data_type::FLOAT, Some(dims)));
        self
    }

    /// A float initializer in `raw_data`, as exporters write them.
    pub fn init(mut self, name: &str, dims: &[i64], data: &[f32]) -> Model {
        let raw_data = data.iter().flat_map(|v| v.to_le_bytes()).collect();
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: data_type::FLOAT,
            raw_data,
            ..Default::default()
        });
        self
    }

    pub fn init_i64(mut self, name: &str, dims: &[i64], data: &[i64]) -> Model {
        self.graph.initializer.push(TensorProto {
            name: name.into(),
            dims: dims.to_vec(),
            data_type: data_type::INT64,
            int64_data: data.to_vec(),
            ..Default::default()
        });
        self
    }

    pub fn node(self, op_type: &str, inputs: &[&str], outputs: &[&str], attribute: Vec<AttributeProto>) -> Model {
        let name = format!("{}_{}", op_type.to_lowercase(), self.graph.node.len());
        self.named_node(&name, op_type, inputs, outputs, attribute)
    }

    pub fn named_node(
        mut self,
        name: &str,
        op_type: &str,
        inputs: &[&str],
        outputs: &[&str],
        attribute: Vec<AttributeProto>,
    ) -> Model {
        self.graph.node.push(NodeProto {
            name: name.into(),
            op_type: op_type.into(),
            input: inputs.iter().map(|s| s.to_string()).collect(),
            output: outputs.iter().map(|s| s.to_string()).collect(),
            attribute,
            domain: String::new(),
        });
        self
    }

    pub fn bytes(&self) -> Vec<u8> {
        ModelProto {
            ir_version: 8,
            producer_name: "dfq-onnx tests".into(),
            graph: Some(self.graph.clone()),
            opset_import: vec![OperatorSetIdProto { domain: String::new(), version: self.opset }],
            ..Default::default()
        }
        .encode_to_vec()
    }

    pub fn import_with(&self, options: &ImportOptions) -> Result<String, ImportError> {
        let module = import_onnx(&self.bytes(), options)?;
        Ok(dfq_ir::print_module(&module, &Default::default()))
    }

    /// The imported module's text; panics with the error otherwise.
    pub fn import(&self) -> String {
        self.import_with(&ImportOptions::default()).unwrap_or_else(|e| panic!("import failed: {e}"))
    }

    pub fn import_err(&self) -> String {
        match self.import_with(&ImportOptions::default()) {
            Ok(text) => panic!("import succeeded:\n{text}"),
            Err(e) => e.to_string(),
        }
    }
}

fn value_info(name: &str, elem_type: i32, dims: Option<Vec<Dimension>>) -> ValueInfoProto {
    let shape = dims.map(|dim| TensorShapeProto { dim });
    ValueInfoProto {
        name: name.into(),
        r#type: Some(TypeProto { tensor_type: Some(TensorTypeProto { elem_type, shape }) }),
    }
}

pub fn int(name: &str, i: i64) -> AttributeProto {
    AttributeProto::int(name, i)
}

pub fn ints(name: &str, ints: &[i64]) -> AttributeProto {
    AttributeProto::ints(name, ints)
}

pub fn float(name: &str, f: f32) -> AttributeProto {
    AttributeProto::float(name, f)
}

pub fn string(name: &str, s: &str) -> AttributeProto {
    AttributeProto { name: name.into(), s: s.as_bytes().to_vec(), r#type: attribute_type::STRING, ..Default::default() }
}

pub fn tensor(name: &str, t: TensorProto) -> AttributeProto {
    AttributeProto { name: name.into(), t: Some(t), r#type: attribute_type::TENSOR, ..Default::default() }
}

/// `n` floats 0.1, 0.2, … (distinct, so a transposition shows).
pub fn ramp(n: usize) -> Vec<f32> {
    (1..=n).map(|i| i as f32 / 10.0).collect()
}

/// The lines of `text` that hold an op of the nn dialect, trimmed.
pub fn nn_ops(text: &str) -> Vec<&str> {
    text.lines().map(str::trim).filter(|l| l.contains("\"nn.")).collect()
}
