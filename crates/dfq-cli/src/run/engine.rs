//! The engines that execute a function: the JIT (dfq-jit), by default, and the
//! reference interpreter (dfq-interp), with `--interp`. A function the JIT cannot
//! compile runs on the interpreter, after one warning.

use std::time::Duration;

use dfq_interp::Tensor;
use dfq_ir::Function;
use dfq_jit::{CompiledFunction, JitError, JitOptions, KernelChoice};

use super::Failure;

/// The engine the command line asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// dfq-jit, on this many threads.
    Jit { threads: usize },
    /// dfq-interp: plain loops with the exact semantics every backend is checked against.
    Interp,
}

impl Engine {
    /// `--interp` selects the interpreter; otherwise the JIT, on `threads` threads
    /// (all cores without `--threads`).
    pub fn from_flags(interp: bool, threads: Option<usize>) -> Engine {
        match interp {
            true => Engine::Interp,
            false => Engine::Jit { threads: threads.unwrap_or_else(|| JitOptions::default().threads) },
        }
    }

    /// Makes `func` ready to run many times: compiles it for the JIT, or, if the JIT
    /// cannot compile it, prints one warning saying why and takes the interpreter.
    pub fn prepare(self, func: &Function) -> Prepared<'_> {
        let Engine::Jit { threads } = self else { return Prepared { func, compiled: None } };
        match CompiledFunction::compile(func, &JitOptions { threads, ..JitOptions::default() }) {
            Ok(compiled) => Prepared { func, compiled: Some(compiled) },
            Err(e) => {
                eprintln!("{}", fallback_warning(func, &e));
                Prepared { func, compiled: None }
            }
        }
    }
}

/// `dfq-run: warning: the JIT cannot compile '@main' (m.mlir:3:8: 'nn.sigmoid' op is
/// not supported by the JIT); ...`: one line.
fn fallback_warning(func: &Function, e: &JitError) -> String {
    let why = e.to_string().replace('\n', " ");
    format!(
        "dfq-run: warning: the JIT cannot compile '@{}' ({why}); running it on the reference interpreter \
         instead (--interp selects the interpreter without this warning)",
        func.name
    )
}

/// A function ready to run on the engine it got.
pub struct Prepared<'f> {
    pub func: &'f Function,
    /// None: the interpreter runs it.
    compiled: Option<CompiledFunction>,
}

impl Prepared<'_> {
    pub fn run(&self, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, Failure> {
        match &self.compiled {
            Some(compiled) => compiled.run(inputs).map_err(|e| Failure::at(e.loc, e.message)),
            None => Ok(dfq_interp::run_function(self.func, inputs)?),
        }
    }

    /// `jit` or `interp`.
    pub fn engine_name(&self) -> &'static str {
        match self.compiled {
            Some(_) => "jit",
            None => "interp",
        }
    }

    /// The GEMM kernel family the JIT chose.
    pub fn kernel(&self) -> Option<KernelChoice> {
        self.compiled.as_ref().map(|c| c.stats().kernel)
    }

    /// Threads one run uses.
    pub fn threads(&self) -> usize {
        self.compiled.as_ref().map_or(1, |c| c.stats().threads)
    }

    pub fn compile_time(&self) -> Option<Duration> {
        self.compiled.as_ref().map(|c| c.stats().compile_time)
    }

    /// `jit (avx-vnni, 2 threads)` or `interp`.
    pub fn describe(&self) -> String {
        match self.kernel() {
            Some(kernel) => {
                let threads = self.threads();
                format!("jit ({kernel}, {threads} thread{})", if threads == 1 { "" } else { "s" })
            }
            None => "interp".to_string(),
        }
    }
}
