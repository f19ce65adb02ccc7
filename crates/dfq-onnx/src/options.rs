//! What the caller decides that the model does not say: the input's static shape
//! and its value range.

use std::fmt;
use std::str::FromStr;

/// ImageNet normalization of [0, 1] pixels: (x − mean) / std per RGB channel.
const IMAGENET_MEAN: [f64; 3] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [f64; 3] = [0.229, 0.224, 0.225];

#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportOptions {
    /// Replaces the graph input's shape, which may have dynamic (symbolic)
    /// dimensions; static dimensions the model declares must agree.
    pub input_shape: Option<Vec<i64>>,
    /// Recorded as the inputs' `dfq.range`, from which quantization derives the
    /// input scale. `None` leaves the attribute out.
    pub input_range: Option<InputRange>,
}

/// The [min, max] of the network input's values.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct InputRange {
    pub min: f64,
    pub max: f64,
}

impl InputRange {
    pub fn new(min: f64, max: f64) -> Result<InputRange, String> {
        if !min.is_finite() || !max.is_finite() {
            return Err(format!("the input range bounds must be finite, got {min}, {max}"));
        }
        if min > max {
            return Err(format!("the input range has min {min} greater than max {max}"));
        }
        Ok(InputRange { min, max })
    }

    /// `(x − mean) / std` of [0, 1] pixels with ImageNet's per-channel statistics;
    /// one per-tensor range covers all channels: about [−2.118, 2.640].
    pub fn imagenet() -> InputRange {
        let per_channel = IMAGENET_MEAN.iter().zip(IMAGENET_STD).map(|(m, s)| ((0.0 - m) / s, (1.0 - m) / s));
        let (min, max) =
            per_channel.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), (a, b)| (lo.min(a), hi.max(b)));
        InputRange { min, max }
    }

    /// EfficientNet-Lite's `(x − 127) / 128` of 0–255 pixels: [−0.9921875, 1.0].
    pub fn efficientnet() -> InputRange {
        let normalize = |pixel: f64| (pixel - 127.0) / 128.0;
        InputRange { min: normalize(0.0), max: normalize(255.0) }
    }
}

impl FromStr for InputRange {
    type Err = String;

    /// `imagenet`, `efficientnet`, or `MIN,MAX`.
    fn from_str(s: &str) -> Result<InputRange, String> {
        match s.trim() {
            "imagenet" => return Ok(InputRange::imagenet()),
            "efficientnet" => return Ok(InputRange::efficientnet()),
            _ => {}
        }
        let parts: Vec<&str> = s.split(',').map(str::trim).collect();
        let [min, max] = parts.as_slice() else {
            return Err(format!("expected 'MIN,MAX', 'imagenet' or 'efficientnet', got '{s}'"));
        };
        let number = |t: &str| t.parse::<f64>().map_err(|_| format!("'{t}' is not a number (in input range '{s}')"));
        InputRange::new(number(min)?, number(max)?)
    }
}

impl fmt::Display for InputRange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "[{}, {}]", self.min, self.max)
    }
}

/// Parses `1,3,224,224` (`x` also separates, as in `1x3x224x224`).
pub fn parse_shape(s: &str) -> Result<Vec<i64>, String> {
    let dims: Result<Vec<i64>, String> = s
        .split([',', 'x'])
        .map(|d| match d.trim().parse::<i64>() {
            Ok(v) if v >= 1 => Ok(v),
            _ => Err(format!("'{}' is not a positive dimension (in shape '{s}')", d.trim())),
        })
        .collect();
    dims
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_cover_the_normalized_pixel_ranges() {
        let r = InputRange::imagenet();
        assert!((r.min - (-0.485 / 0.229)).abs() < 1e-12, "{r}");
        assert!((r.max - (1.0 - 0.406) / 0.225).abs() < 1e-12, "{r}");
        assert_eq!("efficientnet".parse::<InputRange>().unwrap(), InputRange { min: -0.9921875, max: 1.0 });
    }

    #[test]
    fn explicit_ranges_are_checked() {
        assert_eq!("-2.12, 2.64".parse::<InputRange>().unwrap(), InputRange { min: -2.12, max: 2.64 });
        assert!("3,1".parse::<InputRange>().unwrap_err().contains("greater"));
        assert!("1".parse::<InputRange>().is_err());
        assert!("a,1".parse::<InputRange>().unwrap_err().contains("'a' is not a number"));
        assert!("0,inf".parse::<InputRange>().unwrap_err().contains("finite"));
    }

    #[test]
    fn shapes_parse_with_commas_or_x() {
        assert_eq!(parse_shape("1,3,224,224").unwrap(), vec![1, 3, 224, 224]);
        assert_eq!(parse_shape("1x3x8x8").unwrap(), vec![1, 3, 8, 8]);
        assert!(parse_shape("1,0,2").is_err());
        assert!(parse_shape("").is_err());
    }
}
