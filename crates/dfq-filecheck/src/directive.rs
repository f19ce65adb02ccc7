//! Finding directives (`CHECK:`, `CHECK-NEXT:`, ...) in the check file.
//!
//! As in FileCheck, a directive is the first prefix occurrence on a line that
//! is not glued to a preceding word and is followed by a known suffix; the
//! pattern is the rest of the line. `COM:` and `RUN:` mark comment lines, so
//! prefixes mentioned on a RUN line are not taken for directives.

use regex::Regex;

use crate::canonical::is_horizontal_space;

const COMMENT_PREFIXES: [&str; 2] = ["COM", "RUN"];

/// FileCheck rejects these rather than guessing which one was meant.
const NOT_COMBINATIONS: [&str; 8] = [
    "DAG-NOT:",
    "NOT-DAG:",
    "NEXT-NOT:",
    "NOT-NEXT:",
    "SAME-NOT:",
    "NOT-SAME:",
    "EMPTY-NOT:",
    "NOT-EMPTY:",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Plain,
    Next,
    Same,
    Empty,
    Label,
    Not,
    Dag,
}

const SUFFIXES: [(&str, Kind); 6] = [
    ("NEXT", Kind::Next),
    ("SAME", Kind::Same),
    ("EMPTY", Kind::Empty),
    ("LABEL", Kind::Label),
    ("NOT", Kind::Not),
    ("DAG", Kind::Dag),
];

/// A directive as written, before its pattern is parsed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RawDirective<'a> {
    pub prefix: &'a str,
    /// Byte offset of the prefix in the check file.
    pub prefix_offset: usize,
    pub kind: Kind,
    /// How many consecutive matches `PREFIX-COUNT-n:` asks for; 1 otherwise.
    pub count: usize,
    /// `{LITERAL}`: the pattern has no regex or substitution blocks.
    pub literal: bool,
    /// The pattern with surrounding spaces and tabs trimmed.
    pub pattern: &'a str,
    /// Byte offset of `pattern` in the check file.
    pub pattern_offset: usize,
    /// 1-based line number, for `[[@LINE]]`.
    pub line: usize,
}

/// A malformed directive: where it is and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct ScanError {
    pub offset: usize,
    pub message: String,
}

/// What follows a prefix.
struct Suffix {
    kind: Kind,
    count: usize,
    literal: bool,
    /// Bytes taken by the suffix, up to and including the colon.
    len: usize,
}

/// Returns the directives of `text` in order. `prefixes` must be valid and
/// distinct from the comment prefixes.
pub(crate) fn scan<'a>(
    text: &'a str,
    prefixes: &'a [String],
) -> Result<Vec<RawDirective<'a>>, ScanError> {
    let finder = prefix_finder(prefixes);
    let mut directives = Vec::new();
    let mut pos = 0;
    let mut line = 1;
    let mut line_counted_to = 0;
    while let Some(found) = finder.find_at(text, pos) {
        let (start, prefix) = (found.start(), found.as_str());
        if text[..start].bytes().next_back().is_some_and(is_word_byte) {
            // `XCHECK:` is not a directive; the prefix starts with a letter,
            // so one byte on is a character boundary.
            pos = start + 1;
            continue;
        }
        let rest = &text[found.end()..];
        if COMMENT_PREFIXES.contains(&prefix) {
            pos = if rest.starts_with(':') {
                line_end(text, found.end())
            } else {
                found.end()
            };
            continue;
        }
        let Some(suffix) = parse_suffix(rest, prefix).map_err(|message| ScanError {
            offset: start,
            message,
        })?
        else {
            pos = found.end();
            continue;
        };
        let body_start = found.end() + suffix.len;
        let body_end = line_end(text, body_start);
        let body = text[body_start..body_end].trim_start_matches(is_horizontal_space);
        let pattern_offset = body_end - body.len();
        line += text[line_counted_to..start]
            .bytes()
            .filter(|&b| b == b'\n')
            .count();
        line_counted_to = start;
        directives.push(RawDirective {
            prefix,
            prefix_offset: start,
            kind: suffix.kind,
            count: suffix.count,
            literal: suffix.literal,
            pattern: body.trim_end_matches(is_horizontal_space),
            pattern_offset,
            line,
        });
        pos = body_end;
    }
    Ok(directives)
}

/// One regex finding any check or comment prefix; longer alternatives come
/// first so that of two prefixes starting at the same place the longer wins.
fn prefix_finder(prefixes: &[String]) -> Regex {
    let mut all: Vec<&str> = prefixes
        .iter()
        .map(String::as_str)
        .chain(COMMENT_PREFIXES)
        .collect();
    all.sort_by_key(|p| std::cmp::Reverse(p.len()));
    let alternation = all
        .iter()
        .map(|p| regex::escape(p))
        .collect::<Vec<_>>()
        .join("|");
    Regex::new(&alternation).expect("escaped literals always form a valid regex")
}

/// Recognizes `:`, `-NEXT:`, `-COUNT-3:`, `{LITERAL}:` and friends right
/// after a prefix. `Ok(None)` means the prefix is just text.
fn parse_suffix(rest: &str, prefix: &str) -> Result<Option<Suffix>, String> {
    let suffix = |kind, count, after: &str, literal| Suffix {
        kind,
        count,
        literal,
        len: rest.len() - after.len(),
    };
    let Some(after_dash) = rest.strip_prefix('-') else {
        return Ok(modifiers_then_colon(rest)
            .map(|(literal, after)| suffix(Kind::Plain, 1, after, literal)));
    };
    if NOT_COMBINATIONS
        .iter()
        .any(|combination| after_dash.starts_with(combination))
    {
        return Err(format!("unsupported -NOT combo on prefix '{prefix}'"));
    }
    if let Some(after_count) = after_dash.strip_prefix("COUNT-") {
        let digits = after_count.bytes().take_while(u8::is_ascii_digit).count();
        let count = after_count[..digits]
            .parse::<usize>()
            .ok()
            .filter(|&n| (1..=i32::MAX as usize).contains(&n))
            .ok_or_else(|| format!("invalid count in -COUNT specification on prefix '{prefix}'"))?;
        let after_digits = &after_count[digits..];
        return Ok(modifiers_then_colon(after_digits)
            .map(|(literal, after)| suffix(Kind::Plain, count, after, literal)));
    }
    for (name, kind) in SUFFIXES {
        if let Some(after_name) = after_dash.strip_prefix(name) {
            return Ok(modifiers_then_colon(after_name)
                .map(|(literal, after)| suffix(kind, 1, after, literal)));
        }
    }
    Ok(None)
}

/// Parses an optional `{LITERAL, ...}` modifier list and the closing colon,
/// returning whether LITERAL was given and the text after the colon.
fn modifiers_then_colon(text: &str) -> Option<(bool, &str)> {
    if let Some(after) = text.strip_prefix(':') {
        return Some((false, after));
    }
    let mut rest = text.strip_prefix('{')?;
    loop {
        rest = rest.trim_start().strip_prefix("LITERAL")?.trim_start();
        match rest.strip_prefix(',') {
            Some(after_comma) => rest = after_comma,
            None => break,
        }
    }
    rest.strip_prefix("}:").map(|after| (true, after))
}

fn line_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| from + i)
}

/// A prefix glued to one of these is part of a longer word.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-' || b == b'_'
}

/// FileCheck's rule for prefixes: a letter, then letters, digits, `-`, `_`.
pub(crate) fn is_valid_prefix(prefix: &str) -> bool {
    let mut chars = prefix.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

pub(crate) fn is_comment_prefix(prefix: &str) -> bool {
    COMMENT_PREFIXES.contains(&prefix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefixes(list: &[&str]) -> Vec<String> {
        list.iter().map(|p| p.to_string()).collect()
    }

    fn kinds(text: &str) -> Vec<(Kind, usize, bool, String)> {
        let prefixes = prefixes(&["CHECK"]);
        scan(text, &prefixes)
            .unwrap()
            .into_iter()
            .map(|d| (d.kind, d.count, d.literal, d.pattern.to_string()))
            .collect()
    }

    #[test]
    fn recognizes_every_suffix() {
        let text = "// CHECK: a\n// CHECK-NEXT: b\n// CHECK-SAME: c\n// CHECK-EMPTY:\n\
                    // CHECK-LABEL: d\n// CHECK-NOT: e\n// CHECK-DAG: f\n// CHECK-COUNT-3: g\n";
        assert_eq!(
            kinds(text),
            vec![
                (Kind::Plain, 1, false, "a".into()),
                (Kind::Next, 1, false, "b".into()),
                (Kind::Same, 1, false, "c".into()),
                (Kind::Empty, 1, false, "".into()),
                (Kind::Label, 1, false, "d".into()),
                (Kind::Not, 1, false, "e".into()),
                (Kind::Dag, 1, false, "f".into()),
                (Kind::Plain, 3, false, "g".into()),
            ]
        );
    }

    #[test]
    fn trims_the_pattern_and_records_its_position() {
        let prefixes = prefixes(&["CHECK"]);
        let text = "x\n// CHECK: \t foo bar \t\r\n";
        let directives = scan(text, &prefixes).unwrap();
        assert_eq!(directives[0].pattern, "foo bar");
        assert_eq!(directives[0].pattern_offset, 14);
        assert_eq!(directives[0].line, 2);
    }

    #[test]
    fn parses_the_literal_modifier() {
        assert_eq!(
            kinds("CHECK{LITERAL}: [[x]]"),
            vec![(Kind::Plain, 1, true, "[[x]]".into())]
        );
        assert_eq!(
            kinds("CHECK-DAG{ LITERAL }: {{y}}"),
            vec![(Kind::Dag, 1, true, "{{y}}".into())]
        );
        assert!(kinds("CHECK{OTHER}: z").is_empty());
    }

    #[test]
    fn ignores_prefixes_inside_words_and_without_suffix() {
        assert!(kinds("XCHECK: a\nCHECK_X: b\nCHECKER: c\nCHECK-NEXTT: d\nCHECK d\n").is_empty());
    }

    #[test]
    fn comment_prefixes_hide_the_rest_of_the_line() {
        assert!(
            kinds("// RUN: tool | FileCheck %s --check-prefix=CHECK\n// COM: CHECK: x\n")
                .is_empty()
        );
        // Only the plain colon form is a comment.
        assert_eq!(kinds("// COM-NEXT: CHECK: y").len(), 1);
    }

    #[test]
    fn first_directive_on_a_line_wins() {
        assert_eq!(
            kinds("CHECK: a CHECK: b\n"),
            vec![(Kind::Plain, 1, false, "a CHECK: b".into())]
        );
    }

    #[test]
    fn longest_prefix_wins_at_the_same_position() {
        let prefixes = prefixes(&["A", "A-B"]);
        let directives = scan("A-B: x\nA: y\n", &prefixes).unwrap();
        let found: Vec<_> = directives.iter().map(|d| (d.prefix, d.pattern)).collect();
        assert_eq!(found, vec![("A-B", "x"), ("A", "y")]);
    }

    #[test]
    fn rejects_bad_counts_and_not_combinations() {
        let prefixes = prefixes(&["CHECK"]);
        let error = scan("CHECK-COUNT-0: x", &prefixes).unwrap_err();
        assert_eq!(
            error.message,
            "invalid count in -COUNT specification on prefix 'CHECK'"
        );
        let error = scan("\nCHECK-NOT-NEXT: x", &prefixes).unwrap_err();
        assert_eq!(
            error,
            ScanError {
                offset: 1,
                message: "unsupported -NOT combo on prefix 'CHECK'".into()
            }
        );
    }

    #[test]
    fn validates_prefix_spelling() {
        assert!(is_valid_prefix("CHECK"));
        assert!(is_valid_prefix("a-b_1"));
        assert!(!is_valid_prefix(""));
        assert!(!is_valid_prefix("1A"));
        assert!(!is_valid_prefix("A:B"));
    }
}
