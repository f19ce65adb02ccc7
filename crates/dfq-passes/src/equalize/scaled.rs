//! A layer as the equalization sweeps see it: its weights stay untouched while
//! row and column scales accumulate, and only what equalization reads — the
//! largest |w| of each (output channel, input feature) block of taps — is kept
//! per sweep. The scales are applied to the weights once, at the end.

use crate::layer::{max_abs, Layer};

pub(crate) struct ScaledLayer {
    layer: Layer,
    /// max |w| over the taps of each (output channel o, local input j), row-major
    /// like the weights: index o·I + j with I the input features per group.
    block_max: Vec<f32>,
    /// Output channel o's weights (and bias) are multiplied by `row_scale[o]`.
    row_scale: Vec<f64>,
    /// Weights reading input feature k are multiplied by `col_scale[k]`.
    col_scale: Vec<f64>,
    /// Cached ranges; a row scale moves the output ranges by the same factor but
    /// the input ranges unpredictably, and the other way round.
    output_ranges: Option<Vec<f64>>,
    input_ranges: Option<Vec<f64>>,
}

impl ScaledLayer {
    pub fn new(layer: Layer) -> ScaledLayer {
        let taps = layer.taps();
        let block_max = layer.weight.chunks_exact(taps).map(max_abs).collect();
        let (rows, cols) = (layer.out_channels(), layer.in_features());
        ScaledLayer {
            layer,
            block_max,
            row_scale: vec![1.0; rows],
            col_scale: vec![1.0; cols],
            output_ranges: None,
            input_ranges: None,
        }
    }

    fn inputs_per_row(&self) -> usize {
        self.block_max.len() / self.row_scale.len()
    }

    /// max |w| of each output channel under the current scales.
    pub fn output_ranges(&mut self) -> &[f64] {
        if self.output_ranges.is_none() {
            let n = self.inputs_per_row();
            let ranges = (0..self.row_scale.len())
                .map(|o| {
                    let first = self.layer.input_feature(o, 0);
                    let blocks = &self.block_max[o * n..(o + 1) * n];
                    let widest =
                        blocks.iter().zip(&self.col_scale[first..]).fold(0.0f64, |m, (&w, &c)| m.max(w as f64 * c));
                    widest * self.row_scale[o]
                })
                .collect();
            self.output_ranges = Some(ranges);
        }
        self.output_ranges.as_deref().expect("computed")
    }

    /// max |w| of the weights reading each input feature under the current scales.
    pub fn input_ranges(&mut self) -> &[f64] {
        if self.input_ranges.is_none() {
            let n = self.inputs_per_row();
            let mut ranges = vec![0.0f64; self.col_scale.len()];
            for (o, &row) in self.row_scale.iter().enumerate() {
                let first = self.layer.input_feature(o, 0);
                for (r, &w) in ranges[first..first + n].iter_mut().zip(&self.block_max[o * n..(o + 1) * n]) {
                    *r = r.max(w as f64 * row);
                }
            }
            for (r, c) in ranges.iter_mut().zip(&self.col_scale) {
                *r *= c;
            }
            self.input_ranges = Some(ranges);
        }
        self.input_ranges.as_deref().expect("computed")
    }

    /// Divides output channel o (weights and bias) by `s[o]`.
    pub fn divide_outputs(&mut self, s: &[f64]) {
        self.row_scale.iter_mut().zip(s).for_each(|(r, s)| *r /= s);
        if let Some(ranges) = &mut self.output_ranges {
            ranges.iter_mut().zip(s).for_each(|(r, s)| *r /= s);
        }
        self.input_ranges = None;
    }

    /// Multiplies the weights reading input feature k by `s[k]`.
    pub fn multiply_inputs(&mut self, s: &[f64]) {
        self.col_scale.iter_mut().zip(s).for_each(|(c, s)| *c *= s);
        if let Some(ranges) = &mut self.input_ranges {
            ranges.iter_mut().zip(s).for_each(|(r, s)| *r *= s);
        }
        self.output_ranges = None;
    }

    /// The layer with the accumulated scales applied (one rounding per weight).
    pub fn finish(mut self) -> Layer {
        let taps = self.layer.taps();
        for o in 0..self.row_scale.len() {
            let first = self.layer.input_feature(o, 0);
            let row = self.row_scale[o];
            for (j, run) in self.layer.row_mut(o).chunks_exact_mut(taps).enumerate() {
                let scale = row * self.col_scale[first + j];
                run.iter_mut().for_each(|w| *w = (*w as f64 * scale) as f32);
            }
            self.layer.bias[o] = (self.layer.bias[o] as f64 * row) as f32;
        }
        self.layer
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::layer::LayerKind;
    use dfq_ir::OpId;

    /// A grouped conv: 4 outputs in 2 groups, 2 inputs per group, 1×2 taps.
    fn grouped_conv() -> Layer {
        let weight: Vec<f32> = (0..16).map(|i| ((i * 7 % 11) as f32 - 5.0) * 0.3).collect();
        Layer {
            op: OpId::new(0),
            kind: LayerKind::Conv { groups: 2, depthwise: false },
            weight_shape: vec![4, 2, 1, 2],
            weight,
            bias: vec![1.0, -2.0, 0.5, 4.0],
            has_bias: true,
        }
    }

    fn assert_close(a: &[f64], b: &[f32]) {
        for (a, b) in a.iter().zip(b) {
            assert!((a - *b as f64).abs() <= 1e-6 * a.abs().max(1.0), "{a} vs {b}");
        }
    }

    #[test]
    fn tracked_ranges_match_the_rescaled_weights() {
        let mut scaled = ScaledLayer::new(grouped_conv());
        scaled.divide_outputs(&[2.0, 0.5, 1.0, 4.0]);
        scaled.multiply_inputs(&[3.0, 1.0, 0.25, 2.0]);
        let _ = scaled.output_ranges();
        scaled.divide_outputs(&[1.0, 2.0, 0.5, 1.0]);
        let (outputs, inputs) = (scaled.output_ranges().to_vec(), scaled.input_ranges().to_vec());
        let layer = scaled.finish();
        assert_close(&outputs, &layer.output_ranges());
        assert_close(&inputs, &layer.input_ranges());
        assert_eq!(layer.bias, vec![0.5, -2.0, 1.0, 1.0]);
    }
}
