//! Data movement: concatenation. (Flatten and reshape only change the shape.)

/// Joins `inputs` along an axis. Viewing each input as (outer, len_i · inner),
/// the output is, for each outer index, the inputs' blocks one after another.
/// `inputs` holds each input's data and its size along the axis.
pub(crate) fn concat<T: Copy>(inputs: &[(&[T], usize)], outer: usize, inner: usize) -> Vec<T> {
    let total: usize = inputs.iter().map(|(d, _)| d.len()).sum();
    let mut out = Vec::with_capacity(total);
    for o in 0..outer {
        for &(data, len) in inputs {
            let block = len * inner;
            out.extend_from_slice(&data[o * block..][..block]);
        }
    }
    out
}

/// (product of the axes before `axis`, product of the axes after it).
pub(crate) fn split_at_axis(shape: &[usize], axis: usize) -> (usize, usize) {
    (shape[..axis].iter().product(), shape[axis + 1..].iter().product())
}
