//! DFQ flags select steps, not an order: `dfq-opt --equalize --bias-correct` must
//! run fold-bn, equalize, quantize and bias-correct, in that order. This module
//! turns the selected steps into that pipeline. (`--pass-pipeline` stays exact.)

use dfq_rewrite::PipelineEntry;

/// The DFQ steps in the order they must run.
pub const CANONICAL_ORDER: &[&str] =
    &["fold-bn", "relu6-to-relu", "equalize", "absorb-bias", "quantize", "bias-correct", "lower-int8"];

/// What `--dfq` selects: the paper's full data-free pipeline.
pub const RECOMMENDED: &[&str] = &["fold-bn", "equalize", "absorb-bias", "quantize", "bias-correct"];

/// Steps a step cannot do without: the statistics come from folding batch norms,
/// and bias correction and lowering work on a quantized graph.
fn prerequisites(step: &str) -> &'static [&'static str] {
    match step {
        "equalize" | "absorb-bias" | "quantize" => &["fold-bn"],
        "bias-correct" | "lower-int8" => &["quantize"],
        _ => &[],
    }
}

pub fn is_dfq_step(name: &str) -> bool {
    CANONICAL_ORDER.contains(&name)
}

/// Orders the DFQ steps among `requested` canonically, adds their prerequisites,
/// and puts the block where the first DFQ step was asked for; other passes keep
/// their place. Options given to a step are kept; added steps use defaults.
pub fn resolve(requested: &[PipelineEntry]) -> Vec<PipelineEntry> {
    let mut selected: Vec<PipelineEntry> = Vec::new();
    let add = |entry: PipelineEntry, selected: &mut Vec<PipelineEntry>| {
        if !selected.iter().any(|e| e.name == entry.name) {
            selected.push(entry);
        }
    };
    for entry in requested.iter().filter(|e| is_dfq_step(&e.name)) {
        add(entry.clone(), &mut selected);
    }
    // Prerequisites may have prerequisites: close the set.
    let mut i = 0;
    while i < selected.len() {
        for &pre in prerequisites(&selected[i].name) {
            add(PipelineEntry { name: pre.to_string(), options: String::new() }, &mut selected);
        }
        i += 1;
    }
    selected.sort_by_key(|e| CANONICAL_ORDER.iter().position(|&s| s == e.name));
    let mut out = Vec::new();
    let mut block = Some(selected);
    for entry in requested {
        if is_dfq_step(&entry.name) {
            out.extend(block.take().into_iter().flatten());
        } else {
            out.push(entry.clone());
        }
    }
    out
}

/// `dfq-opt --calibration FILE`: sets bias-correct's `calibration` option on
/// every bias-correct entry of `requested` (the caller adds one if needed).
pub fn set_calibration(requested: &mut [PipelineEntry], path: &str) -> Result<(), String> {
    // Pass options are separated by white space, so a path cannot hold any.
    if path.is_empty() || path.contains(char::is_whitespace) {
        return Err(format!(
            "--calibration '{path}': the path must be non-empty and without white space (pass options cannot hold it)"
        ));
    }
    for entry in requested.iter_mut().filter(|e| e.name == "bias-correct") {
        if entry.options.split_whitespace().any(|o| o.starts_with("calibration=")) {
            return Err("--calibration and --bias-correct='calibration=...' both name calibration data; give one".into());
        }
        entry.options = format!("{} calibration={path}", entry.options).trim_start().to_string();
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(names: &[&str]) -> Vec<PipelineEntry> {
        names.iter().map(|n| PipelineEntry { name: n.to_string(), options: String::new() }).collect()
    }

    fn names(p: &[PipelineEntry]) -> Vec<&str> {
        p.iter().map(|e| e.name.as_str()).collect()
    }

    #[test]
    fn orders_and_completes_dfq_steps() {
        let p = resolve(&entries(&["bias-correct", "equalize"]));
        assert_eq!(names(&p), ["fold-bn", "equalize", "quantize", "bias-correct"]);
    }

    #[test]
    fn keeps_other_passes_in_place_and_options() {
        let mut req = entries(&["canonicalize", "quantize", "dce"]);
        req[1].options = "weight-bits=4".into();
        let p = resolve(&req);
        assert_eq!(names(&p), ["canonicalize", "fold-bn", "quantize", "dce"]);
        assert_eq!(p[2].options, "weight-bits=4");
    }

    #[test]
    fn duplicates_collapse() {
        assert_eq!(names(&resolve(&entries(&["fold-bn", "fold-bn"]))), ["fold-bn"]);
    }

    #[test]
    fn calibration_sets_the_option_once() {
        let mut req = entries(&["quantize", "bias-correct"]);
        set_calibration(&mut req, "x.npy").unwrap();
        assert_eq!((req[0].options.as_str(), req[1].options.as_str()), ("", "calibration=x.npy"));
        assert!(set_calibration(&mut req, "y.npy").unwrap_err().contains("both name calibration data"));
        assert!(set_calibration(&mut entries(&["bias-correct"]), "my data.npy").unwrap_err().contains("white space"));
    }
}
