//! Bilinear resizing exactly as Pillow does it (`Image.resize(size, Image.BILINEAR)`
//! on an RGB image, Pillow's `libImaging/Resample.c`), so that our preprocessing
//! gives the same pixels as the Python reference that measured the FP32 accuracy.
//!
//! Pillow's bilinear filter is a triangle whose support widens with the
//! downscaling factor (an antialiasing filter, not 4-tap interpolation); weights
//! are normalized, turned into 22-bit fixed point, and each of the two passes
//! (horizontal, then vertical) rounds and clamps to 8 bits.

use image::RgbImage;

/// Fixed-point fraction bits of the weights: 32 bits less 8 for the pixel and 2 of headroom.
const PRECISION_BITS: u32 = 32 - 8 - 2;

/// The input samples one output sample reads, and their fixed-point weights.
struct Taps {
    first: usize,
    weights: Vec<i32>,
}

/// Resizes `src` to `width` x `height` with Pillow's bilinear filter.
pub fn resize_bilinear(src: &RgbImage, width: u32, height: u32) -> RgbImage {
    let mut image = src.clone();
    // Like Pillow, a pass whose size does not change is skipped.
    if width != image.width() {
        image = horizontal(&image, &taps(image.width() as usize, width as usize), width);
    }
    if height != image.height() {
        image = vertical(&image, &taps(image.height() as usize, height as usize), height);
    }
    image
}

fn horizontal(src: &RgbImage, taps: &[Taps], width: u32) -> RgbImage {
    RgbImage::from_fn(width, src.height(), |x, y| {
        let t = &taps[x as usize];
        accumulate(t, |i| src.get_pixel((t.first + i) as u32, y).0)
    })
}

fn vertical(src: &RgbImage, taps: &[Taps], height: u32) -> RgbImage {
    RgbImage::from_fn(src.width(), height, |x, y| {
        let t = &taps[y as usize];
        accumulate(t, |i| src.get_pixel(x, (t.first + i) as u32).0)
    })
}

/// One output pixel: the weighted sum of the taps in fixed point, rounded and
/// clamped to 0..=255 per channel (Pillow's `clip8`).
fn accumulate(taps: &Taps, pixel: impl Fn(usize) -> [u8; 3]) -> image::Rgb<u8> {
    let mut sums = [1i32 << (PRECISION_BITS - 1); 3];
    for (i, &w) in taps.weights.iter().enumerate() {
        for (sum, &v) in sums.iter_mut().zip(&pixel(i)) {
            *sum += i32::from(v) * w;
        }
    }
    image::Rgb(sums.map(|s| (s >> PRECISION_BITS).clamp(0, 255) as u8))
}

/// Pillow's `precompute_coeffs` (box = the whole input) and `normalize_coeffs_8bpc`,
/// operation for operation, so that the weights round the same way.
fn taps(in_size: usize, out_size: usize) -> Vec<Taps> {
    let scale = in_size as f64 / out_size as f64;
    let filter_scale = scale.max(1.0);
    let support = filter_scale; // the triangle's support, 1, widened when downscaling
    let inverse = 1.0 / filter_scale;
    (0..out_size)
        .map(|out| {
            let center = (out as f64 + 0.5) * scale;
            // C's (int) casts truncate toward zero, as `as` does.
            let first = ((center - support + 0.5) as i64).max(0) as usize;
            let end = ((center + support + 0.5) as i64).min(in_size as i64) as usize;
            let raw: Vec<f64> =
                (first..end).map(|i| triangle((i as f64 - center + 0.5) * inverse)).collect();
            let total: f64 = raw.iter().sum();
            let weights = raw
                .iter()
                .map(|&w| if total != 0.0 { w / total } else { w })
                .map(|w| {
                    let fixed = w * f64::from(1u32 << PRECISION_BITS);
                    (if w < 0.0 { fixed - 0.5 } else { fixed + 0.5 }) as i32
                })
                .collect();
            Taps { first, weights }
        })
        .collect()
}

fn triangle(x: f64) -> f64 {
    let x = x.abs();
    if x < 1.0 {
        1.0 - x
    } else {
        0.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_size_is_a_copy() {
        let src = RgbImage::from_fn(5, 4, |x, y| image::Rgb([x as u8 * 40, y as u8 * 60, 7]));
        assert_eq!(resize_bilinear(&src, 5, 4), src);
    }

    #[test]
    fn halving_averages_pairs() {
        // Downscaling by 2 widens the triangle to 4 taps with weights 1/8, 3/8, 3/8, 1/8.
        let src = RgbImage::from_fn(4, 1, |x, _| image::Rgb([[0, 80, 160, 240][x as usize]; 3]));
        let out = resize_bilinear(&src, 2, 1);
        // (0·3 + 80·3 + 160·1)/7 ≈ 57.1 and (80·1 + 160·3 + 240·3)/7 ≈ 182.9 (edge taps cut off).
        assert_eq!(out.get_pixel(0, 0).0, [57; 3]);
        assert_eq!(out.get_pixel(1, 0).0, [183; 3]);
    }

    #[test]
    fn weights_sum_to_one_in_fixed_point() {
        for (n, m) in [(500, 256), (75, 256), (256, 256), (13, 37)] {
            for t in taps(n, m) {
                let sum: i32 = t.weights.iter().sum();
                assert!((sum - (1 << PRECISION_BITS)).abs() <= t.weights.len() as i32, "{n}->{m}: {sum}");
            }
        }
    }
}
