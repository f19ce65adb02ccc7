//! Which nodes fold into an earlier one, decided before conversion: a MatMul
//! whose only use is an Add of a constant bias becomes one `nn.linear`.

use std::collections::{HashMap, HashSet};

use crate::ops::is_bias_shape;
use crate::proto::GraphProto;

/// Folded node → the node it folds into (Add index → MatMul index).
pub struct FusionPlan {
    pub absorbed_by: HashMap<usize, usize>,
}

impl FusionPlan {
    /// `constant_dims` gives the shape of a constant value (initializer or
    /// Constant node output), `None` for other values.
    pub fn new(graph: &GraphProto, constant_dims: &dyn Fn(&str) -> Option<Vec<i64>>) -> FusionPlan {
        let mut uses: HashMap<&str, Vec<usize>> = HashMap::new();
        for (i, node) in graph.node.iter().enumerate() {
            for input in &node.input {
                uses.entry(input.as_str()).or_default().push(i);
            }
        }
        let graph_outputs: HashSet<&str> = graph.output.iter().map(|o| o.name.as_str()).collect();
        let mut absorbed_by = HashMap::new();
        for (i, node) in graph.node.iter().enumerate() {
            if node.op_type != "MatMul" || !default_domain(&node.domain) {
                continue;
            }
            let (Some(product), Some(Some(weight))) =
                (node.output.first(), node.input.get(1).map(|w| constant_dims(w)))
            else {
                continue;
            };
            let [_, m] = weight.as_slice() else { continue };
            let (Some([j]), false) =
                (uses.get(product.as_str()).map(Vec::as_slice), graph_outputs.contains(product.as_str()))
            else {
                continue;
            };
            let add = &graph.node[*j];
            let is_add = add.op_type == "Add" && default_domain(&add.domain) && add.input.len() == 2;
            let bias = add.input.iter().find(|x| *x != product).and_then(|x| constant_dims(x));
            if is_add && bias.is_some_and(|dims| is_bias_shape(&dims, *m)) {
                absorbed_by.insert(*j, i);
            }
        }
        FusionPlan { absorbed_by }
    }
}

fn default_domain(domain: &str) -> bool {
    matches!(domain, "" | "ai.onnx")
}
