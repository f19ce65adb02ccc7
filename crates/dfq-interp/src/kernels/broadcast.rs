//! Numpy broadcasting: the element of each operand that an output element reads.

/// Yields, for each output element in row-major order, the flat index into each
/// of two operands broadcast to `out` (shapes aligned at the last axis, sizes
/// equal to the output's or 1).
pub(crate) struct BroadcastPairs {
    out: Vec<usize>,
    strides: [Vec<usize>; 2],
    index: Vec<usize>,
    offsets: [usize; 2],
    remaining: usize,
}

impl BroadcastPairs {
    pub fn new(out: &[usize], a: &[usize], b: &[usize]) -> BroadcastPairs {
        let remaining = out.iter().product();
        BroadcastPairs {
            out: out.to_vec(),
            strides: [broadcast_strides(a, out), broadcast_strides(b, out)],
            index: vec![0; out.len()],
            offsets: [0, 0],
            remaining,
        }
    }
}

/// Row-major strides of `shape` placed against `out`; 0 along broadcast axes.
fn broadcast_strides(shape: &[usize], out: &[usize]) -> Vec<usize> {
    let mut strides = vec![0; out.len()];
    let mut stride = 1;
    for (i, &d) in shape.iter().enumerate().rev() {
        let axis = out.len() - shape.len() + i;
        strides[axis] = if d == 1 { 0 } else { stride };
        stride *= d;
    }
    strides
}

impl Iterator for BroadcastPairs {
    type Item = (usize, usize);

    fn next(&mut self) -> Option<(usize, usize)> {
        if self.remaining == 0 {
            return None;
        }
        self.remaining -= 1;
        let current = (self.offsets[0], self.offsets[1]);
        // Advance the odometer: bump the last axis, carrying into earlier ones.
        for axis in (0..self.out.len()).rev() {
            self.index[axis] += 1;
            for (offset, strides) in self.offsets.iter_mut().zip(&self.strides) {
                *offset += strides[axis];
            }
            if self.index[axis] < self.out[axis] {
                break;
            }
            for (offset, strides) in self.offsets.iter_mut().zip(&self.strides) {
                *offset -= strides[axis] * self.index[axis];
            }
            self.index[axis] = 0;
        }
        Some(current)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// f(a, b) elementwise, `a` and `b` broadcast to `out`.
pub(crate) fn zip_with<A: Copy, B: Copy, O>(
    (a, a_shape): (&[A], &[usize]),
    (b, b_shape): (&[B], &[usize]),
    out: &[usize],
    f: impl Fn(A, B) -> O,
) -> Vec<O> {
    if a_shape == out && b_shape == out {
        return a.iter().zip(b).map(|(&x, &y)| f(x, y)).collect();
    }
    BroadcastPairs::new(out, a_shape, b_shape).map(|(i, j)| f(a[i], b[j])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pairs_follow_numpy() {
        // (2, 1, 3) with (2, 1) → (2, 2, 3).
        let pairs: Vec<_> = BroadcastPairs::new(&[2, 2, 3], &[2, 1, 3], &[2, 1]).collect();
        let expect: Vec<(usize, usize)> =
            (0..2).flat_map(|i| (0..2).flat_map(move |j| (0..3).map(move |k| (i * 3 + k, j)))).collect();
        assert_eq!(pairs, expect);
        assert_eq!(BroadcastPairs::new(&[], &[], &[]).collect::<Vec<_>>(), vec![(0, 0)]);
        assert_eq!(BroadcastPairs::new(&[0, 3], &[0, 3], &[3]).count(), 0);
    }
}
