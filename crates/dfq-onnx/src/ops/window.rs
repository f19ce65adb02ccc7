//! Window geometry shared by Conv and the pools: (h, w) attribute pairs and
//! ONNX's `auto_pad`/`pads` turned into explicit (top, left, bottom, right) pads.

use crate::attrs::Attrs;

/// A 2-element INTS attribute, `default` in both places if absent.
pub fn pair(attrs: &Attrs, name: &str, default: i64) -> Result<[i64; 2], String> {
    match attrs.ints(name)? {
        None => Ok([default, default]),
        Some(v) => <[i64; 2]>::try_from(v.as_slice())
            .map_err(|_| format!("attribute '{name}' must have 2 values (a 2-D window), got {v:?}")),
    }
}

/// The largest size, stride, dilation or pad accepted: any more would make a
/// tensor beyond dfq's limit of 2^31 elements anyway.
const LIMIT: i64 = 1 << 31;

/// The geometry of a sliding window along H and W.
pub struct Window {
    pub input: [i64; 2],
    pub kernel: [i64; 2],
    pub strides: [i64; 2],
    pub dilations: [i64; 2],
}

impl Window {
    /// Explicit pads from `auto_pad` (NOTSET, VALID, SAME_UPPER, SAME_LOWER) or,
    /// with NOTSET, from `pads`. SAME pads so that output = ⌈input / stride⌉, the
    /// odd unit at the end (UPPER, TensorFlow's "SAME") or the start (LOWER).
    pub fn pads(&self, attrs: &Attrs) -> Result<[i64; 4], String> {
        self.check()?;
        let auto_pad = attrs.string("auto_pad", "NOTSET")?;
        match auto_pad.as_str() {
            "NOTSET" => self.explicit_pads(attrs),
            "VALID" => Ok([0; 4]),
            "SAME_UPPER" | "SAME_LOWER" => {
                let mut pads = [0; 4];
                for axis in 0..2 {
                    let total = self.same_total_pad(axis);
                    let (small, large) = (total / 2, total - total / 2);
                    let (begin, end) = if auto_pad == "SAME_UPPER" { (small, large) } else { (large, small) };
                    pads[axis] = begin;
                    pads[axis + 2] = end;
                }
                Ok(pads)
            }
            other => Err(format!("unknown auto_pad '{other}'")),
        }
    }

    fn explicit_pads(&self, attrs: &Attrs) -> Result<[i64; 4], String> {
        let Some(pads) = attrs.ints("pads")? else { return Ok([0; 4]) };
        let pads = <[i64; 4]>::try_from(pads.as_slice())
            .map_err(|_| format!("attribute 'pads' must have 4 values (top, left, bottom, right), got {pads:?}"))?;
        if pads.iter().any(|&p| p < 0) {
            return Err(format!("negative pads {pads:?} are not supported"));
        }
        if pads.iter().any(|&p| p > LIMIT) {
            return Err(format!("pads {pads:?} larger than 2^31 are not supported"));
        }
        Ok(pads)
    }

    /// Strides, dilations and kernel sizes of at least 1, everything at most
    /// 2^31: then the arithmetic here can neither divide by zero nor overflow.
    /// (A zero stride with SAME padding divided by zero: found by the ONNX fuzzer.)
    fn check(&self) -> Result<(), String> {
        for (axis, name) in ["height", "width"].into_iter().enumerate() {
            let fields = [
                ("input", self.input[axis], 0),
                ("kernel", self.kernel[axis], 1),
                ("stride", self.strides[axis], 1),
                ("dilation", self.dilations[axis], 1),
            ];
            for (what, v, min) in fields {
                if !(min..=LIMIT).contains(&v) {
                    return Err(format!("the {what} {name} is {v}; it must be between {min} and 2^31"));
                }
            }
        }
        Ok(())
    }

    fn same_total_pad(&self, axis: usize) -> i64 {
        let (size, stride) = (self.input[axis], self.strides[axis]);
        let extent = (self.kernel[axis] - 1) * self.dilations[axis] + 1;
        let out = (size + stride - 1) / stride;
        ((out - 1) * stride + extent - size).max(0)
    }

    /// Output size along `axis` with the given pads, rounding down.
    pub fn output_floor(&self, axis: usize, pads: &[i64; 4]) -> i64 {
        let extent = (self.kernel[axis] - 1) * self.dilations[axis] + 1;
        (self.input[axis] + pads[axis] + pads[axis + 2] - extent).div_euclid(self.strides[axis]) + 1
    }

    /// Output size with ONNX's `ceil_mode = 1`: rounding up, but dropping a last
    /// window that would start beyond the input and its leading pad.
    pub fn output_ceil(&self, axis: usize, pads: &[i64; 4]) -> i64 {
        let extent = (self.kernel[axis] - 1) * self.dilations[axis] + 1;
        let span = self.input[axis] + pads[axis] + pads[axis + 2] - extent;
        let stride = self.strides[axis];
        let mut out = (span + stride - 1).div_euclid(stride) + 1;
        if (out - 1) * stride >= self.input[axis] + pads[axis] {
            out -= 1;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proto::{attribute_type, AttributeProto};

    fn auto_pad(value: &str) -> Vec<AttributeProto> {
        vec![AttributeProto {
            name: "auto_pad".into(),
            s: value.as_bytes().to_vec(),
            r#type: attribute_type::STRING,
            ..Default::default()
        }]
    }

    fn window(input: i64, kernel: i64, stride: i64) -> Window {
        Window { input: [input; 2], kernel: [kernel; 2], strides: [stride; 2], dilations: [1; 2] }
    }

    #[test]
    fn same_padding_puts_the_odd_unit_at_the_end_or_start() {
        // TensorFlow SAME on a stride-2 3×3 conv over 224: 1 pad in all, at the end.
        let w = window(224, 3, 2);
        assert_eq!(w.pads(&Attrs::new(&auto_pad("SAME_UPPER"))).unwrap(), [0, 0, 1, 1]);
        assert_eq!(w.pads(&Attrs::new(&auto_pad("SAME_LOWER"))).unwrap(), [1, 1, 0, 0]);
        // 5×5 stride 2 over 112: total 3.
        assert_eq!(window(112, 5, 2).pads(&Attrs::new(&auto_pad("SAME_UPPER"))).unwrap(), [1, 1, 2, 2]);
        assert_eq!(window(7, 3, 1).pads(&Attrs::new(&auto_pad("SAME_UPPER"))).unwrap(), [1, 1, 1, 1]);
        assert_eq!(window(7, 3, 1).pads(&Attrs::new(&auto_pad("VALID"))).unwrap(), [0; 4]);
        assert!(window(7, 3, 1).pads(&Attrs::new(&auto_pad("SAME"))).is_err());
    }

    #[test]
    fn ceil_mode_drops_windows_starting_in_the_end_pad() {
        let w = window(6, 3, 2);
        assert_eq!((w.output_floor(0, &[0; 4]), w.output_ceil(0, &[0; 4])), (2, 3));
        let w = window(5, 2, 2);
        assert_eq!((w.output_floor(0, &[0, 0, 1, 1]), w.output_ceil(0, &[0, 0, 1, 1])), (3, 3));
    }
}
