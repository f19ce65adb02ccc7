//! Whitespace canonicalization, done to patterns and input before matching.
//!
//! Like FileCheck, CRLF line endings always become LF and, unless whitespace
//! is strict, every run of spaces and tabs becomes one space. A pattern space
//! then matches any non-empty run of horizontal whitespace in the input.
//! Diagnostics must point into the text the user wrote, so the canonical
//! text remembers where its bytes came from.

pub(crate) struct Canonical {
    text: String,
    /// `(canonical offset, bytes dropped before it)`, ascending: a byte at or
    /// after that canonical offset sits `dropped` bytes later in the original.
    shifts: Vec<(usize, usize)>,
}

impl Canonical {
    pub(crate) fn new(original: &str, collapse_whitespace: bool) -> Self {
        let mut text = String::with_capacity(original.len());
        let mut shifts = Vec::new();
        let mut dropped = 0;
        let mut chars = original.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\r' if chars.peek() == Some(&'\n') => {
                    dropped += 1;
                    shifts.push((text.len(), dropped));
                }
                ' ' | '\t' if collapse_whitespace => {
                    text.push(' ');
                    let mut extra = 0;
                    while chars.next_if(|&c| is_horizontal_space(c)).is_some() {
                        extra += 1;
                    }
                    if extra > 0 {
                        dropped += extra;
                        shifts.push((text.len(), dropped));
                    }
                }
                c => text.push(c),
            }
        }
        Canonical { text, shifts }
    }

    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// Maps an offset in the canonical text (up to and including its end) to
    /// the offset of the same byte in the original text.
    pub(crate) fn original_offset(&self, canonical: usize) -> usize {
        let index = self.shifts.partition_point(|&(at, _)| at <= canonical);
        let dropped = index.checked_sub(1).map_or(0, |i| self.shifts[i].1);
        canonical + dropped
    }
}

pub(crate) fn is_horizontal_space(c: char) -> bool {
    c == ' ' || c == '\t'
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collapses_runs_of_spaces_and_tabs() {
        let c = Canonical::new("a \t  b\tc", true);
        assert_eq!(c.text(), "a b c");
    }

    #[test]
    fn strict_mode_keeps_whitespace() {
        let c = Canonical::new("a \t  b", false);
        assert_eq!(c.text(), "a \t  b");
    }

    #[test]
    fn folds_crlf_in_both_modes() {
        assert_eq!(Canonical::new("a\r\nb\rc", false).text(), "a\nb\rc");
        assert_eq!(Canonical::new("a \r\nb", true).text(), "a \nb");
    }

    #[test]
    fn maps_offsets_back_to_the_original() {
        // "x    y\r\nz" -> "x y\nz"
        let c = Canonical::new("x    y\r\nz", true);
        assert_eq!(c.text(), "x y\nz");
        let expected = [0, 1, 5, 7, 8, 9];
        for (canonical, original) in expected.into_iter().enumerate() {
            assert_eq!(c.original_offset(canonical), original, "offset {canonical}");
        }
    }

    #[test]
    fn keeps_multibyte_characters_intact() {
        let c = Canonical::new("é  ü", true);
        assert_eq!(c.text(), "é ü");
        assert_eq!(c.original_offset(3), 4);
    }
}
