//! Top-1, top-5 and agreement counting over classifier outputs.

/// Classes a top-5 hit may be among.
const TOP_K: usize = 5;

/// Counts over the images evaluated so far.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    pub evaluated: usize,
    pub top1: usize,
    pub top5: usize,
    /// Images where the model's and the reference's top classes are the same.
    pub agreements: usize,
    /// Files that could not be decoded, with why.
    pub skipped: Vec<(String, String)>,
}

impl Tally {
    /// Scores one image: `logits` of the model, `reference` of the reference model if any.
    pub fn add(&mut self, logits: &[f32], label: usize, reference: Option<&[f32]>) {
        let ranked = top_k(logits, TOP_K);
        self.evaluated += 1;
        self.top1 += usize::from(ranked.first() == Some(&label));
        self.top5 += usize::from(ranked.contains(&label));
        if let Some(reference) = reference {
            self.agreements += usize::from(top_k(reference, 1).first() == ranked.first());
        }
    }

    pub fn merge(mut self, other: Tally) -> Tally {
        self.evaluated += other.evaluated;
        self.top1 += other.top1;
        self.top5 += other.top5;
        self.agreements += other.agreements;
        self.skipped.extend(other.skipped);
        self
    }
}

/// The indices of the `k` largest values, largest first; ties go to the lower
/// index (as a stable sort would), NaN ranks below everything.
pub fn top_k(values: &[f32], k: usize) -> Vec<usize> {
    let key = |i: usize| if values[i].is_nan() { f32::NEG_INFINITY } else { values[i] };
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| key(b).total_cmp(&key(a)).then(a.cmp(&b)));
    order.truncate(k);
    order
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_largest_first_ties_to_the_lower_index() {
        assert_eq!(top_k(&[0.1, 0.9, f32::NAN, 0.9, -1.0, 0.5], 4), [1, 3, 5, 0]);
        assert_eq!(top_k(&[2.0, 1.0], 5), [0, 1]);
    }

    #[test]
    fn counts_top1_top5_and_agreement() {
        let mut t = Tally::default();
        let logits = [0.0, 6.0, 5.0, 4.0, 3.0, 2.0, 1.0];
        t.add(&logits, 1, Some(&[0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0])); // top-1, agrees
        t.add(&logits, 5, Some(&[1.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0])); // top-5 only, disagrees
        t.add(&logits, 6, None); // neither
        assert_eq!((t.evaluated, t.top1, t.top5, t.agreements), (3, 1, 2, 1));
        let both = t.clone().merge(t);
        assert_eq!((both.evaluated, both.top1, both.top5, both.agreements), (6, 2, 4, 2));
    }
}
