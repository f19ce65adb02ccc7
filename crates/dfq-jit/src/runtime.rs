//! The run-time side: the persistent thread pool and the parallel loop the
//! generated `main` calls for every step.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::aligned::{guard_pages, AlignedBuf};

/// A step function: `(arena, scratch, begin, end)`.
pub(crate) type StepFn = unsafe extern "C" fn(*mut u8, *mut u8, u64, u64);

pub(crate) struct Runtime {
    /// When set, each step's wall time is appended to `timings`.
    pub profiling: AtomicBool,
    pub timings: Mutex<Vec<Duration>>,
    /// None for one thread: steps run on the caller's thread.
    pool: Option<rayon::ThreadPool>,
    threads: usize,
    /// Where the per-thread scratch areas start in the arena, and their size.
    scratch_offset: usize,
    scratch_bytes: usize,
}

impl Runtime {
    pub fn new(threads: usize, scratch_offset: usize, scratch_bytes: usize) -> Result<Runtime, String> {
        let pool = if threads > 1 {
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .thread_name(|i| format!("dfq-jit-{i}"))
                .build()
                .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
            Some(pool)
        } else {
            None
        };
        Ok(Runtime { profiling: AtomicBool::new(false), timings: Mutex::new(Vec::new()), pool, threads, scratch_offset, scratch_bytes })
    }

    /// Arena bytes the scratch areas need after `scratch_offset`.
    pub fn scratch_total(threads: usize, scratch_bytes: usize) -> usize {
        threads.max(1) * scratch_bytes
    }
}

#[derive(Clone, Copy)]
struct SendPtr(*mut u8);
// SAFETY: the arena outlives the parallel loop, and items write disjoint parts.
unsafe impl Send for SendPtr {}
unsafe impl Sync for SendPtr {}

/// Runs items 0..items of `step`: split evenly into one contiguous range per
/// thread (the items of a step cost about the same), each with its own scratch.
pub(crate) unsafe extern "C" fn parallel_for(rt: *const Runtime, step: StepFn, arena: *mut u8, items: u64) {
    // SAFETY: `rt` is the compiled function's runtime, alive during the call.
    let rt = unsafe { &*rt };
    if rt.profiling.load(Ordering::Relaxed) {
        let start = Instant::now();
        unsafe { run_items(rt, step, arena, items) };
        if let Ok(mut t) = rt.timings.lock() {
            t.push(start.elapsed());
        }
    } else {
        unsafe { run_items(rt, step, arena, items) };
    }
}

unsafe fn run_items(rt: &Runtime, step: StepFn, arena: *mut u8, items: u64) {
    let threads = (rt.threads as u64).min(items);
    let scratch = |t: usize| unsafe { arena.add(rt.scratch_offset + t * rt.scratch_bytes) };
    match &rt.pool {
        Some(pool) if threads > 1 => {
            let arena = SendPtr(arena);
            let scratch = |t: usize| SendPtr(scratch(t).cast());
            let areas: Vec<SendPtr> = (0..rt.threads).map(scratch).collect();
            pool.broadcast(|ctx| {
                let t = ctx.index() as u64;
                let (begin, end) = (items * t / threads, items * (t + 1) / threads);
                if t < threads && begin < end {
                    let a = arena;
                    // SAFETY: the generated step reads and writes the arena within its items.
                    with_scratch(rt, areas[t as usize].0, |s| unsafe { step(a.0, s, begin, end) });
                }
            });
        }
        // SAFETY: as above, all items on this thread.
        _ => with_scratch(rt, scratch(0), |s| unsafe { step(arena, s, 0, items) }),
    }
}

thread_local! {
    /// This thread's guarded scratch area (DFQ_JIT_GUARD_PAGES=1 only). A thread runs one
    /// step at a time, and scratch holds nothing from one step to the next.
    static GUARDED_SCRATCH: RefCell<Option<AlignedBuf>> = const { RefCell::new(None) };
}

/// Calls `f` with the thread's scratch area: `in_arena`, or with guard pages a
/// buffer of exactly the scratch size ending at a guard page. (The arena's scratch
/// areas sit side by side, where one thread overrunning its own would go unnoticed.)
fn with_scratch(rt: &Runtime, in_arena: *mut u8, f: impl FnOnce(*mut u8)) {
    if !guard_pages() || rt.scratch_bytes == 0 {
        return f(in_arena);
    }
    GUARDED_SCRATCH.with_borrow_mut(|slot| {
        let buf = match slot {
            Some(buf) if buf.len() == rt.scratch_bytes => buf,
            _ => slot.insert(AlignedBuf::zeroed(rt.scratch_bytes)),
        };
        f(buf.as_mut_ptr())
    })
}
