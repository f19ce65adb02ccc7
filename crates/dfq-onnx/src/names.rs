//! SSA names from ONNX value names.
//!
//! ONNX names are arbitrary strings (`/features/0/Conv_output_0`,
//! `onnx::Conv_123`); MLIR's SSA names and resource keys are identifiers. Names
//! keep only letters, digits and `_`, so that a constant's SSA name and its
//! `dense_resource` key are the same word.

use std::collections::HashSet;

#[derive(Default)]
pub struct NameTable {
    taken: HashSet<String>,
}

impl NameTable {
    /// A unique identifier for `onnx_name` (`fallback` if nothing is left of it),
    /// suffixed `_1`, `_2`, … when taken.
    pub fn claim(&mut self, onnx_name: &str, fallback: &str) -> String {
        let mut base = sanitize(onnx_name);
        if base.is_empty() {
            base = sanitize(fallback);
        }
        let mut candidate = base.clone();
        let mut n = 1;
        while !self.taken.insert(candidate.clone()) {
            candidate = format!("{base}_{n}");
            n += 1;
        }
        candidate
    }
}

/// Letters, digits and single underscores, not starting with a digit.
pub fn sanitize(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && (out.is_empty() || out.ends_with('_'))) {
            out.push(c);
        }
    }
    let trimmed = out.trim_end_matches('_');
    if trimmed.starts_with(|c: char| c.is_ascii_digit()) {
        format!("v{trimmed}")
    } else {
        trimmed.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onnx_names_become_identifiers() {
        assert_eq!(sanitize("/features/features.0/Conv_output_0"), "features_features_0_Conv_output_0");
        assert_eq!(sanitize("onnx::Conv_123"), "onnx_Conv_123");
        assert_eq!(sanitize("123"), "v123");
        assert_eq!(sanitize("conv1.weight"), "conv1_weight");
        assert_eq!(sanitize("::"), "");
    }

    #[test]
    fn claimed_names_are_unique() {
        let mut t = NameTable::default();
        assert_eq!(t.claim("a.b", "x"), "a_b");
        assert_eq!(t.claim("a:b", "x"), "a_b_1");
        assert_eq!(t.claim("", "node"), "node");
        assert_eq!(t.claim("/", "node"), "node_1");
    }
}
