//! A node being converted: its inputs, outputs and attributes by position and name.

use crate::attrs::Attrs;
use crate::error::NodeRef;
use crate::proto::NodeProto;

pub struct Node<'a> {
    pub proto: &'a NodeProto,
    pub index: usize,
    pub attrs: Attrs<'a>,
    /// A later node folded into this one (the `Add` of a `MatMul` + `Add` pair);
    /// the converter binds its output.
    pub absorbs: Option<&'a NodeProto>,
}

impl<'a> Node<'a> {
    pub fn new(proto: &'a NodeProto, index: usize) -> Node<'a> {
        Node { proto, index, attrs: Attrs::new(&proto.attribute), absorbs: None }
    }

    pub fn op_type(&self) -> &'a str {
        &self.proto.op_type
    }

    /// Input `i`, `None` if omitted (absent or named "").
    pub fn input(&self, i: usize) -> Option<&'a str> {
        self.proto.input.get(i).map(String::as_str).filter(|s| !s.is_empty())
    }

    pub fn required_input(&self, i: usize) -> Result<&'a str, String> {
        self.input(i).ok_or_else(|| format!("input #{i} is missing"))
    }

    /// The inputs that are present.
    pub fn inputs(&self) -> impl Iterator<Item = &'a str> {
        self.proto.input.iter().map(String::as_str).filter(|s| !s.is_empty())
    }

    pub fn output(&self) -> Result<&'a str, String> {
        self.proto
            .output
            .first()
            .map(String::as_str)
            .filter(|s| !s.is_empty())
            .ok_or_else(|| "the node has no output".into())
    }

    pub fn node_ref(&self) -> NodeRef {
        node_ref(self.proto, self.index)
    }
}

pub fn node_ref(proto: &NodeProto, index: usize) -> NodeRef {
    let op_type = match proto.domain.as_str() {
        "" | "ai.onnx" => proto.op_type.clone(),
        domain => format!("{domain}.{}", proto.op_type),
    };
    NodeRef { index, name: proto.name.clone(), op_type }
}
