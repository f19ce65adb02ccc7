//! The numbers of an evaluation: a short summary for people, JSON for scripts.
//!
//! ```text
//! model        build/effnet.q.mlir
//! reference    build/effnet.mlir
//! engine       jit (avx512-vnni, 1 thread)
//! preprocess   efficientnet (from the input's dfq.range)
//! images       1000 evaluated, 0 skipped
//! top-1        87.9%  (879 of 1000)
//! top-5        97.1%  (971 of 1000)
//! agreement    96.8%  (968 of 1000 with the reference's top-1)
//! wall time    142.3 s (2 threads)
//! ```

use std::fmt::Write;

use super::score::Tally;
use crate::run::json::{self, string};

pub struct Report<'a> {
    pub model: &'a str,
    pub reference: Option<&'a str>,
    /// How the model ran: `jit (avx-vnni, 1 thread)`, `interp`.
    pub engine: String,
    pub preprocess: &'a str,
    /// Why this preprocessing: given by --preprocess, or read from the module.
    pub preprocess_from_range: bool,
    pub tally: &'a Tally,
    pub seconds: f64,
    pub threads: usize,
}

impl Report<'_> {
    pub fn summary(&self) -> String {
        let t = self.tally;
        let mut out = String::new();
        let _ = writeln!(out, "model        {}", self.model);
        if let Some(reference) = self.reference {
            let _ = writeln!(out, "reference    {reference}");
        }
        let _ = writeln!(out, "engine       {}", self.engine);
        let origin = if self.preprocess_from_range { " (from the input's dfq.range)" } else { "" };
        let _ = writeln!(out, "preprocess   {}{origin}", self.preprocess);
        let _ = writeln!(out, "images       {} evaluated, {} skipped", t.evaluated, t.skipped.len());
        let _ = writeln!(out, "top-1        {}", fraction(t.top1, t.evaluated, ""));
        let _ = writeln!(out, "top-5        {}", fraction(t.top5, t.evaluated, ""));
        if self.reference.is_some() {
            let agreement = fraction(t.agreements, t.evaluated, " with the reference's top-1");
            let _ = writeln!(out, "agreement    {agreement}");
        }
        let threads = if self.threads == 1 { "1 thread".to_string() } else { format!("{} threads", self.threads) };
        let _ = writeln!(out, "wall time    {:.1} s ({threads})", self.seconds);
        out
    }

    pub fn json(&self) -> String {
        let t = self.tally;
        let ratio = |count: usize| count as f64 / t.evaluated as f64;
        let (agreement, agreements) = match self.reference {
            Some(_) => (ratio(t.agreements).to_string(), t.agreements.to_string()),
            None => ("null".to_string(), "null".to_string()),
        };
        let skipped: Vec<String> = t.skipped.iter().map(|(file, _)| string(file)).collect();
        let fields = [
            ("model", string(self.model)),
            ("reference", self.reference.map_or("null".to_string(), string)),
            ("engine", string(&self.engine)),
            ("preprocess", string(self.preprocess)),
            ("evaluated", t.evaluated.to_string()),
            ("skipped", t.skipped.len().to_string()),
            ("skipped_files", format!("[{}]", skipped.join(", "))),
            ("top1", ratio(t.top1).to_string()),
            ("top5", ratio(t.top5).to_string()),
            ("agreement", agreement),
            ("top1_correct", t.top1.to_string()),
            ("top5_correct", t.top5.to_string()),
            ("agreements", agreements),
            ("wall_seconds", format!("{:.3}", self.seconds)),
        ];
        json::object(&fields)
    }
}

/// `88.6%  (886 of 1000)`.
fn fraction(count: usize, total: usize, what: &str) -> String {
    format!("{:.1}%  ({count} of {total}{what})", 100.0 * count as f64 / total as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(tally: &Tally, reference: Option<&'static str>) -> String {
        let r = Report {
            model: "m.mlir",
            reference,
            engine: "interp".to_string(),
            preprocess: "imagenet",
            preprocess_from_range: false,
            tally,
            seconds: 1.5,
            threads: 2,
        };
        r.summary() + &r.json()
    }

    #[test]
    fn summary_and_json_carry_the_same_numbers() {
        let tally = Tally {
            evaluated: 8,
            top1: 6,
            top5: 7,
            agreements: 5,
            skipped: vec![("bad \"1\".png".to_string(), "corrupt".to_string())],
        };
        let text = report(&tally, Some("f.mlir"));
        for line in [
            "images       8 evaluated, 1 skipped",
            "top-1        75.0%  (6 of 8)",
            "top-5        87.5%  (7 of 8)",
            "agreement    62.5%  (5 of 8 with the reference's top-1)",
            "wall time    1.5 s (2 threads)",
            "\"skipped_files\": [\"bad \\\"1\\\".png\"]",
            "\"top1\": 0.75",
            "\"agreement\": 0.625",
            "\"wall_seconds\": 1.500",
        ] {
            assert!(text.contains(line), "{line} in\n{text}");
        }
    }

    #[test]
    fn no_reference_no_agreement() {
        let tally = Tally { evaluated: 2, top1: 1, top5: 2, ..Tally::default() };
        let text = report(&tally, None);
        assert!(!text.contains("agreement    "));
        assert!(text.contains("\"agreement\": null") && text.contains("\"reference\": null"));
    }
}
