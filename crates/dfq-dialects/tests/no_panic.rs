//! The verifier must report, never panic, whatever sizes and attribute values the
//! text holds. Replaces numbers of the valid corpus with extreme or degenerate
//! ones and verifies every result that still parses.

mod common;

use dfq_ir::{parse_module, SourceFile};

const CORPUS: &[&str] =
    &[include_str!("valid/nn.mlir"), include_str!("valid/qnn.mlir"), include_str!("valid/builtin.mlir")];

const REPLACEMENTS: &[&str] =
    &["0", "1", "2", "3", "-1", "-2", "7", "300", "9223372036854775807", "-9223372036854775808", "4611686018427387904"];

struct XorShift(u64);

impl XorShift {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

/// Byte ranges of the integers in `text` (a leading minus included), skipping digits
/// that are part of names (`f32`, `relu6`); `1x8x4` is three integers.
fn integers(text: &str) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let in_name = |b: u8| (b.is_ascii_alphanumeric() || b == b'_') && b != b'x';
    let mut spans = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let mut end = i;
        while end < bytes.len() && bytes[end].is_ascii_digit() {
            end += 1;
        }
        if end == i {
            i += 1;
            continue;
        }
        if i == 0 || !in_name(bytes[i - 1]) {
            let start = if i > 0 && bytes[i - 1] == b'-' { i - 1 } else { i };
            spans.push((start, end));
        }
        i = end;
    }
    spans
}

/// Replaces one integer, or (half the time, so that types stay consistent between
/// a value's definition and its uses) every occurrence of it.
fn mutate(rng: &mut XorShift, text: &mut String) {
    let spans = integers(text);
    let (start, end) = spans[rng.below(spans.len())];
    let target = text[start..end].to_string();
    let replacement = REPLACEMENTS[rng.below(REPLACEMENTS.len())];
    let everywhere = rng.below(2) == 0;
    for &(s, e) in spans.iter().rev() {
        if (s, e) == (start, end) || (everywhere && text[s..e] == target) {
            text.replace_range(s..e, replacement);
        }
    }
}

#[test]
fn verifying_mutated_numbers_never_panics() {
    let mut rng = XorShift(0xD1A1_EC75);
    let (mut parsed, mut rejected) = (0, 0);
    for round in 0..2000 {
        // Comments hold numbers too; mutating them would test nothing.
        let source = CORPUS[round % CORPUS.len()].lines().filter(|l| !l.trim_start().starts_with("//"));
        let mut text = source.collect::<Vec<_>>().join("\n");
        for _ in 0..1 + rng.below(2) {
            mutate(&mut rng, &mut text);
        }
        if let Ok(module) = parse_module(&SourceFile::new("mutated.mlir", &text)) {
            parsed += 1;
            rejected += usize::from(dfq_dialects::verify_module(&module).is_err());
        }
    }
    // Many mutants stay valid (a channel count changed everywhere); enough must
    // reach the verifier and be rejected for the test to mean something.
    assert!(parsed > 300 && rejected > 100, "{parsed} mutants parsed, {rejected} rejected");
}
