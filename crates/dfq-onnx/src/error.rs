//! Import errors, each naming what in the model caused it.

use std::fmt;

use crate::ops::SUPPORTED_OPS;

/// A node of the ONNX graph, as messages name it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NodeRef {
    /// Position in the graph's node list.
    pub index: usize,
    /// The node's name, often empty in hand-built models.
    pub name: String,
    /// `Conv`, or `domain.Op` outside the default domain.
    pub op_type: String,
}

impl fmt::Display for NodeRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.name.is_empty() {
            write!(f, "node #{} ({})", self.index, self.op_type)
        } else {
            write!(f, "node '{}' ({})", self.name, self.op_type)
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ImportError {
    /// The bytes do not decode as an ONNX model.
    NotOnnx(String),
    /// Every node whose operator dfq does not import, in graph order.
    Unsupported(Vec<NodeRef>),
    /// A graph input has dynamic or unknown dimensions and no shape was given.
    DynamicInput { input: String, shape: String, example: String },
    /// A problem with the graph as a whole: its inputs, outputs or initializers.
    Model(String),
    /// A supported operator used in a form dfq cannot express.
    Node { node: NodeRef, message: String },
    /// The imported module does not verify: a bug in the importer.
    Verify(String),
}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImportError::NotOnnx(why) => write!(f, "not an ONNX model: {why}"),
            ImportError::Unsupported(nodes) => {
                let ops: std::collections::BTreeSet<&str> = nodes.iter().map(|n| n.op_type.as_str()).collect();
                let ops: Vec<&str> = ops.into_iter().collect();
                writeln!(
                    f,
                    "the model uses {} unsupported operator{} ({}) in {} node{}:",
                    ops.len(),
                    plural(ops.len()),
                    ops.join(", "),
                    nodes.len(),
                    plural(nodes.len())
                )?;
                for node in nodes {
                    writeln!(f, "  {node}")?;
                }
                write!(f, "supported operators: {}", SUPPORTED_OPS.join(", "))
            }
            ImportError::DynamicInput { input, shape, example } => write!(
                f,
                "input '{input}' has the dynamic shape {shape}; give a static one with --input-shape, e.g. --input-shape {example}"
            ),
            ImportError::Model(message) => f.write_str(message),
            ImportError::Node { node, message } => write!(f, "{node}: {message}"),
            ImportError::Verify(diags) => write!(f, "the imported module does not verify (an importer bug):\n{diags}"),
        }
    }
}

impl std::error::Error for ImportError {}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
