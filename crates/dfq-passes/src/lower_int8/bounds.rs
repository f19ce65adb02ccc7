//! Activations as clamps in the integer domain.
//!
//! Quantization is monotone (x / s in f32, rounding, saturation all are), so
//! quantize(clip(x, lo, hi)) = clamp(quantize(x), quantize(lo), quantize(hi))
//! exactly: a ReLU, ReLU6 or clip before a quantize is the integer clamp
//! [Q(lo), Q(hi)] after it, which is what `act_min`/`act_max` and `qnn.clamp`
//! hold (ReLU: act_min = z; ReLU6: act_max = z + round(6 / s)).

use dfq_dialects::nn;
use dfq_ir::{Function, OpId, QuantType};
use dfq_quant::{channel_params, quantize};

use crate::quantize::ranges::clip_bound;

/// The float bounds of a chain of activations, composed: scalar or per channel.
#[derive(Clone, Debug, PartialEq)]
pub struct Clamp {
    lo: Vec<f64>,
    hi: Vec<f64>,
}

/// A clamp in a type's integer domain (stored integers, zero point included).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IntClamp {
    /// The same bounds for every channel.
    Uniform(i64, i64),
    /// Bounds that differ per channel (axis 1); `union` is the loosest of them.
    PerChannel { bounds: Vec<(i64, i64)>, union: (i64, i64) },
}

impl Clamp {
    /// The composition of `acts` (ReLU, ReLU6, clip with constant bounds), `None`
    /// for an empty chain.
    pub fn of_chain(f: &Function, acts: &[OpId]) -> Result<Option<Clamp>, String> {
        let mut clamp: Option<Clamp> = None;
        for &act in acts {
            let next = Clamp::of_op(f, act)?;
            clamp = Some(match clamp {
                Some(c) => c.intersect(&next),
                None => next,
            });
        }
        Ok(clamp)
    }

    fn of_op(f: &Function, op: OpId) -> Result<Clamp, String> {
        let scalar = |lo: f64, hi: f64| Clamp { lo: vec![lo], hi: vec![hi] };
        match f.op(op).name.as_str() {
            "nn.relu" => Ok(scalar(0.0, f64::INFINITY)),
            "nn.relu6" => Ok(scalar(0.0, 6.0)),
            "nn.clip" => {
                let clip = nn::Clip::cast(f, op).ok_or("a malformed clip")?;
                let bound = |v| clip_bound(f, v).ok_or("a clip whose bounds are not constants");
                Ok(Clamp { lo: bound(clip.min())?, hi: bound(clip.max())? })
            }
            other => Err(format!("'{other}' is not an activation")),
        }
    }

    fn intersect(&self, other: &Clamp) -> Clamp {
        let combine = |a: &[f64], b: &[f64], pick: fn(f64, f64) -> f64| -> Vec<f64> {
            let n = a.len().max(b.len());
            let at = |v: &[f64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
            (0..n).map(|i| pick(at(a, i), at(b, i))).collect()
        };
        Clamp { lo: combine(&self.lo, &other.lo, f64::max), hi: combine(&self.hi, &other.hi, f64::min) }
    }

    /// The bounds quantized to per-tensor `ty`, channel by channel.
    pub fn to_int(&self, ty: &QuantType) -> IntClamp {
        let (s, z) = channel_params(ty, 0);
        let (storage_lo, storage_hi) = ty.storage_min_max();
        let q = |x: f64| quantize(x as f32, s, z, storage_lo, storage_hi);
        let n = self.lo.len().max(self.hi.len());
        let at = |v: &[f64], i: usize| if v.len() == 1 { v[0] } else { v[i] };
        // As in ONNX's Clip, min > max yields max.
        let bounds: Vec<(i64, i64)> = (0..n).map(|c| (q(at(&self.lo, c).min(at(&self.hi, c))), q(at(&self.hi, c)))).collect();
        let lo = bounds.iter().map(|b| b.0).min().expect("at least one bound");
        let hi = bounds.iter().map(|b| b.1).max().expect("at least one bound");
        if bounds.iter().all(|&b| b == bounds[0]) {
            IntClamp::Uniform(bounds[0].0, bounds[0].1)
        } else {
            IntClamp::PerChannel { bounds, union: (lo, hi) }
        }
    }
}

impl IntClamp {
    /// Bounds that hold for every channel's values after the clamp.
    pub fn loosest(&self) -> (i64, i64) {
        match *self {
            IntClamp::Uniform(lo, hi) => (lo, hi),
            IntClamp::PerChannel { union, .. } => union,
        }
    }
}
