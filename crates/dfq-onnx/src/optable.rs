//! The ONNX operators and `nn` ops that correspond one to one: the same operands
//! in the same order, attributes that differ at most in name, and the same
//! defaults. Import and export both read this table, so the two directions
//! cannot disagree about a name.

use dfq_dialects::nn;

/// One ONNX operator and the `nn` op it is.
pub struct Direct {
    pub onnx: &'static str,
    pub nn: &'static str,
    /// (nn attribute, ONNX attribute) pairs; each has the same default on both sides.
    pub attributes: &'static [(&'static str, &'static str)],
}

const fn direct(onnx: &'static str, nn: &'static str, attributes: &'static [(&'static str, &'static str)]) -> Direct {
    Direct { onnx, nn, attributes }
}

/// Window attributes: (top, left, bottom, right) pads are ONNX's
/// (x1_begin, x2_begin, x1_end, x2_end) for NCHW.
const POOL: &[(&str, &str)] = &[("kernel", "kernel_shape"), ("strides", "strides"), ("pads", "pads")];

pub const DIRECT: &[Direct] = &[
    direct("Add", nn::Add::NAME, &[]),
    direct(
        "AveragePool",
        nn::AvgPool2d::NAME,
        &[
            ("kernel", "kernel_shape"),
            ("strides", "strides"),
            ("pads", "pads"),
            ("count_include_pad", "count_include_pad"),
        ],
    ),
    direct("BatchNormalization", nn::BatchNorm::NAME, &[("epsilon", "epsilon")]),
    direct("Concat", nn::Concat::NAME, &[("axis", "axis")]),
    direct(
        "Conv",
        nn::Conv2d::NAME,
        &[("strides", "strides"), ("pads", "pads"), ("dilations", "dilations"), ("groups", "group")],
    ),
    direct("Flatten", nn::Flatten::NAME, &[("axis", "axis")]),
    direct("GlobalAveragePool", nn::GlobalAvgPool::NAME, &[]),
    direct("MaxPool", nn::MaxPool2d::NAME, POOL),
    direct("Mul", nn::Mul::NAME, &[]),
    direct("PRelu", nn::Prelu::NAME, &[]),
    direct("Relu", nn::Relu::NAME, &[]),
    direct("Sigmoid", nn::Sigmoid::NAME, &[]),
    // nn.softmax has opset 13's meaning; export writes opset ≥ 13.
    direct("Softmax", nn::Softmax::NAME, &[("axis", "axis")]),
];

pub fn by_onnx(op_type: &str) -> Option<&'static Direct> {
    DIRECT.iter().find(|d| d.onnx == op_type)
}

pub fn by_nn(name: &str) -> Option<&'static Direct> {
    DIRECT.iter().find(|d| d.nn == name)
}

/// The `nn` op of an ONNX operator in [`DIRECT`]; a converter asks only for its own.
pub fn nn_op(op_type: &str) -> Result<&'static str, String> {
    by_onnx(op_type).map(|d| d.nn).ok_or_else(|| format!("'{op_type}' has no direct nn op"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nn_attributes_exist_with_their_names() {
        for d in DIRECT {
            let def = dfq_dialects::nn::OPS.iter().find(|o| o.name == d.nn).expect("an nn op");
            for (nn_attr, _) in d.attributes {
                assert!(def.attributes.iter().any(|a| a.name == *nn_attr), "{}: no attribute {nn_attr}", d.nn);
            }
        }
    }
}
