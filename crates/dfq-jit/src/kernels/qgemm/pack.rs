//! Weight packing. Columns go in blocks of `lanes · nv` (one register block of
//! the kernel); within a block, for each step of the dot-product depth, the `nv`
//! vectors of `lanes` columns lie one after another, so the kernel streams B
//! linearly. A short last block holds only the vectors it needs. Padding (columns
//! past n, depth past k) is zero, which adds nothing to any sum.

/// u8×i8 dot products of depth 4 (`vpdpbusd`): byte t of lane l is w[col][4q + t].
pub(super) fn quads(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize) -> Vec<i8> {
    interleave(w, n, k, kp, lanes, nv, 4, |b0, v, l| b0 + v * lanes + l)
}

/// As `quads` for 16 lanes × 4 vectors, with blocks of 64 or exactly 32
/// columns in [`packed_column`] order.
pub(super) fn quads_packed(w: &[i8], n: usize, k: usize, kp: usize) -> Vec<i8> {
    interleave(w, n, k, kp, 16, 4, 4, |b0, v, l| match packed_vectors(n, b0) {
        Some(vectors) => packed_column(b0, vectors, v, l),
        None => b0 + v * 16 + l,
    })
}

/// The vectors of the block at b0 if it is narrowed packed: 4 for 64 columns, 2
/// for exactly 32.
pub(crate) fn packed_vectors(n: usize, b0: usize) -> Option<usize> {
    match n - b0 {
        64.. => Some(4),
        32 => Some(2),
        _ => None,
    }
}

/// The column that vector v, lane l of a block of `vectors` (4 or 2) vectors at
/// b0 holds when the block is narrowed by `packs(v0, v1)` (`packs(v2, v3)`) and
/// `packus`, which work per 128-bit lane: the bytes then come out in column
/// order (for 2 vectors, in the low 8 bytes of each 128-bit lane).
pub(crate) fn packed_column(b0: usize, vectors: usize, v: usize, l: usize) -> usize {
    b0 + 4 * vectors * (l / 4) + 4 * v + l % 4
}

/// i16×i16 dot products of depth 2 (`vpmaddwd`), weights widened to i16.
pub(super) fn pairs_i16(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize) -> Vec<i16> {
    interleave(w, n, k, kp, lanes, nv, 2, |b0, v, l| b0 + v * lanes + l).into_iter().map(i16::from).collect()
}

/// `column(b0, v, l)`: the column that lane l of vector v of the block at b0 holds.
#[allow(clippy::too_many_arguments)]
fn interleave(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize, depth: usize, column: impl Fn(usize, usize, usize) -> usize) -> Vec<i8> {
    let block = lanes * nv;
    let mut out = Vec::with_capacity(n.div_ceil(block) * block * kp);
    for b0 in (0..n).step_by(block) {
        let vectors = (n - b0).min(block).div_ceil(lanes);
        for q in 0..kp / depth {
            for v in 0..vectors {
                for l in 0..lanes {
                    let col = column(b0, v, l);
                    for t in 0..depth {
                        let kk = q * depth + t;
                        out.push(if col < n && kk < k { w[col * k + kk] } else { 0 });
                    }
                }
            }
        }
    }
    out
}
