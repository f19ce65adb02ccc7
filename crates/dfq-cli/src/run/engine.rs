//! The engines that can execute a function. Only the reference interpreter
//! exists so far; the JIT will join as a second variant and become the default.

use dfq_interp::{InterpError, Tensor};
use dfq_ir::Function;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// dfq-interp: plain loops with the exact semantics every backend is checked against.
    Interp,
}

impl Engine {
    /// The engine used without an engine flag: the interpreter while it is the
    /// only one; the JIT will take over.
    pub const DEFAULT: Engine = Engine::Interp;

    /// The engine the command line asks for: `--interp` selects the interpreter.
    pub fn from_flags(interp: bool) -> Engine {
        if interp {
            Engine::Interp
        } else {
            Engine::DEFAULT
        }
    }

    pub fn run(self, func: &Function, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, InterpError> {
        match self {
            Engine::Interp => dfq_interp::run_function(func, inputs),
        }
    }
}
