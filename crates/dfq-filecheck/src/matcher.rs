//! Runs a program against the (canonical) input, the way FileCheck does.
//!
//! First the CHECK-LABEL directives cut the input into blocks: each label
//! is searched once, in order, after the previous label's match. Then each
//! block is checked on its own, so a failure in one block does not hide
//! failures in the next. Within a block every step matches its DAG/NOT
//! directives, then its positive directive, after the previous step's match.

use std::ops::Range;

use crate::diagnostic::{Diagnostic, SourceId, Span};
use crate::directive::Kind;
use crate::pattern::Found;
use crate::program::{Directive, Program, Step};
use crate::variables::Variables;

/// Checks `text` against `program`; on failure returns what went wrong.
pub(crate) fn run(program: &Program, text: &str) -> Result<(), Vec<Diagnostic>> {
    let mut matcher = Matcher {
        text,
        variables: Variables::default(),
        diagnostics: Vec::new(),
    };
    if matcher.run(program) {
        Ok(())
    } else {
        Err(matcher.diagnostics)
    }
}

/// A check failed and its diagnostics have been recorded.
struct Reported;

struct Matcher<'t> {
    text: &'t str,
    variables: Variables,
    diagnostics: Vec<Diagnostic>,
}

impl Matcher<'_> {
    fn run(&mut self, program: &Program) -> bool {
        let steps = &program.steps;
        let mut passed = true;
        let mut checked = 0;
        let mut block_start = 0;
        while checked < steps.len() {
            let (block, block_steps) = match next_label(steps, checked) {
                Some((index, directive)) => {
                    // Without its block, nothing after a missing label can be
                    // checked meaningfully.
                    let Ok(found) = self.find_positive(directive, block_start..self.text.len())
                    else {
                        return false;
                    };
                    (block_start..found.end, &steps[checked..=index])
                }
                None => (block_start..self.text.len(), &steps[checked..]),
            };
            if checked > 0 {
                self.variables.clear_locals();
            }
            passed &= self.check_block(block_steps, block.clone()).is_ok();
            checked += block_steps.len();
            block_start = block.end;
        }
        passed
    }

    /// Checks steps in order inside `block`; the block's own label, if any,
    /// is its last step and is checked again to verify what precedes it.
    fn check_block(&mut self, steps: &[Step], block: Range<usize>) -> Result<(), Reported> {
        let mut pos = block.start;
        for step in steps {
            pos = self.check_step(step, pos..block.end)?.end;
        }
        Ok(())
    }

    fn check_step(&mut self, step: &Step, region: Range<usize>) -> Result<Range<usize>, Reported> {
        let (after_dags, nots) = self.check_dags(&step.dag_nots, region.clone())?;
        let found = match &step.check {
            None => region.end..region.end,
            Some(directive) => {
                let found = self.find_positive(directive, after_dags..region.end)?;
                self.check_line_distance(directive, after_dags, found.start)?;
                found
            }
        };
        self.check_nots(&nots, after_dags..found.start)?;
        Ok(found)
    }

    /// Matches each group of consecutive CHECK-DAGs in any order, then the
    /// CHECK-NOTs before a group against the gap before the group's first
    /// match. Returns where the last group ended, and the CHECK-NOTs after
    /// it, which the caller checks up to the positive match.
    fn check_dags<'d>(
        &mut self,
        dag_nots: &'d [Directive],
        region: Range<usize>,
    ) -> Result<(usize, Vec<&'d Directive>), Reported> {
        let mut start = region.start;
        let mut nots = Vec::new();
        // The group's matches so far, sorted and non-overlapping.
        let mut group: Vec<Range<usize>> = Vec::new();
        for (index, directive) in dag_nots.iter().enumerate() {
            if directive.kind == Kind::Not {
                nots.push(directive);
                continue;
            }
            let found = self.find_dag(directive, start..region.end, &group)?;
            let at = group.partition_point(|other| other.start <= found.start);
            group.insert(at, found);
            let group_ends = dag_nots
                .get(index + 1)
                .is_none_or(|next| next.kind == Kind::Not);
            if group_ends {
                self.check_nots(&nots, start..group[0].start)?;
                nots.clear();
                start = group.last().map_or(start, |last| last.end);
                group.clear();
            }
        }
        Ok((start, nots))
    }

    /// A CHECK-DAG match may not overlap another match of its group; on
    /// overlap the search resumes after the match it collided with.
    fn find_dag(
        &mut self,
        directive: &Directive,
        range: Range<usize>,
        group: &[Range<usize>],
    ) -> Result<Range<usize>, Reported> {
        let mut from = range.start;
        loop {
            let found = self.find(directive, from..range.end, 1)?;
            let overlapped = group
                .iter()
                .find(|other| found.start < other.end && other.start < found.end);
            match overlapped {
                Some(other) => from = other.end,
                None => return Ok(found),
            }
        }
    }

    /// Finds a positive directive, `count` times in a row for CHECK-COUNT;
    /// returns the span from the first match to the end of the last.
    fn find_positive(
        &mut self,
        directive: &Directive,
        range: Range<usize>,
    ) -> Result<Range<usize>, Reported> {
        let first = self.find(directive, range.clone(), 1)?;
        let mut end = first.end;
        for attempt in 2..=directive.count {
            end = self.find(directive, end..range.end, attempt)?.end;
        }
        Ok(first.start..end)
    }

    /// Finds and commits a match, or reports that there is none.
    fn find(
        &mut self,
        directive: &Directive,
        range: Range<usize>,
        attempt: usize,
    ) -> Result<Range<usize>, Reported> {
        let Some(found) = self.search(directive, range.clone())? else {
            self.report_not_found(directive, range, attempt);
            return Err(Reported);
        };
        for (name, value) in found.definitions {
            self.variables.set(name, value);
        }
        Ok(found.range)
    }

    /// Runs the pattern without committing its definitions; fails when it
    /// cannot run, e.g. on an undefined variable.
    fn search(
        &mut self,
        directive: &Directive,
        range: Range<usize>,
    ) -> Result<Option<Found>, Reported> {
        directive
            .pattern
            .find(self.text, range, &self.variables)
            .map_err(|error| {
                let span = Span::point(directive.source, error.offset);
                self.diagnostics
                    .push(Diagnostic::error(Some(span), error.message));
                Reported
            })
    }

    /// Every CHECK-NOT that matches in `range` is an error.
    fn check_nots(&mut self, nots: &[&Directive], range: Range<usize>) -> Result<(), Reported> {
        let mut passed = true;
        for directive in nots {
            match self.search(directive, range.clone()) {
                Ok(None) => {}
                Ok(Some(found)) => {
                    passed = false;
                    let message = format!(
                        "{}: excluded string found in input",
                        directive.description()
                    );
                    self.diagnostics
                        .push(Diagnostic::error(Some(directive.location()), message));
                    self.diagnostics
                        .push(Diagnostic::note(input_range(found.range), "found here"));
                }
                Err(Reported) => passed = false,
            }
        }
        if passed {
            Ok(())
        } else {
            Err(Reported)
        }
    }

    /// CHECK-NEXT and CHECK-EMPTY must match on the line after the previous
    /// match, CHECK-SAME on its line; `previous_end` is where it ended.
    fn check_line_distance(
        &mut self,
        directive: &Directive,
        previous_end: usize,
        start: usize,
    ) -> Result<(), Reported> {
        let expected = match directive.kind {
            Kind::Next | Kind::Empty => 1,
            Kind::Same => 0,
            _ => return Ok(()),
        };
        let skipped = &self.text[previous_end..start];
        let newlines = skipped.matches('\n').count();
        if newlines == expected {
            return Ok(());
        }
        let problem = match (directive.kind, newlines) {
            (Kind::Same, _) => "is not on the same line as the previous match",
            (_, 0) => "is on the same line as previous match",
            _ => "is not on the line after the previous match",
        };
        let message = format!("{}: {problem}", directive.description());
        self.diagnostics
            .push(Diagnostic::error(Some(directive.location()), message));
        self.diagnostics.push(Diagnostic::note(
            input_point(start),
            "'next' match was here",
        ));
        self.diagnostics.push(Diagnostic::note(
            input_point(previous_end),
            "previous match ended here",
        ));
        if newlines > 1 {
            let first_skipped_line = previous_end + skipped.find('\n').map_or(0, |i| i + 1);
            let note = "non-matching line after previous match is here";
            self.diagnostics
                .push(Diagnostic::note(input_point(first_skipped_line), note));
        }
        Err(Reported)
    }

    fn report_not_found(&mut self, directive: &Directive, range: Range<usize>, attempt: usize) {
        let mut message = format!(
            "{}: expected string not found in input",
            directive.description()
        );
        if directive.count > 1 {
            message += &format!(" ({attempt} out of {})", directive.count);
        }
        self.diagnostics
            .push(Diagnostic::error(Some(directive.location()), message));
        // Point at the next thing there is to read, not at a line end.
        let skipped = self.text[range.clone()].find(|c| !matches!(c, ' ' | '\t' | '\n' | '\r'));
        let scan_start = range.start + skipped.unwrap_or(range.len());
        self.diagnostics.push(Diagnostic::note(
            input_point(scan_start),
            "scanning from here",
        ));
        for (name, offset) in directive.pattern.uses() {
            if let Some(value) = self.variables.get(name) {
                let span = Span::point(directive.source, offset);
                self.diagnostics.push(Diagnostic::note(
                    span,
                    format!("with \"{name}\" equal to \"{value}\""),
                ));
            }
        }
    }
}

/// The first CHECK-LABEL step at or after `from`, with its index.
fn next_label(steps: &[Step], from: usize) -> Option<(usize, &Directive)> {
    steps
        .iter()
        .enumerate()
        .skip(from)
        .find_map(|(index, step)| {
            step.check
                .as_ref()
                .filter(|directive| directive.kind == Kind::Label)
                .map(|directive| (index, directive))
        })
}

fn input_point(offset: usize) -> Span {
    Span::point(SourceId::Input, offset)
}

fn input_range(range: Range<usize>) -> Span {
    Span {
        source: SourceId::Input,
        start: range.start,
        len: range.len(),
    }
}
