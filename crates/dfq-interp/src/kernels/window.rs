//! The geometry of a 2-D sliding window (convolution or pooling) on NCHW planes.
//!
//! Output position o along an axis reads input coordinate o·stride + t·dilation − pad
//! for kernel tap t; coordinates outside [0, size) are padding.

use std::ops::Range;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Window {
    pub kernel: [usize; 2],
    pub strides: [usize; 2],
    pub dilations: [usize; 2],
    /// Padding before the first element (top, left); trailing padding only shows
    /// in the output size.
    pub pad_begin: [usize; 2],
    /// Input (height, width).
    pub input: [usize; 2],
    /// Output (height, width).
    pub output: [usize; 2],
}

impl Window {
    pub fn plane_in(&self) -> usize {
        self.input[0] * self.input[1]
    }

    pub fn plane_out(&self) -> usize {
        self.output[0] * self.output[1]
    }

    pub fn taps(&self) -> usize {
        self.kernel[0] * self.kernel[1]
    }

    /// Whether every output reads exactly the input element at its own position.
    pub fn is_pointwise(&self) -> bool {
        self.kernel == [1, 1] && self.strides == [1, 1] && self.pad_begin == [0, 0] && self.input == self.output
    }

    /// The output positions along `axis` (0 = rows, 1 = columns) at which tap `t`
    /// reads inside the input, i.e. 0 ≤ o·s + t·d − p < size.
    pub fn valid_outputs(&self, axis: usize, tap: usize) -> Range<usize> {
        let stride = self.strides[axis] as isize;
        let offset = (tap * self.dilations[axis]) as isize - self.pad_begin[axis] as isize;
        let last = self.input[axis] as isize - 1 - offset;
        let lo = if offset >= 0 { 0 } else { (-offset + stride - 1) / stride };
        let hi = if last < 0 { 0 } else { last / stride + 1 };
        let hi = (hi as usize).min(self.output[axis]);
        (lo as usize).min(hi)..hi
    }

    /// The input coordinate output `o` reads with tap `t` along `axis`; only
    /// meaningful for `o` in [`Window::valid_outputs`].
    pub fn input_at(&self, axis: usize, o: usize, tap: usize) -> usize {
        o * self.strides[axis] + tap * self.dilations[axis] - self.pad_begin[axis]
    }

    /// The input rows and columns inside the window of output (oy, ox), padding
    /// excluded (pooling windows: dilation 1).
    pub fn covered(&self, oy: usize, ox: usize) -> (Range<usize>, Range<usize>) {
        let span = |axis: usize, o: usize| {
            let start = (o * self.strides[axis]) as isize - self.pad_begin[axis] as isize;
            let end = start + ((self.kernel[axis] - 1) * self.dilations[axis] + 1) as isize;
            let clip = |c: isize| c.clamp(0, self.input[axis] as isize) as usize;
            clip(start)..clip(end)
        };
        (span(0, oy), span(1, ox))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window(size: usize, k: usize, s: usize, d: usize, p: usize, out: usize) -> Window {
        Window {
            kernel: [k, 1],
            strides: [s, 1],
            dilations: [d, 1],
            pad_begin: [p, 0],
            input: [size, 1],
            output: [out, 1],
        }
    }

    #[test]
    fn valid_outputs_match_a_brute_force_scan() {
        for size in 1..7 {
            for k in 1..4 {
                for s in 1..4 {
                    for d in 1..3 {
                        for p in 0..3 {
                            let padded = size + p + 1;
                            let span = d * (k - 1) + 1;
                            if span > padded {
                                continue;
                            }
                            let out = (padded - span) / s + 1;
                            let w = window(size, k, s, d, p, out);
                            for t in 0..k {
                                let expect: Vec<usize> = (0..out)
                                    .filter(|&o| {
                                        let c = (o * s + t * d) as isize - p as isize;
                                        (0..size as isize).contains(&c)
                                    })
                                    .collect();
                                let got: Vec<usize> = w.valid_outputs(0, t).collect();
                                assert_eq!(got, expect, "size {size} k {k} s {s} d {d} p {p} tap {t}");
                            }
                        }
                    }
                }
            }
        }
    }
}
