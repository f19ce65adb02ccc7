//! Weight packing. Columns go in blocks of `lanes · nv` (one register block of
//! the kernel); within a block, for each step of the dot-product depth, the `nv`
//! vectors of `lanes` columns lie one after another, so the kernel streams B
//! linearly. A short last block holds only the vectors it needs. Padding (columns
//! past n, depth past k) is zero, which adds nothing to any sum.

/// u8×i8 dot products of depth 4 (`vpdpbusd`): byte t of lane l is w[col][4q + t].
pub(super) fn quads(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize) -> Vec<i8> {
    interleave(w, n, k, kp, lanes, nv, 4)
}

/// i16×i16 dot products of depth 2 (`vpmaddwd`), weights widened to i16.
pub(super) fn pairs_i16(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize) -> Vec<i16> {
    interleave(w, n, k, kp, lanes, nv, 2).into_iter().map(i16::from).collect()
}

fn interleave(w: &[i8], n: usize, k: usize, kp: usize, lanes: usize, nv: usize, depth: usize) -> Vec<i8> {
    let block = lanes * nv;
    let mut out = Vec::with_capacity(n.div_ceil(block) * block * kp);
    for b0 in (0..n).step_by(block) {
        let vectors = (n - b0).min(block).div_ceil(lanes);
        for q in 0..kp / depth {
            for v in 0..vectors {
                for l in 0..lanes {
                    let col = b0 + v * lanes + l;
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
