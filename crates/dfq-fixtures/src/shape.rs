//! Output shapes, computed as ONNX does (floor division, no ceil mode).

/// One spatial output size of a convolution or pooling window.
pub fn window_output(input: i64, kernel: i64, stride: i64, pad_before: i64, pad_after: i64, dilation: i64) -> i64 {
    (input + pad_before + pad_after - dilation * (kernel - 1) - 1) / stride + 1
}

/// `(H, W)` out of a 2-D window with pads `(top, left, bottom, right)`.
pub fn window_output_2d(
    hw: [i64; 2],
    kernel: [i64; 2],
    strides: [i64; 2],
    pads: [i64; 4],
    dilations: [i64; 2],
) -> [i64; 2] {
    [
        window_output(hw[0], kernel[0], strides[0], pads[0], pads[2], dilations[0]),
        window_output(hw[1], kernel[1], strides[1], pads[1], pads[3], dilations[1]),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mobilenet_stem() {
        assert_eq!(window_output(224, 3, 2, 1, 1, 1), 112);
        assert_eq!(window_output(7, 7, 1, 0, 0, 1), 1);
        // TF "SAME" padding of an even input is asymmetric.
        assert_eq!(window_output(224, 3, 2, 0, 1, 1), 112);
        assert_eq!(window_output(5, 3, 1, 0, 0, 2), 1);
    }
}
