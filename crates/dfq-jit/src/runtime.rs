//! The run-time side: the helper threads and the parallel loop the generated
//! `main` calls for every step.
//!
//! A step's items are claimed in chunks from one shared counter by the calling
//! thread and the helpers alike, so a helper that is late (asleep, or its core
//! busy) costs nothing: the caller takes its share. Helpers spin for a while
//! after each step, so the next one starts without a wake-up, then sleep.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, AtomicPtr, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::aligned::{guard_pages, AlignedBuf};

/// A step function: `(arena, scratch, begin, end)`.
pub(crate) type StepFn = unsafe extern "C" fn(*mut u8, *mut u8, u64, u64);

/// `next` while the job's fields are being written.
const NOT_READY: u64 = 0xffff_ffff;

/// How long a helper spins for the next step before it sleeps: long enough to
/// bridge the steps of a run, short enough that on a busy machine an idle
/// helper sleeps (the scheduler wakes a sleeper promptly; a spinner it treats
/// as a hog and preempts, maybe in the middle of a chunk the caller waits for).
const SPIN: Duration = Duration::from_micros(100);

pub(crate) struct Runtime {
    /// When set, each step's wall time is appended to `timings`.
    pub profiling: AtomicBool,
    pub timings: Mutex<Vec<Duration>>,
    pool: Option<Pool>,
    /// Where the per-thread scratch areas start in the arena, and their size.
    scratch_offset: usize,
    scratch_bytes: usize,
}

/// The helper threads (threads − 1 of them) and the job they share.
struct Pool {
    shared: Arc<Shared>,
    helpers: Vec<JoinHandle<()>>,
    /// One run at a time uses the helpers; concurrent runs go single-threaded.
    busy: Mutex<()>,
}

/// The current job. To publish one, the caller marks `next` with the new serial
/// number and NOT_READY, writes the fields, then sets `next` to the first item.
/// A helper trusts the fields only while its claims on `next` for that serial
/// succeed: while a claimed chunk is unfinished the caller cannot move on, and
/// reading any field of a later job (Acquire) would make the claim fail.
struct Shared {
    step: AtomicPtr<()>,
    arena: AtomicPtr<u8>,
    items: AtomicU64,
    chunk: AtomicU64,
    /// serial << 32 | next unclaimed item.
    next: AtomicU64,
    /// Items finished in the current job.
    done: AtomicU64,
    scratch_offset: usize,
    scratch_bytes: usize,
    /// Helpers asleep, and whether they should exit.
    sleeping: AtomicUsize,
    shutdown: AtomicBool,
}

impl Runtime {
    pub fn new(threads: usize, scratch_offset: usize, scratch_bytes: usize) -> Result<Runtime, String> {
        let pool = if threads > 1 { Some(Pool::start(threads, scratch_offset, scratch_bytes)?) } else { None };
        Ok(Runtime { profiling: AtomicBool::new(false), timings: Mutex::new(Vec::new()), pool, scratch_offset, scratch_bytes })
    }

    /// Arena bytes the scratch areas need after `scratch_offset`.
    pub fn scratch_total(threads: usize, scratch_bytes: usize) -> usize {
        threads.max(1) * scratch_bytes
    }
}

impl Pool {
    fn start(threads: usize, scratch_offset: usize, scratch_bytes: usize) -> Result<Pool, String> {
        let shared = Arc::new(Shared {
            step: AtomicPtr::new(std::ptr::null_mut()),
            arena: AtomicPtr::new(std::ptr::null_mut()),
            items: AtomicU64::new(0),
            chunk: AtomicU64::new(1),
            next: AtomicU64::new(0),
            done: AtomicU64::new(0),
            scratch_offset,
            scratch_bytes,
            sleeping: AtomicUsize::new(0),
            shutdown: AtomicBool::new(false),
        });
        let helpers = (1..threads)
            .map(|t| {
                let shared = Arc::clone(&shared);
                std::thread::Builder::new().name(format!("dfq-jit-{t}")).spawn(move || helper(&shared, t))
            })
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| format!("cannot start {threads} threads: {e}"))?;
        Ok(Pool { shared, helpers, busy: Mutex::new(()) })
    }
}

impl Drop for Pool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, Ordering::Release);
        for h in &self.helpers {
            h.thread().unpark();
        }
        for h in self.helpers.drain(..) {
            let _ = h.join();
        }
    }
}

impl Shared {
    /// Claims the next chunk of job `serial`, if any is left: (begin, end).
    fn claim(&self, serial: u64) -> Option<(u64, u64)> {
        let (items, chunk) = (self.items.load(Ordering::Acquire), self.chunk.load(Ordering::Acquire));
        let mut v = self.next.load(Ordering::Acquire);
        loop {
            let begin = v & 0xffff_ffff;
            if v >> 32 != serial || begin >= items {
                return None;
            }
            let end = (begin + chunk).min(items);
            match self.next.compare_exchange_weak(v, serial << 32 | end, Ordering::AcqRel, Ordering::Acquire) {
                Ok(_) => return Some((begin, end)),
                Err(now) => v = now,
            }
        }
    }

    /// Runs every chunk of job `serial` this thread can claim, as thread `t`.
    fn work(&self, serial: u64, t: usize) {
        let (step, arena) = (self.step.load(Ordering::Acquire), self.arena.load(Ordering::Acquire));
        while let Some((begin, end)) = self.claim(serial) {
            // SAFETY: the claim succeeded, so `step` and `arena` are this job's
            // (see `Shared`), and the arena outlives the job; the step function
            // has the StepFn signature.
            unsafe {
                let step: StepFn = std::mem::transmute(step);
                let scratch = arena.add(self.scratch_offset + t * self.scratch_bytes);
                with_scratch(self.scratch_bytes, scratch, |s| step(arena, s, begin, end));
            }
            self.done.fetch_add(end - begin, Ordering::Release);
        }
    }
}

/// A spin-wait step: on a shared machine, waiting threads yield the core now
/// and then, so that a preempted thread (whose chunk is being waited for) runs.
fn pause(spins: &mut u32) {
    *spins = spins.wrapping_add(1);
    if spins.is_multiple_of(128) {
        std::thread::yield_now();
    } else {
        std::hint::spin_loop();
    }
}

fn helper(shared: &Shared, t: usize) {
    let mut last_work = Instant::now();
    let mut seen = 0;
    let mut spins = 0;
    while !shared.shutdown.load(Ordering::Acquire) {
        let v = shared.next.load(Ordering::Acquire);
        let serial = v >> 32;
        if serial != seen && v & NOT_READY != NOT_READY {
            seen = serial;
            shared.work(serial, t);
            last_work = Instant::now();
        } else if last_work.elapsed() < SPIN {
            pause(&mut spins);
        } else {
            // Announce the nap, then look once more: a job published before the
            // announcement is seen here, one after it unparks this thread.
            shared.sleeping.fetch_add(1, Ordering::SeqCst);
            if shared.next.load(Ordering::SeqCst) >> 32 == seen && !shared.shutdown.load(Ordering::SeqCst) {
                std::thread::park_timeout(Duration::from_millis(100));
            }
            shared.sleeping.fetch_sub(1, Ordering::SeqCst);
            last_work = Instant::now();
        }
    }
}

/// Runs items 0..items of `step` on the calling thread and the helpers.
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
    let scratch0 = unsafe { arena.add(rt.scratch_offset) };
    let pool = rt.pool.as_ref().filter(|_| items > 1 && items < NOT_READY);
    let Some((pool, _busy)) = pool.and_then(|p| Some((p, p.busy.try_lock().ok()?))) else {
        // SAFETY: all items on this thread, with scratch area 0.
        return with_scratch(rt.scratch_bytes, scratch0, |s| unsafe { step(arena, s, 0, items) });
    };
    let sh = &*pool.shared;
    let threads = pool.helpers.len() as u64 + 1;
    // Several chunks per thread, so a late helper leaves little to wait for.
    let chunk = items.div_ceil(4 * threads).max(1);
    let serial = (sh.next.load(Ordering::Relaxed) >> 32) + 1;
    sh.next.store(serial << 32 | NOT_READY, Ordering::SeqCst);
    sh.step.store(step as *mut (), Ordering::Release);
    sh.arena.store(arena, Ordering::Release);
    sh.items.store(items, Ordering::Release);
    sh.chunk.store(chunk, Ordering::Release);
    sh.done.store(0, Ordering::Relaxed);
    sh.next.store(serial << 32, Ordering::SeqCst);
    if sh.sleeping.load(Ordering::SeqCst) > 0 {
        for h in &pool.helpers {
            h.thread().unpark();
        }
    }
    sh.work(serial, 0);
    // Chunks claimed by helpers finish before the next step reads their output.
    let mut spins = 0;
    while sh.done.load(Ordering::Acquire) < items {
        pause(&mut spins);
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
fn with_scratch(scratch_bytes: usize, in_arena: *mut u8, f: impl FnOnce(*mut u8)) {
    if !guard_pages() || scratch_bytes == 0 {
        return f(in_arena);
    }
    GUARDED_SCRATCH.with_borrow_mut(|slot| {
        let buf = match slot {
            Some(buf) if buf.len() == scratch_bytes => buf,
            _ => slot.insert(AlignedBuf::zeroed(scratch_bytes)),
        };
        f(buf.as_mut_ptr())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Adds 1 to the u32 of each item in begin..end (the arena is an array of them).
    unsafe extern "C" fn count(arena: *mut u8, _scratch: *mut u8, begin: u64, end: u64) {
        for i in begin..end {
            // SAFETY: the test's arena holds one u32 per item; items are disjoint.
            unsafe { *(arena as *mut u32).add(i as usize) += 1 };
        }
    }

    #[test]
    fn every_item_runs_once() {
        for threads in [1, 2, 3] {
            let rt = Runtime::new(threads, 0, 0).unwrap();
            for items in [1u64, 2, 3, 7, 64, 1000] {
                for round in 0..50 {
                    let mut hits = vec![0u32; items as usize];
                    // SAFETY: `count` writes within `hits`.
                    unsafe { parallel_for(&rt, count, hits.as_mut_ptr() as *mut u8, items) };
                    assert!(hits.iter().all(|&h| h == 1), "{threads} threads, {items} items, round {round}: {hits:?}");
                    if round % 10 == 9 {
                        // Let the helpers fall asleep now and then.
                        std::thread::sleep(SPIN * 2);
                    }
                }
            }
        }
    }
}
