//! dfq's reference interpreter: it runs a function of the `nn` (f32, ONNX
//! semantics) and `qnn` (exact integer semantics of `dialects/qnn.toml`)
//! dialects op by op, in program order. Every other backend (the passes' property
//! tests, the JIT) is checked against it, so the code favours obvious correctness:
//! plain loops, ordered for locality but without SIMD.
//!
//! ```
//! use dfq_interp::{expected_input, run_function, Tensor};
//!
//! let module = dfq_fixtures::tiny(1);
//! let main = module.function("main").unwrap();
//! let (shape, dtype) = expected_input(main, 0).unwrap();
//! assert_eq!((shape.as_slice(), dtype), (&[1, 3, 32, 32][..], "f32"));
//! let n = shape.iter().product();
//! let logits = run_function(main, vec![Tensor::from_f32(shape, vec![0.5; n])]).unwrap();
//! assert_eq!(logits[0].shape, vec![1, 10]);
//! ```
//!
//! Values of a `!quant.uniform` type are held as their storage integers (u8 or
//! i8; storage wider than 8 bits, such as 16-bit QDQ grids, widened to i32),
//! plain integer tensors (biases) as themselves, and float tensors as f32. An
//! intermediate tensor is freed right after its last use.

mod error;
mod kernels;
mod ops;
pub mod quant;
mod run;
mod signature;
mod store;
mod tensor;

pub use error::InterpError;
pub use run::{run_function, run_module};
pub use signature::expected_input;
pub use tensor::{Tensor, TensorData};
