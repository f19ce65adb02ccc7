//! One converter per ONNX operator, grouped by kind.

mod activation;
mod conv;
mod elementwise;
mod linear;
mod norm;
mod passthrough;
mod pool;
mod shape;
mod window;

pub use linear::is_bias_shape;
pub use passthrough::constant_value;

use crate::builder::GraphBuilder;
use crate::node::Node;
use crate::proto::NodeProto;

type Converter = fn(&mut GraphBuilder, &Node) -> Result<(), String>;

/// The default-domain operators dfq imports, and how.
const CONVERTERS: &[(&str, Converter)] = &[
    ("Add", elementwise::binary),
    ("AveragePool", pool::average_pool),
    ("BatchNormalization", norm::batch_norm),
    ("Clip", activation::clip),
    ("Concat", shape::concat),
    ("Constant", passthrough::constant),
    ("Conv", conv::conv),
    ("Dropout", passthrough::dropout),
    ("Flatten", shape::flatten),
    ("Gemm", linear::gemm),
    ("GlobalAveragePool", elementwise::direct),
    ("Identity", passthrough::identity),
    ("MatMul", linear::matmul),
    ("MaxPool", pool::max_pool),
    ("Mul", elementwise::binary),
    ("PRelu", elementwise::direct),
    ("Relu", elementwise::direct),
    ("Reshape", shape::reshape),
    ("Sigmoid", elementwise::direct),
    ("Softmax", activation::softmax),
];

/// The names of [`CONVERTERS`], for messages.
pub const SUPPORTED_OPS: &[&str] = &[
    "Add",
    "AveragePool",
    "BatchNormalization",
    "Clip",
    "Concat",
    "Constant",
    "Conv",
    "Dropout",
    "Flatten",
    "Gemm",
    "GlobalAveragePool",
    "Identity",
    "MatMul",
    "MaxPool",
    "Mul",
    "PRelu",
    "Relu",
    "Reshape",
    "Sigmoid",
    "Softmax",
];

fn converter(node: &NodeProto) -> Option<Converter> {
    if !matches!(node.domain.as_str(), "" | "ai.onnx") {
        return None;
    }
    CONVERTERS.iter().find(|(name, _)| *name == node.op_type).map(|(_, c)| *c)
}

pub fn is_supported(node: &NodeProto) -> bool {
    converter(node).is_some()
}

/// Converts `node`, binding its outputs in `b`. The caller has checked that it
/// is supported.
pub fn convert(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    let convert = converter(node.proto).ok_or_else(|| format!("operator '{}' is not supported", node.op_type()))?;
    convert(b, node)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn supported_list_names_every_converter() {
        let names: Vec<&str> = CONVERTERS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, SUPPORTED_OPS);
    }
}
