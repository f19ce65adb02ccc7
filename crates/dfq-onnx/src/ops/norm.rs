//! BatchNormalization → `nn.batch_norm`, kept unfolded: fold-bn needs its
//! statistics, and folding is a pass, not an import decision.

use dfq_ir::Attribute;

use crate::builder::{attrs, GraphBuilder};
use crate::node::Node;
use crate::optable::nn_op;

pub fn batch_norm(b: &mut GraphBuilder, node: &Node) -> Result<(), String> {
    if node.attrs.int("training_mode", 0)? != 0 {
        return Err("training_mode = 1 (batch statistics) is not supported; export the model in inference mode".into());
    }
    if node.attrs.int("spatial", 1)? != 1 {
        return Err("spatial = 0 (per-element statistics, opset < 9) is not supported".into());
    }
    let operands = (0..5).map(|i| b.value(node.required_input(i)?)).collect::<Result<Vec<_>, _>>()?;
    let epsilon = node.attrs.float("epsilon", 1e-5)?;
    let out = node.output()?;
    let y = b.emit(nn_op("BatchNormalization")?, operands, attrs([("epsilon", Attribute::f32(epsilon))]), out)?;
    b.bind(out, y);
    Ok(())
}
