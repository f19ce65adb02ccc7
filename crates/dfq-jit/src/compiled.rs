//! The public face: compile a function once, run it many times.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use dfq_interp::{Tensor, TensorData};
use dfq_ir::Function;

use crate::aligned::AlignedBuf;
use crate::codegen::{self, Code};
use crate::error::JitError;
use crate::options::{JitOptions, KernelChoice};
use crate::plan::{self, ConstPool, IoSpec};
use crate::runtime::{parallel_for, Runtime};

/// A function compiled to native code. `run` may be called from several threads
/// at once; each call takes its own arena.
pub struct CompiledFunction {
    code: Code,
    runtime: Box<Runtime>,
    args: Vec<IoSpec>,
    results: Vec<IoSpec>,
    arena_bytes: usize,
    arenas: Mutex<Vec<AlignedBuf>>,
    /// Packed weights and tables the code points into.
    pool: ConstPool,
    stats: CompileStats,
}

// SAFETY: the code and constants are immutable after compilation; arenas are
// handed out under a lock; the thread pool is Sync.
unsafe impl Send for CompiledFunction {}
unsafe impl Sync for CompiledFunction {}

/// Facts about a compilation, for reports.
#[derive(Clone, Debug)]
pub struct CompileStats {
    pub kernel: KernelChoice,
    pub threads: usize,
    /// Steps (parallel loops) per run.
    pub steps: usize,
    /// Bytes of the per-run arena (activations and scratch).
    pub arena_bytes: usize,
    /// Bytes of packed weights and tables.
    pub constant_bytes: usize,
    pub compile_time: Duration,
    /// One line per step: what op it implements.
    pub step_labels: Vec<String>,
    /// Parallel items per step.
    pub step_items: Vec<usize>,
}

impl CompiledFunction {
    /// Compiles `func` (a `qnn` or `nn` function with static shapes).
    pub fn compile(func: &Function, opts: &JitOptions) -> Result<CompiledFunction, JitError> {
        let start = Instant::now();
        let threads = opts.threads.max(1);
        let mut plan = plan::plan(func, opts)?;
        let arena_bytes = plan.arena + Runtime::scratch_total(threads, plan.scratch) + 64;
        let runtime = Box::new(Runtime::new(threads, plan.arena, plan.scratch).map_err(|e| JitError::new(e, None))?);
        let code = codegen::compile(&mut plan, parallel_for as *const () as usize as i64)?;
        let stats = CompileStats {
            kernel: plan.kernel,
            threads,
            steps: plan.steps.len(),
            arena_bytes,
            constant_bytes: plan.pool.bytes(),
            compile_time: start.elapsed(),
            step_labels: plan.steps.iter().map(|(s, l)| format!("{l}: {}", s.describe())).collect(),
            step_items: plan.steps.iter().map(|(s, _)| s.items()).collect(),
        };
        Ok(CompiledFunction {
            code,
            runtime,
            args: plan.args,
            results: plan.results,
            arena_bytes,
            arenas: Mutex::new(Vec::new()),
            pool: plan.pool,
            stats,
        })
    }

    pub fn stats(&self) -> &CompileStats {
        &self.stats
    }

    /// Runs the function on `inputs` (one per argument, as the interpreter takes them).
    pub fn run(&self, inputs: Vec<Tensor>) -> Result<Vec<Tensor>, JitError> {
        self.check_inputs(&inputs)?;
        let mut outputs: Vec<Tensor> = self.results.iter().map(|r| zeros(&r.shape, r.dtype)).collect();
        let mut arena = self.arenas.lock().map_err(|_| JitError::new("arena pool poisoned", None))?.pop().unwrap_or_else(|| AlignedBuf::zeroed(self.arena_bytes));
        {
            let table = arena.as_mut_slice_of::<u64>();
            for (spec, t) in self.args.iter().zip(&inputs) {
                table[spec.slot] = data_ptr(&t.data) as u64;
            }
            for (spec, t) in self.results.iter().zip(&mut outputs) {
                table[spec.slot] = data_ptr(&t.data) as u64;
            }
        }
        // SAFETY: `main` was generated for this arena layout and these I/O slots;
        // inputs and outputs stay alive and unmoved for the call.
        unsafe {
            let main: unsafe extern "C" fn(*const Runtime, *mut u8) = std::mem::transmute(self.code.main);
            main(&*self.runtime, arena.as_mut_ptr());
        }
        drop(inputs);
        if let Ok(mut pool) = self.arenas.lock() {
            pool.push(arena);
        }
        let _ = &self.pool;
        Ok(outputs)
    }

    /// Median wall time of each step over `runs` runs on `inputs`, with its label
    /// (the op it implements), for finding where the time goes.
    pub fn profile(&self, inputs: &[Tensor], runs: usize) -> Result<Vec<(String, Duration)>, JitError> {
        use std::sync::atomic::Ordering;
        let labels: Vec<&String> = self.stats.step_labels.iter().zip(&self.stats.step_items).filter(|(_, &n)| n > 0).map(|(l, _)| l).collect();
        let mut samples: Vec<Vec<Duration>> = vec![Vec::new(); labels.len()];
        for _ in 0..runs.max(1) {
            self.runtime.timings.lock().map_err(|_| JitError::new("profile lock poisoned", None))?.clear();
            self.runtime.profiling.store(true, Ordering::Relaxed);
            let result = self.run(inputs.to_vec());
            self.runtime.profiling.store(false, Ordering::Relaxed);
            result?;
            let times = self.runtime.timings.lock().map_err(|_| JitError::new("profile lock poisoned", None))?.clone();
            for (s, t) in samples.iter_mut().zip(times) {
                s.push(t);
            }
        }
        Ok(labels
            .into_iter()
            .zip(samples)
            .map(|(l, mut s)| {
                s.sort();
                (l.clone(), s.get(s.len() / 2).copied().unwrap_or_default())
            })
            .collect())
    }

    fn check_inputs(&self, inputs: &[Tensor]) -> Result<(), JitError> {
        if inputs.len() != self.args.len() {
            return Err(JitError::new(format!("the function takes {} arguments, but {} inputs were given", self.args.len(), inputs.len()), None));
        }
        for (i, (spec, t)) in self.args.iter().zip(inputs).enumerate() {
            if t.shape != spec.shape || t.dtype() != spec.dtype {
                return Err(JitError::new(
                    format!("argument #{i} expects {:?} {}, got {:?} {}", spec.shape, spec.dtype, t.shape, t.dtype()),
                    None,
                ));
            }
        }
        Ok(())
    }
}

fn zeros(shape: &[usize], dtype: &str) -> Tensor {
    let n = shape.iter().product();
    let data = match dtype {
        "f32" => TensorData::F32(vec![0.0; n]),
        "i8" => TensorData::I8(vec![0; n]),
        _ => TensorData::U8(vec![0; n]),
    };
    Tensor::new(shape.to_vec(), data)
}

fn data_ptr(d: &TensorData) -> *const u8 {
    match d {
        TensorData::F32(v) => v.as_ptr() as *const u8,
        TensorData::I8(v) => v.as_ptr() as *const u8,
        TensorData::U8(v) => v.as_ptr(),
        TensorData::I32(v) => v.as_ptr() as *const u8,
        TensorData::I64(v) => v.as_ptr() as *const u8,
    }
}
