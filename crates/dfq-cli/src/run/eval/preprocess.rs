//! From an image file to the model's input: decode, RGB, resize the shorter side
//! (Pillow's bilinear), centre crop, normalize, CHW float32.
//!
//! The steps and their rounding copy tools/efficientnet/imagenet_sample.py, the
//! Python path that reproduces MODELS.md's FP32 accuracy: the resized long side
//! is rounded half to even (Python's `round`), the crop offset floored.

use std::path::Path;

use image::{ImageReader, RgbImage};

use super::resample::resize_bilinear;

/// How pixels become input values: the model's training convention.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Preprocess {
    /// EfficientNet-Lite: (x − 127) / 128 on 0–255 RGB.
    Efficientnet,
    /// torchvision: (x / 255 − mean) / std with ImageNet's per-channel mean and std.
    Imagenet,
}

const IMAGENET_MEAN: [f32; 3] = [0.485, 0.456, 0.406];
const IMAGENET_STD: [f32; 3] = [0.229, 0.224, 0.225];

impl Preprocess {
    pub fn name(self) -> &'static str {
        match self {
            Preprocess::Efficientnet => "efficientnet",
            Preprocess::Imagenet => "imagenet",
        }
    }

    /// The range of input values this convention produces: what `dfq-translate
    /// --input-range` records, so a module's `dfq.range` tells its convention.
    pub fn input_range(self) -> (f64, f64) {
        let r = match self {
            Preprocess::Efficientnet => dfq_onnx::InputRange::efficientnet(),
            Preprocess::Imagenet => dfq_onnx::InputRange::imagenet(),
        };
        (r.min, r.max)
    }

    fn normalize(self, pixel: u8, channel: usize) -> f32 {
        let x = f32::from(pixel);
        match self {
            Preprocess::Efficientnet => (x - 127.0) / 128.0,
            Preprocess::Imagenet => (x / 255.0 - IMAGENET_MEAN[channel]) / IMAGENET_STD[channel],
        }
    }
}

/// The crop the model takes, and the shorter side images are resized to first.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Geometry {
    pub height: u32,
    pub width: u32,
}

impl Geometry {
    /// 256 for the usual 224 crop; other crops keep that 224 : 256 ratio.
    pub fn shorter_side(self) -> u32 {
        (f64::from(self.height.max(self.width)) * 256.0 / 224.0).round() as u32
    }

    /// Values per image: 3 x height x width.
    pub fn len(self) -> usize {
        3 * self.height as usize * self.width as usize
    }
}

/// Decodes the image at `path` (format from its content) and preprocesses it.
pub fn load_image(path: &Path, geometry: Geometry, preprocess: Preprocess) -> Result<Vec<f32>, String> {
    let decoded = ImageReader::open(path)
        .map_err(|e| e.to_string())?
        .with_guessed_format()
        .map_err(|e| e.to_string())?
        .decode()
        .map_err(|e| e.to_string())?;
    // Greyscale is replicated into the three channels; alpha is dropped.
    Ok(preprocess_rgb(&decoded.to_rgb8(), geometry, preprocess))
}

/// Resize (shorter side), centre crop, normalize: CHW values.
pub fn preprocess_rgb(rgb: &RgbImage, geometry: Geometry, preprocess: Preprocess) -> Vec<f32> {
    let (width, height) = resized_size(rgb.width(), rgb.height(), geometry.shorter_side());
    let resized = resize_bilinear(rgb, width, height);
    let left = (width - geometry.width) / 2;
    let top = (height - geometry.height) / 2;
    let mut out = Vec::with_capacity(geometry.len());
    for channel in 0..3 {
        for y in top..top + geometry.height {
            for x in left..left + geometry.width {
                out.push(preprocess.normalize(resized.get_pixel(x, y).0[channel], channel));
            }
        }
    }
    out
}

/// The size with the shorter side `short` and the aspect ratio kept, the long
/// side rounded half to even like Python's `round`.
fn resized_size(width: u32, height: u32, short: u32) -> (u32, u32) {
    let long = |long: u32, other: u32| (f64::from(short) * f64::from(long) / f64::from(other)).round_ties_even() as u32;
    if width <= height {
        (short, long(height, width))
    } else {
        (long(width, height), short)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::run::npy;

    /// tools/eval/reference: images and what tools/eval/preprocess_ref.py (Pillow,
    /// NumPy) makes of them.
    fn reference(name: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tools/eval/reference").join(name)
    }

    fn compare(image: &str, expected: &str, geometry: Geometry, preprocess: Preprocess) {
        let got = load_image(&reference(image), geometry, preprocess).unwrap();
        let want = npy::decode(expected, &std::fs::read(reference(expected)).unwrap()).unwrap();
        assert_eq!(want.shape, [3, geometry.height as usize, geometry.width as usize]);
        let want = want.as_f32().unwrap();
        let worst = got.iter().zip(want).map(|(g, w)| (g - w).abs()).fold(0.0, f32::max);
        assert!(worst <= 1e-5, "{image}: largest difference from Pillow {worst}");
    }

    const CROP_224: Geometry = Geometry { height: 224, width: 224 };
    const CROP_32: Geometry = Geometry { height: 32, width: 32 };

    #[test]
    fn matches_pillow_on_a_sample_photo() {
        // 500x375 RGB: downscaled to 341x256.
        compare("tench.png", "tench.npy", CROP_224, Preprocess::Efficientnet);
    }

    #[test]
    fn matches_pillow_on_a_greyscale_portrait() {
        // 183x280 greyscale: upscaled to 256x392, replicated into RGB.
        compare("nail.png", "nail.npy", CROP_224, Preprocess::Efficientnet);
    }

    #[test]
    fn matches_torchvision_normalization() {
        compare("noise.png", "noise.imagenet.npy", CROP_32, Preprocess::Imagenet);
        compare("small.png", "small.imagenet.npy", CROP_32, Preprocess::Imagenet);
    }

    #[test]
    fn long_side_rounds_half_to_even() {
        // 256 · 1025 / 512 = 512.5 and 256 · 1027 / 512 = 513.5: ties go to the even side.
        assert_eq!(resized_size(512, 1025, 256), (256, 512)); // 512.5 → 512
        assert_eq!(resized_size(1536, 512, 256), (768, 256));
        assert_eq!(resized_size(512, 1027, 256), (256, 514)); // 513.5 → 514
        assert_eq!(CROP_224.shorter_side(), 256);
    }
}
