//! Turns the check file into steps: each positive directive together with
//! the CHECK-DAG and CHECK-NOT directives written before it.

use std::collections::HashSet;

use crate::canonical::is_horizontal_space;
use crate::diagnostic::{Diagnostic, SourceId, Span};
use crate::directive::{self, Kind, RawDirective};
use crate::options::{CheckOptions, DEFAULT_PREFIX};
use crate::pattern::{Pattern, PatternError};

/// The prefix FileCheck shows for `--implicit-check-not` patterns.
const IMPLICIT_PREFIX: &str = "IMPLICIT-CHECK";
const IMPLICIT_FLAG: &str = "-implicit-check-not='";

#[derive(Clone, Debug)]
pub(crate) struct Directive {
    pub kind: Kind,
    pub count: usize,
    pub literal: bool,
    pub prefix: String,
    pub pattern: Pattern,
    pub source: SourceId,
    /// Where the pattern starts in `source`.
    pub offset: usize,
}

impl Directive {
    /// How messages name the directive: `CHECK-NEXT`, `CHECK-DAG{LITERAL}`...
    pub(crate) fn description(&self) -> String {
        let literal = if self.literal { "{LITERAL}" } else { "" };
        format!(
            "{}{}{literal}",
            self.prefix,
            kind_suffix(self.kind, self.count)
        )
    }

    pub(crate) fn location(&self) -> Span {
        Span::point(self.source, self.offset)
    }
}

/// One positive directive and the DAG/NOT directives that precede it.
#[derive(Debug)]
pub(crate) struct Step {
    /// `None` stands for the end of the input: it carries the DAG and NOT
    /// directives written after the last positive one.
    pub check: Option<Directive>,
    pub dag_nots: Vec<Directive>,
}

#[derive(Debug)]
pub(crate) struct Program {
    pub steps: Vec<Step>,
}

/// The text `command line` diagnostics quote for an implicit pattern.
pub(crate) fn implicit_source(pattern: &str) -> String {
    format!("{IMPLICIT_FLAG}{pattern}'")
}

impl Program {
    pub(crate) fn build(check_text: &str, opts: &CheckOptions) -> Result<Program, Diagnostic> {
        let prefixes = resolve_prefixes(opts)?;
        let implicit = implicit_nots(opts)?;
        let raw_directives = directive::scan(check_text, &prefixes)
            .map_err(|error| check_file_error(error.offset, error.message))?;
        let mut used_prefixes = HashSet::new();
        let mut steps = Vec::new();
        let mut dag_nots = implicit.clone();
        for raw in &raw_directives {
            used_prefixes.insert(raw.prefix);
            let directive = build_directive(raw, opts.strict_whitespace)?;
            match directive.kind {
                Kind::Not | Kind::Dag => {
                    dag_nots.push(directive);
                    continue;
                }
                // They are relative to a previous match, so one must exist.
                Kind::Next | Kind::Same | Kind::Empty if steps.is_empty() => {
                    let found = format!("{}{}", raw.prefix, kind_suffix(raw.kind, raw.count));
                    let message = format!("found '{found}' without previous '{}: line", raw.prefix);
                    return Err(check_file_error(raw.prefix_offset, message));
                }
                Kind::Label => {
                    if let Some(offset) = directive.pattern.first_variable() {
                        let message = format!(
                            "{}: directives cannot contain variable definitions or uses",
                            directive.description()
                        );
                        return Err(check_file_error(offset, message));
                    }
                }
                _ => {}
            }
            steps.push(Step {
                check: Some(directive),
                dag_nots: std::mem::replace(&mut dag_nots, implicit.clone()),
            });
        }
        check_prefixes_used(&prefixes, &used_prefixes, opts, !implicit.is_empty())?;
        if !dag_nots.is_empty() {
            steps.push(Step {
                check: None,
                dag_nots,
            });
        }
        Ok(Program { steps })
    }
}

fn build_directive(raw: &RawDirective, strict_whitespace: bool) -> Result<Directive, Diagnostic> {
    let pattern = match (raw.kind, raw.pattern.is_empty()) {
        (Kind::Empty, true) => Pattern::empty_line(),
        (Kind::Empty, false) => {
            let message = format!(
                "found non-empty check string for empty check with prefix '{}:'",
                raw.prefix
            );
            return Err(check_file_error(raw.pattern_offset, message));
        }
        (_, true) => {
            let message = format!("found empty check string with prefix '{}:'", raw.prefix);
            return Err(check_file_error(raw.pattern_offset, message));
        }
        (_, false) => Pattern::parse(
            raw.pattern,
            raw.pattern_offset,
            raw.line,
            raw.literal,
            strict_whitespace,
        )
        .map_err(|error| pattern_error(SourceId::CheckFile, error))?,
    };
    Ok(Directive {
        kind: raw.kind,
        count: raw.count,
        literal: raw.literal,
        prefix: raw.prefix.to_string(),
        pattern,
        source: SourceId::CheckFile,
        offset: raw.pattern_offset,
    })
}

/// The `--implicit-check-not` patterns, as CHECK-NOT directives.
fn implicit_nots(opts: &CheckOptions) -> Result<Vec<Directive>, Diagnostic> {
    let mut directives = Vec::new();
    for (index, text) in opts.implicit_check_not.iter().enumerate() {
        let source = SourceId::CommandLine(index);
        let unindented = text.trim_start_matches(is_horizontal_space);
        let offset = IMPLICIT_FLAG.len() + text.len() - unindented.len();
        let pattern_text = unindented.trim_end_matches(is_horizontal_space);
        if pattern_text.is_empty() {
            let message = format!("found empty check string with prefix '{IMPLICIT_PREFIX}:'");
            return Err(Diagnostic::error(
                Some(Span::point(source, offset)),
                message,
            ));
        }
        let pattern = Pattern::parse(pattern_text, offset, 1, false, opts.strict_whitespace)
            .map_err(|error| pattern_error(source, error))?;
        directives.push(Directive {
            kind: Kind::Not,
            count: 1,
            literal: false,
            prefix: IMPLICIT_PREFIX.to_string(),
            pattern,
            source,
            offset,
        });
    }
    Ok(directives)
}

/// The prefixes to look for, defaulted and validated like FileCheck's.
fn resolve_prefixes(opts: &CheckOptions) -> Result<Vec<String>, Diagnostic> {
    if opts.prefixes.is_empty() {
        return Ok(vec![DEFAULT_PREFIX.to_string()]);
    }
    let mut seen = HashSet::new();
    for prefix in &opts.prefixes {
        if !directive::is_valid_prefix(prefix) {
            let message = format!(
                "supplied check prefix must start with a letter and contain only \
                 alphanumeric characters, hyphens, and underscores: '{prefix}'"
            );
            return Err(Diagnostic::error(None, message));
        }
        if directive::is_comment_prefix(prefix) || !seen.insert(prefix) {
            let message = format!(
                "supplied check prefix must be unique among check and comment prefixes: '{prefix}'"
            );
            return Err(Diagnostic::error(None, message));
        }
    }
    Ok(opts.prefixes.clone())
}

/// A check file that uses none of the prefixes checks nothing, which is
/// almost always a typo; so is one that forgets some of several prefixes.
fn check_prefixes_used(
    prefixes: &[String],
    used: &HashSet<&str>,
    opts: &CheckOptions,
    has_implicit_nots: bool,
) -> Result<(), Diagnostic> {
    let missing: Vec<&String> = prefixes
        .iter()
        .filter(|prefix| !used.contains(prefix.as_str()))
        .collect();
    let none_used = missing.len() == prefixes.len();
    let some_unused = !opts.allow_unused_prefixes && !missing.is_empty();
    // With the default prefix, `--implicit-check-not` alone is a full check.
    let is_default = prefixes.len() == 1 && prefixes[0] == DEFAULT_PREFIX;
    if !(none_used || some_unused) || (has_implicit_nots && is_default) {
        return Ok(());
    }
    let plural = if missing.len() > 1 { "es" } else { "" };
    let list = missing
        .iter()
        .map(|prefix| format!("'{prefix}:'"))
        .collect::<Vec<_>>()
        .join(", ");
    Err(Diagnostic::error(
        None,
        format!("no check strings found with prefix{plural} {list}"),
    ))
}

fn kind_suffix(kind: Kind, count: usize) -> &'static str {
    match kind {
        Kind::Plain if count > 1 => "-COUNT",
        Kind::Plain => "",
        Kind::Next => "-NEXT",
        Kind::Same => "-SAME",
        Kind::Empty => "-EMPTY",
        Kind::Label => "-LABEL",
        Kind::Not => "-NOT",
        Kind::Dag => "-DAG",
    }
}

fn check_file_error(offset: usize, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(Some(Span::point(SourceId::CheckFile, offset)), message)
}

fn pattern_error(source: SourceId, error: PatternError) -> Diagnostic {
    Diagnostic::error(Some(Span::point(source, error.offset)), error.message)
}
