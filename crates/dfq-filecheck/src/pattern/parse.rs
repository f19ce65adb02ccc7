//! Parsing pattern text into pieces: literal runs, `{{regex}}` blocks and
//! `[[...]]` substitution blocks, each regex validated where it is written
//! so that errors point at it.

use regex::Regex;

use super::{regex_error_summary, PatternError, Piece};
use crate::canonical::Canonical;

/// A pattern's pieces and the capture group of each variable it defines.
pub(super) struct Parsed {
    pub pieces: Vec<Piece>,
    pub definitions: Vec<(String, usize)>,
}

/// Parses `text` (already trimmed), which starts at `offset` in its source,
/// on 1-based line `line`. With `literal` there are no blocks at all.
pub(super) fn parse(
    text: &str,
    offset: usize,
    line: usize,
    literal: bool,
    strict_whitespace: bool,
) -> Result<Parsed, PatternError> {
    let canonical = Canonical::new(text, !strict_whitespace);
    let mut parser = Parser {
        canonical: &canonical,
        base: offset,
        line,
        pieces: Vec::new(),
        definitions: Vec::new(),
        next_group: 1,
    };
    if literal {
        parser
            .pieces
            .push(Piece::Literal(canonical.text().to_string()));
    } else {
        parser.parse_blocks()?;
    }
    Ok(Parsed {
        pieces: parser.pieces,
        definitions: parser.definitions,
    })
}

/// Splits canonical pattern text into pieces, validating each regex.
struct Parser<'a> {
    canonical: &'a Canonical,
    base: usize,
    line: usize,
    pieces: Vec<Piece>,
    definitions: Vec<(String, usize)>,
    /// The capture group the next definition gets; user regexes may hold
    /// groups of their own, which shift it.
    next_group: usize,
}

impl Parser<'_> {
    fn parse_blocks(&mut self) -> Result<(), PatternError> {
        let text = self.canonical.text();
        let mut pos = 0;
        while pos < text.len() {
            let block = [text[pos..].find("{{"), text[pos..].find("[[")]
                .into_iter()
                .flatten()
                .min()
                .map_or(text.len(), |i| pos + i);
            if block > pos {
                self.pieces
                    .push(Piece::Literal(text[pos..block].to_string()));
            }
            pos = if block == text.len() {
                block
            } else if text[block..].starts_with("{{") {
                self.regex_block(block)?
            } else {
                self.substitution_block(block)?
            };
        }
        Ok(())
    }

    /// `{{regex}}` at `start`; returns the offset after it.
    fn regex_block(&mut self, start: usize) -> Result<usize, PatternError> {
        let text = self.canonical.text();
        let body = start + 2;
        let len = text[body..]
            .find("}}")
            .ok_or_else(|| self.error(start, "found start of regex string with no end '}}'"))?;
        let regex = &text[body..body + len];
        self.next_group += self.count_groups(regex, body)?;
        self.pieces.push(Piece::Regex(regex.to_string()));
        Ok(body + len + 2)
    }

    /// `[[...]]` at `start`; returns the offset after it.
    fn substitution_block(&mut self, start: usize) -> Result<usize, PatternError> {
        let text = self.canonical.text();
        let body_start = start + 2;
        let len =
            substitution_len(&text[body_start..]).map_err(|message| self.error(start, message))?;
        let body = &text[body_start..body_start + len];
        let end = body_start + len + 2;
        if body.starts_with('#') {
            return Err(self.error(
                start,
                "numeric substitution blocks ([[#...]]) are not supported",
            ));
        }
        if let Some(pseudo) = body.strip_prefix('@') {
            let line = self.pseudo_line(pseudo).ok_or_else(|| {
                let message = format!(
                    "invalid pseudo variable '@{pseudo}'; only @LINE, @LINE+N and @LINE-N exist"
                );
                self.error(start, message)
            })?;
            self.pieces.push(Piece::Literal(line.to_string()));
            return Ok(end);
        }
        let name_len =
            variable_name_len(body).ok_or_else(|| self.error(start, "invalid variable name"))?;
        let (name, rest) = body.split_at(name_len);
        if let Some(regex) = rest.strip_prefix(':') {
            let group = self.next_group;
            self.next_group += 1 + self.count_groups(regex, body_start + name_len + 1)?;
            self.definitions.push((name.to_string(), group));
            self.pieces.push(Piece::Definition {
                regex: regex.to_string(),
                offset: self.offset(start),
            });
        } else if rest.is_empty() {
            if self.definitions.iter().any(|(defined, _)| defined == name) {
                // That would take a backreference, which Rust's regex lacks.
                let message = format!(
                    "variable '{name}' is used in the pattern that defines it, which is not \
                     supported; match the use with a following CHECK-SAME"
                );
                return Err(self.error(start, message));
            }
            self.pieces.push(Piece::Use {
                name: name.to_string(),
                offset: self.offset(start),
            });
        } else {
            return Err(self.error(start, "invalid name in string variable use"));
        }
        Ok(end)
    }

    /// `LINE`, `LINE+N` or `LINE-N`, evaluated against this pattern's line.
    fn pseudo_line(&self, pseudo: &str) -> Option<usize> {
        let rest = pseudo.strip_prefix("LINE")?;
        if rest.is_empty() {
            return Some(self.line);
        }
        let delta = |digits: &str| -> Option<usize> {
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            digits.parse().ok()
        };
        if let Some(digits) = rest.strip_prefix('+') {
            self.line.checked_add(delta(digits)?)
        } else {
            self.line.checked_sub(delta(rest.strip_prefix('-')?)?)
        }
    }

    /// Checks that `regex` (at canonical offset `at`) is valid and returns
    /// how many capture groups it has.
    fn count_groups(&self, regex: &str, at: usize) -> Result<usize, PatternError> {
        Regex::new(regex)
            .map(|compiled| compiled.captures_len() - 1)
            .map_err(|error| {
                self.error(
                    at,
                    format!("invalid regex '{regex}': {}", regex_error_summary(&error)),
                )
            })
    }

    fn offset(&self, canonical: usize) -> usize {
        self.base + self.canonical.original_offset(canonical)
    }

    fn error(&self, canonical: usize, message: impl Into<String>) -> PatternError {
        PatternError {
            offset: self.offset(canonical),
            message: message.into(),
        }
    }
}

/// Length of a substitution block's body, up to its closing `]]`. Brackets
/// nest, so `[[X:[[:digit:]]+]]` holds the whole class.
fn substitution_len(text: &str) -> Result<usize, &'static str> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b']' if depth == 0 && bytes.get(i + 1) == Some(&b']') => return Ok(i),
            b'\\' => i += 1,
            b'[' => depth += 1,
            b']' => {
                depth = depth
                    .checked_sub(1)
                    .ok_or("missing closing \"]\" for regex variable")?
            }
            _ => {}
        }
        i += 1;
    }
    Err("invalid substitution block, no ]] found")
}

/// Length of a variable name at the start of `text`: an optional `$`
/// (global), then a letter or `_`, then letters, digits and `_`.
fn variable_name_len(text: &str) -> Option<usize> {
    let sigil = usize::from(text.starts_with('$'));
    let name = &text[sigil..];
    if !name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        return None;
    }
    let len = name
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
        .unwrap_or(name.len());
    Some(sigil + len)
}
