//! Heap buffers aligned to a cache line, whose address never changes: generated
//! code bakes pointers to packed weights and tables into its instructions.

#[derive(Clone, Copy)]
#[repr(C, align(64))]
struct Line([u8; 64]);

/// A zero-initialized, 64-byte-aligned byte buffer.
pub(crate) struct AlignedBuf {
    lines: Vec<Line>,
    len: usize,
}

impl AlignedBuf {
    pub fn zeroed(len: usize) -> AlignedBuf {
        AlignedBuf { lines: vec![Line([0; 64]); len.div_ceil(64).max(1)], len }
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
        self.lines.as_ptr() as *const u8
    }

    pub fn as_mut_ptr(&mut self) -> *mut u8 {
        self.lines.as_mut_ptr() as *mut u8
    }

    pub fn addr(&self) -> i64 {
        self.as_ptr() as i64
    }

    /// The buffer viewed as elements of T (64-byte alignment suits every T used).
    pub fn as_slice_of<T: Copy>(&self) -> &[T] {
        // SAFETY: aligned, initialized, and in bounds.
        unsafe { std::slice::from_raw_parts(self.as_ptr() as *const T, self.len / std::mem::size_of::<T>()) }
    }

    pub fn as_mut_slice_of<T: Copy>(&mut self) -> &mut [T] {
        let n = self.len / std::mem::size_of::<T>();
        // SAFETY: aligned, initialized, and in bounds.
        unsafe { std::slice::from_raw_parts_mut(self.as_mut_ptr() as *mut T, n) }
    }
}
