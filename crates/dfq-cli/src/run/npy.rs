//! NumPy `.npy` files ↔ interpreter tensors: the reader and writer live in the
//! `dfq-npy` crate, which the passes share (bias-correct's calibration data).

pub use dfq_npy::{decode, encode, numpy_dtype};
