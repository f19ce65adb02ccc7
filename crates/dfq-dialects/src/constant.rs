//! Constants as passes and backends read them: the elements behind a value,
//! looking through the `quant.scast` that gives quantized weights their type.

use dfq_ir::{Attribute, DenseElements, Function, Value};

use crate::generated::{arith, quant};

/// The dense elements of `v` when it is an `arith.constant`, or a `quant.scast`
/// of one (then the elements are the stored integers of `v`'s quantized type).
pub fn constant_elements(func: &Function, v: Value) -> Option<&DenseElements> {
    let mut op = func.op(v.producer()?);
    if op.name == quant::Scast::NAME {
        op = func.op(op.operands().first()?.producer()?);
    }
    match (op.name == arith::Constant::NAME).then(|| op.attr("value")).flatten()? {
        Attribute::Dense(d) => Some(d),
        _ => None,
    }
}

/// Whether `v` is an `arith.constant` or a `quant.scast` of one.
pub fn is_constant(func: &Function, v: Value) -> bool {
    let Some(op) = v.producer().map(|p| func.op(p)) else { return false };
    match op.name.as_str() {
        arith::Constant::NAME => true,
        quant::Scast::NAME => op
            .operands()
            .first()
            .and_then(|o| o.producer())
            .is_some_and(|p| func.op(p).name == arith::Constant::NAME),
        _ => false,
    }
}
