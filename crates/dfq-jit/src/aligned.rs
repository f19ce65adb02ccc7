//! Heap buffers aligned to a cache line, whose address never changes: generated
//! code bakes pointers to packed weights and tables into its instructions.
//!
//! With `DFQ_JIT_GUARD_PAGES=1` in the environment, every buffer is instead mapped
//! on pages of its own and ends exactly where an inaccessible page begins, so a
//! kernel or generated loop that reads or writes past its end faults at once
//! rather than touching a neighbour. For tests (docs/jit.md), not speed.

use std::marker::PhantomData;
use std::ops::Deref;
use std::sync::OnceLock;

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

/// A zero-initialized, 64-byte-aligned byte buffer (with guard pages: aligned to
/// the largest power of two up to 64 that divides its length, so that its end can
/// touch the guard; that still suits every element type it is viewed as).
pub(crate) struct AlignedBuf {
    memory: Memory,
    len: usize,
}

enum Memory {
    Heap(Vec<Line>),
    #[cfg(unix)]
    Guarded(guard::Mapping),
}

/// Whether `DFQ_JIT_GUARD_PAGES=1` is set; read once per process.
pub(crate) fn guard_pages() -> bool {
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| cfg!(unix) && std::env::var_os("DFQ_JIT_GUARD_PAGES").is_some_and(|v| v == "1"))
}

impl AlignedBuf {
    pub fn zeroed(len: usize) -> AlignedBuf {
        #[cfg(unix)]
        if guard_pages() {
            return AlignedBuf { memory: Memory::Guarded(guard::Mapping::new(len)), len };
        }
        AlignedBuf { memory: Memory::Heap(vec![Line([0; 64]); len.div_ceil(64).max(1)]), len }
    }

    /// A buffer holding the bytes of `values`.
    pub fn from_slice<T: Copy>(values: &[T]) -> AlignedBuf {
        let bytes = std::mem::size_of_val(values);
        let mut buf = AlignedBuf::zeroed(bytes);
        // SAFETY: the buffer holds at least `bytes` bytes; T is plain data.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr() as *const u8, buf.as_mut_ptr(), bytes) };
        buf
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn as_ptr(&self) -> *const u8 {
        match &self.memory {
            Memory::Heap(lines) => lines.as_ptr() as *const u8,
            #[cfg(unix)]
            Memory::Guarded(m) => m.start,
        }
    }

    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        match &mut self.memory {
            Memory::Heap(lines) => lines.as_mut_ptr() as *mut u8,
            #[cfg(unix)]
            Memory::Guarded(m) => m.start,
        }
    }

    pub fn addr(&self) -> i64 {
        self.as_ptr() as i64
    }

    /// The buffer viewed as elements of T (its alignment suits every T used).
    pub fn as_slice_of<T: Copy>(&self) -> &[T] {
        debug_assert!(self.as_ptr().cast::<T>().is_aligned());
        // SAFETY: aligned, initialized, and in bounds.
        unsafe { std::slice::from_raw_parts(self.as_ptr() as *const T, self.len / std::mem::size_of::<T>()) }
    }

    pub fn as_mut_slice_of<T: Copy>(&mut self) -> &mut [T] {
        debug_assert!(self.as_ptr().cast::<T>().is_aligned());
        let n = self.len / std::mem::size_of::<T>();
        // SAFETY: aligned, initialized, and in bounds.
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr() as *mut T, n) }
    }
}

/// A read-only table of constants a kernel indexes (epilogue constants,
/// depthwise weights, a row of zero points), kept in an [`AlignedBuf`] so that
/// with guard pages a read past its (padded) end faults like any other buffer's.
pub(crate) struct Table<T> {
    buf: AlignedBuf,
    element: PhantomData<T>,
}

impl<T: Copy> Table<T> {
    pub fn new(values: &[T]) -> Table<T> {
        Table { buf: AlignedBuf::from_slice(values), element: PhantomData }
    }
}

impl<T: Copy> From<Vec<T>> for Table<T> {
    fn from(values: Vec<T>) -> Table<T> {
        Table::new(&values)
    }
}

impl<T: Copy> FromIterator<T> for Table<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Table<T> {
        Table::new(&iter.into_iter().collect::<Vec<T>>())
    }
}

impl<T: Copy> Deref for Table<T> {
    type Target = [T];
    fn deref(&self) -> &[T] {
        self.buf.as_slice_of()
    }
}

#[cfg(unix)]
mod guard {
    /// Anonymous pages holding a buffer at their very end, followed by one
    /// `PROT_NONE` page.
    pub(super) struct Mapping {
        base: *mut libc::c_void,
        total: usize,
        pub start: *mut u8,
    }

    // SAFETY: the mapping is owned like a Vec's allocation and freed only on drop.
    unsafe impl Send for Mapping {}
    unsafe impl Sync for Mapping {}

    impl Mapping {
        /// Maps room for `len` bytes and the guard page. Panics if the kernel refuses:
        /// this mode is only for test runs, where that is the right outcome.
        pub fn new(len: usize) -> Mapping {
            // SAFETY: sysconf has no preconditions.
            let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(4096);
            let data = len.max(1).next_multiple_of(page);
            let total = data + page;
            // SAFETY: a fresh anonymous private mapping; the arguments are valid.
            let base = unsafe {
                libc::mmap(
                    std::ptr::null_mut(),
                    total,
                    libc::PROT_READ | libc::PROT_WRITE,
                    libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
                    -1,
                    0,
                )
            };
            assert!(
                base != libc::MAP_FAILED,
                "DFQ_JIT_GUARD_PAGES: mmap of {total} bytes failed: {}",
                std::io::Error::last_os_error()
            );
            // SAFETY: `base + data` is the last page of the mapping just made.
            let guard = unsafe { (base as *mut u8).add(data) };
            // SAFETY: that page belongs to the mapping.
            let protected = unsafe { libc::mprotect(guard.cast(), page, libc::PROT_NONE) };
            assert!(protected == 0, "DFQ_JIT_GUARD_PAGES: mprotect failed: {}", std::io::Error::last_os_error());
            // The end touches the guard exactly, so `start` is as aligned as `len` is:
            // enough for the element type of any buffer made by `from_slice`.
            // SAFETY: `len <= data`, so the start lies within the mapping.
            let start = unsafe { guard.sub(len) };
            Mapping { base, total, start }
        }
    }

    impl Drop for Mapping {
        fn drop(&mut self) {
            // SAFETY: `base`/`total` describe a mapping this value owns.
            unsafe { libc::munmap(self.base, self.total) };
        }
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::guard::Mapping;

    /// Whether the kernel can read `len` bytes at `p`: write(2) into a pipe fails with
    /// EFAULT instead of faulting.
    fn readable(p: *const u8, len: usize) -> bool {
        let mut fds = [0; 2];
        // SAFETY: plain system calls on descriptors made here.
        unsafe {
            assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
            let n = libc::write(fds[1], p.cast(), len);
            libc::close(fds[0]);
            libc::close(fds[1]);
            n == len as isize
        }
    }

    #[test]
    fn a_guarded_buffer_ends_at_an_inaccessible_page() {
        for len in [0, 1, 7, 64, 100, 4096, 5000] {
            let m = Mapping::new(len);
            let end = m.start as usize + len;
            assert_eq!(end % 4096, 0, "len {len}: the end is page-aligned");
            assert_eq!(m.start as usize % (1 << len.trailing_zeros().min(6)), 0, "len {len}");
            // SAFETY: inside the buffer.
            let bytes = unsafe { std::slice::from_raw_parts_mut(m.start, len) };
            assert!(bytes.iter().all(|&b| b == 0));
            bytes.fill(1);
            assert!(readable(m.start, len), "len {len}");
            assert!(!readable(end as *const u8, 1), "len {len}: the byte after the end faults");
        }
    }
}
