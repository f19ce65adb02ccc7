//! Fully connected layers: y = x · Wᵀ + b, one dot product per output.

/// (N, K) times (M, K) transposed: out[n, m] = init(m) + Σ_k mac(x[n, k], w[m, k]).
/// Generic so the f32 and integer layers share the loops.
pub(crate) fn linear<X: Copy, W: Copy, A: Copy>(
    x: &[X],
    w: &[W],
    (n, k, m): (usize, usize, usize),
    init: impl Fn(usize) -> A,
    mac: impl Fn(&mut A, X, W),
) -> Vec<A> {
    let mut out = Vec::with_capacity(n * m);
    for row in 0..n {
        let x_row = &x[row * k..][..k];
        for col in 0..m {
            let mut acc = init(col);
            for (&xv, &wv) in x_row.iter().zip(&w[col * k..][..k]) {
                mac(&mut acc, xv, wv);
            }
            out.push(acc);
        }
    }
    out
}
