//! Check patterns: literal text mixed with `{{regex}}` blocks and with
//! `[[NAME:regex]]` (define) and `[[NAME]]` (substitute) blocks.
//!
//! A pattern becomes one regex. Literal text is escaped, so only the blocks
//! are regex syntax (Rust's flavour). Substitutions are spliced in as escaped
//! literals when the pattern is matched, which is why a pattern that uses a
//! variable is compiled then rather than once up front.

use std::ops::Range;

use regex::{Regex, RegexBuilder};

use crate::variables::Variables;

mod parse;

#[derive(Clone, Debug)]
pub(crate) struct Pattern {
    body: Body,
}

#[derive(Clone, Debug)]
enum Body {
    /// CHECK-EMPTY: the next line has nothing on it.
    EmptyLine,
    Regex(RegexPattern),
}

#[derive(Clone, Debug)]
struct RegexPattern {
    pieces: Vec<Piece>,
    /// Where the pattern starts in its source, for errors about all of it.
    offset: usize,
    /// The whole pattern, compiled, when it substitutes no variable.
    compiled: Option<Regex>,
    /// The variables this pattern defines and their capture groups.
    definitions: Vec<(String, usize)>,
}

#[derive(Clone, Debug)]
enum Piece {
    Literal(String),
    Regex(String),
    /// `[[NAME:regex]]`; `offset` is where the block starts in the source.
    Definition {
        regex: String,
        offset: usize,
    },
    /// `[[NAME]]`.
    Use {
        name: String,
        offset: usize,
    },
}

/// A match: its range in the input and the variables it defines.
#[derive(Debug)]
pub(crate) struct Found {
    pub range: Range<usize>,
    pub definitions: Vec<(String, String)>,
}

/// A problem with a pattern, at `offset` in the source it was written in.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PatternError {
    pub offset: usize,
    pub message: String,
}

impl Pattern {
    pub(crate) fn empty_line() -> Self {
        Pattern {
            body: Body::EmptyLine,
        }
    }

    /// Parses `text` (already trimmed), which starts at `offset` in its
    /// source, on 1-based line `line`.
    pub(crate) fn parse(
        text: &str,
        offset: usize,
        line: usize,
        literal: bool,
        strict_whitespace: bool,
    ) -> Result<Self, PatternError> {
        let parsed = parse::parse(text, offset, line, literal, strict_whitespace)?;
        let mut pattern = RegexPattern {
            pieces: parsed.pieces,
            offset,
            compiled: None,
            definitions: parsed.definitions,
        };
        if !pattern
            .pieces
            .iter()
            .any(|piece| matches!(piece, Piece::Use { .. }))
        {
            let source = pattern.regex_source(&Variables::default())?;
            pattern.compiled = Some(compile(&source, offset)?);
        }
        Ok(Pattern {
            body: Body::Regex(pattern),
        })
    }

    /// Finds the first match starting in `range` and ending by its end.
    pub(crate) fn find(
        &self,
        text: &str,
        range: Range<usize>,
        variables: &Variables,
    ) -> Result<Option<Found>, PatternError> {
        match &self.body {
            Body::EmptyLine => Ok(find_empty_line(text, range).map(|at| Found {
                range: at..at,
                definitions: Vec::new(),
            })),
            Body::Regex(pattern) => pattern.find(text, range, variables),
        }
    }

    /// The variables substituted into this pattern, with their offsets.
    pub(crate) fn uses(&self) -> impl Iterator<Item = (&str, usize)> {
        let pieces = match &self.body {
            Body::EmptyLine => &[][..],
            Body::Regex(pattern) => &pattern.pieces[..],
        };
        pieces.iter().filter_map(|piece| match piece {
            Piece::Use { name, offset } => Some((name.as_str(), *offset)),
            _ => None,
        })
    }

    /// Where the first variable definition or use is, if there is one.
    pub(crate) fn first_variable(&self) -> Option<usize> {
        let Body::Regex(pattern) = &self.body else {
            return None;
        };
        pattern.pieces.iter().find_map(|piece| match piece {
            Piece::Definition { offset, .. } | Piece::Use { offset, .. } => Some(*offset),
            _ => None,
        })
    }
}

impl RegexPattern {
    fn find(
        &self,
        text: &str,
        range: Range<usize>,
        variables: &Variables,
    ) -> Result<Option<Found>, PatternError> {
        let substituted;
        let regex = match &self.compiled {
            Some(regex) => regex,
            None => {
                substituted = compile(&self.regex_source(variables)?, self.offset)?;
                &substituted
            }
        };
        // Cutting the haystack keeps matches inside the range; starting at an
        // offset (rather than slicing) keeps `^` and `\b` honest there.
        let haystack = &text[..range.end];
        if self.definitions.is_empty() {
            let found = regex.find_at(haystack, range.start);
            return Ok(found.map(|m| Found {
                range: m.range(),
                definitions: Vec::new(),
            }));
        }
        Ok(regex
            .captures_at(haystack, range.start)
            .map(|captures| Found {
                range: captures.get_match().range(),
                definitions: self
                    .definitions
                    .iter()
                    .map(|(name, group)| {
                        let value = captures.get(*group).map_or("", |m| m.as_str());
                        (name.clone(), value.to_string())
                    })
                    .collect(),
            }))
    }

    fn regex_source(&self, variables: &Variables) -> Result<String, PatternError> {
        let mut source = String::new();
        for piece in &self.pieces {
            match piece {
                Piece::Literal(text) => source.push_str(&regex::escape(text)),
                // Grouped so that `a{{x|y}}b` does not become `ax|yb`.
                Piece::Regex(regex) => source.push_str(&format!("(?:{regex})")),
                Piece::Definition { regex, .. } => source.push_str(&format!("({regex})")),
                Piece::Use { name, offset } => {
                    let value = variables.get(name).ok_or_else(|| PatternError {
                        offset: *offset,
                        message: format!("undefined variable: {name}"),
                    })?;
                    source.push_str(&regex::escape(value));
                }
            }
        }
        Ok(source)
    }
}

/// CHECK-EMPTY matches a newline followed by another line end (or by the
/// end of the range); the match is the empty line after that newline.
fn find_empty_line(text: &str, range: Range<usize>) -> Option<usize> {
    let bytes = text.as_bytes();
    (range.start..range.end)
        .find(|&i| bytes[i] == b'\n' && (i + 1 == range.end || bytes[i + 1] == b'\n'))
        .map(|i| i + 1)
}

fn compile(source: &str, offset: usize) -> Result<Regex, PatternError> {
    RegexBuilder::new(source)
        .multi_line(true)
        .build()
        .map_err(|error| PatternError {
            offset,
            message: format!("cannot compile pattern: {}", regex_error_summary(&error)),
        })
}

/// The regex crate's errors draw their own multi-line caret diagram; the
/// last line says what is wrong, which is all a one-line message needs.
fn regex_error_summary(error: &regex::Error) -> String {
    let text = error.to_string();
    let last = text.lines().last().unwrap_or_default();
    last.strip_prefix("error: ").unwrap_or(last).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Pattern, PatternError> {
        Pattern::parse(text, 0, 7, false, false)
    }

    fn find(pattern: &Pattern, input: &str, variables: &Variables) -> Option<Found> {
        pattern.find(input, 0..input.len(), variables).unwrap()
    }

    #[test]
    fn literal_text_is_not_regex() {
        let pattern = parse("a.b(c)").unwrap();
        assert_eq!(
            find(&pattern, "axb(c) a.b(c)", &Variables::default())
                .unwrap()
                .range,
            7..13
        );
    }

    #[test]
    fn regex_blocks_are_grouped() {
        let pattern = parse("a{{x|y}}b").unwrap();
        assert_eq!(
            find(&pattern, "x ayb", &Variables::default())
                .unwrap()
                .range,
            2..5
        );
        assert!(find(&pattern, "x", &Variables::default()).is_none());
    }

    #[test]
    fn definitions_capture_past_user_groups() {
        let pattern = parse("{{(a)(b)}} [[X:[[:digit:]]+]] [[Y:(c|d)]]").unwrap();
        let definitions = find(&pattern, "ab 42 d", &Variables::default())
            .unwrap()
            .definitions;
        assert_eq!(
            definitions,
            vec![("X".into(), "42".into()), ("Y".into(), "d".into())]
        );
    }

    #[test]
    fn uses_substitute_escaped_values() {
        let pattern = parse("v=[[V]]").unwrap();
        let mut variables = Variables::default();
        variables.set("V".into(), "1+1".into());
        assert_eq!(
            find(&pattern, "v=11 v=1+1", &variables).unwrap().range,
            5..10
        );
        let error = pattern
            .find("v=1", 0..3, &Variables::default())
            .unwrap_err();
        assert_eq!(
            error,
            PatternError {
                offset: 2,
                message: "undefined variable: V".into()
            }
        );
    }

    #[test]
    fn line_pseudo_variable() {
        let pattern = parse("l[[@LINE]] m[[@LINE+2]] n[[@LINE-1]]").unwrap();
        assert!(find(&pattern, "l7 m9 n6", &Variables::default()).is_some());
        assert!(parse("[[@LINE*2]]").is_err());
        assert!(parse("[[@FILE]]").is_err());
    }

    #[test]
    fn literal_modifier_takes_blocks_verbatim() {
        let pattern = Pattern::parse("[[1, 2]] {{x}}", 0, 1, true, false).unwrap();
        assert!(find(&pattern, "[[1, 2]] {{x}}", &Variables::default()).is_some());
    }

    #[test]
    fn reports_malformed_blocks_where_they_start() {
        let cases = [
            ("ab {{x", 3, "found start of regex string with no end '}}'"),
            ("a [[X", 2, "invalid substitution block, no ]] found"),
            ("a [[X:a]b]]", 2, "missing closing \"]\" for regex variable"),
            (
                "[[#N]]",
                0,
                "numeric substitution blocks ([[#...]]) are not supported",
            ),
            ("x [[9X]]", 2, "invalid variable name"),
            ("[[X Y]]", 0, "invalid name in string variable use"),
        ];
        for (text, offset, message) in cases {
            let error = parse(text).unwrap_err();
            assert_eq!(
                error,
                PatternError {
                    offset,
                    message: message.into()
                },
                "{text}"
            );
        }
    }

    #[test]
    fn reports_invalid_regexes_at_their_body() {
        let error = parse("x  {{a(}}").unwrap_err();
        assert_eq!(error.offset, 5);
        assert!(
            error.message.starts_with("invalid regex 'a(': "),
            "{}",
            error.message
        );
    }

    #[test]
    fn rejects_use_in_the_defining_pattern() {
        let error = parse("[[R:r[0-9]]], [[R]]").unwrap_err();
        assert_eq!(error.offset, 14);
        assert!(error
            .message
            .contains("used in the pattern that defines it"));
    }

    #[test]
    fn empty_line_matches_after_a_newline() {
        let pattern = Pattern::empty_line();
        let variables = Variables::default();
        assert_eq!(find(&pattern, "a\nb\n\nc", &variables).unwrap().range, 4..4);
        assert_eq!(find(&pattern, "a\n", &variables).unwrap().range, 2..2);
        assert!(find(&pattern, "a\nb", &variables).is_none());
    }
}
