//! `report::render`: the figures exist, are SVG with one bar per channel and one
//! point per layer, show the most imbalanced depthwise layer, and the Markdown
//! links them; without equalize (or quantize) the missing parts are said so.

mod common;

use common::parse;
use dfq_ir::Module;
use dfq_passes::layer::Layer;
use dfq_passes::report::{render, Report};
use dfq_rewrite::{parse_pipeline, PassContext};

const EXAMPLE: &str = include_str!("../../../examples/mobilenet_tiny.mlir");
const DFQ: &str = "fold-bn,equalize,absorb-bias,quantize,bias-correct";
/// plotters writes colours as `#RRGGBB`; the report draws "before" bars and
/// points in blue, "after" ones in orange.
const BEFORE_FILL: &str = "fill=\"#1F77B4\"";
const AFTER_FILL: &str = "fill=\"#FF7F0E\"";

/// Runs `pipeline` with a snapshot after each pass, as `dfq-opt --report` does.
fn report(module: &Module, pipeline: &str) -> Report {
    let registry = dfq_passes::registry();
    let mut m = module.clone();
    let mut snapshots = vec![("input".to_string(), m.clone())];
    let mut ctx = PassContext::default();
    for entry in parse_pipeline(pipeline).unwrap() {
        let (pass, _) = registry.create(&entry).unwrap();
        pass.run(&mut m, &mut ctx).unwrap_or_else(|e| panic!("{}: {e}", entry.name));
        snapshots.push((entry.name.clone(), m.clone()));
    }
    render(&snapshots)
}

/// The depthwise layer with the largest max/min ratio of per-channel max |w|
/// after fold-bn (all-zero channels left out), computed directly.
fn most_imbalanced_depthwise(module: &Module) -> (String, usize) {
    let mut m = module.clone();
    common::run_passes(&mut m, "fold-bn");
    let f = &m.functions[0];
    let mut best: Option<(f32, String, usize)> = None;
    for op in f.ops() {
        let Some(layer) = Layer::read(f, op).filter(Layer::is_depthwise) else { continue };
        let ranges: Vec<f32> = layer.output_ranges().into_iter().filter(|&r| r > 0.0).collect();
        let spread = ranges.iter().copied().fold(0.0, f32::max) / ranges.iter().copied().fold(f32::INFINITY, f32::min);
        let name = f.op(f.op(op).operands()[1].producer().unwrap()).result_names[0].clone().unwrap();
        if best.as_ref().is_none_or(|b| spread > b.0) {
            best = Some((spread, name.strip_suffix("_w").unwrap().to_string(), layer.out_channels()));
        }
    }
    let (_, name, channels) = best.expect("the model has depthwise layers");
    (name, channels)
}

fn file<'r>(r: &'r Report, name: &str) -> &'r str {
    let (_, bytes) = r.files.iter().find(|(n, _)| n == name).unwrap_or_else(|| panic!("no file {name} in {:?}", names(r)));
    std::str::from_utf8(bytes).unwrap()
}

fn names(r: &Report) -> Vec<&str> {
    r.files.iter().map(|(n, _)| n.as_str()).collect()
}

/// Elements `<tag ...>` of an SVG filled with `fill`.
fn count(svg: &str, tag: &str, fill: &str) -> usize {
    svg.split('<').filter(|e| e.starts_with(&format!("{tag} ")) && e.contains(fill)).count()
}

fn assert_svg(svg: &str) {
    assert!(svg.starts_with("<svg"), "{}", &svg[..svg.len().min(80)]);
    assert!(svg.trim_end().ends_with("</svg>"));
    assert_eq!(svg.matches("<svg").count(), 1);
    assert!(svg.contains("<text"), "the figure has a title and axis labels");
}

#[test]
fn dfq_report_plots_the_most_imbalanced_depthwise_layer_before_and_after() {
    let module = parse(EXAMPLE);
    let r = report(&module, DFQ);
    let (layer, channels) = most_imbalanced_depthwise(&module);
    let ranges_file = format!("weight-ranges-{layer}.svg");
    assert_eq!(names(&r), [ranges_file.as_str(), "weight-sqnr.svg"]);

    let svg = file(&r, &ranges_file);
    assert_svg(svg);
    assert_eq!(count(svg, "rect", BEFORE_FILL), channels, "one bar per channel before equalization");
    assert_eq!(count(svg, "rect", AFTER_FILL), channels, "and one after");
    assert!(svg.contains(&format!("Per-output-channel weight ranges of {layer}")));
    assert!(svg.contains("output channel") && svg.contains("weight value"), "axis labels");

    let layers = r.markdown.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| #")).count();
    let svg = file(&r, "weight-sqnr.svg");
    assert_svg(svg);
    assert_eq!(count(svg, "circle", BEFORE_FILL), layers, "one naive point per layer");
    assert_eq!(count(svg, "circle", AFTER_FILL), layers, "one pipeline point per layer");
    assert!(svg.contains("weight SQNR (dB)") && svg.contains("layer index"));

    assert!(r.markdown.contains(&format!("]({ranges_file})")), "{}", r.markdown);
    assert!(r.markdown.contains("](weight-sqnr.svg)"));
    assert!(!r.markdown_without_figures.contains(".svg)"), "the single-file report links nothing");
}

#[test]
fn without_equalize_the_after_panel_is_omitted_and_said_so() {
    let module = parse(EXAMPLE);
    let r = report(&module, "fold-bn,quantize");
    let (layer, channels) = most_imbalanced_depthwise(&module);
    let svg = file(&r, &format!("weight-ranges-{layer}.svg"));
    assert_eq!(count(svg, "rect", BEFORE_FILL), channels);
    assert_eq!(count(svg, "rect", AFTER_FILL), 0);
    assert!(r.markdown.contains("no equalize step"), "{}", r.markdown);
    // Without equalize (or bias correction) the pipeline quantizes the same weights
    // naively: both SQNR columns agree.
    for row in r.markdown.lines().filter(|l| l.starts_with("| ") && !l.starts_with("| #")) {
        let cells: Vec<&str> = row.split('|').map(str::trim).collect();
        assert_eq!(cells[11], cells[12], "{row}");
    }
}

#[test]
fn without_quantize_there_is_no_sqnr_figure() {
    let r = report(&parse(EXAMPLE), "fold-bn,equalize");
    assert_eq!(r.files.len(), 1, "{:?}", names(&r));
    assert!(r.markdown.contains("the pipeline does not quantize"));
}

#[test]
fn an_all_zero_channel_does_not_make_a_layer_the_most_imbalanced() {
    // Zero one channel of another depthwise layer: with zero channels counted, its
    // spread would be infinite and it would be chosen.
    let mut module = parse(EXAMPLE);
    let (chosen, _) = most_imbalanced_depthwise(&module);
    let f = &mut module.functions[0];
    let op = f
        .ops()
        .filter(|&op| Layer::read(f, op).is_some_and(|l| l.is_depthwise()))
        .find(|&op| !f.op(f.op(op).operands()[1].producer().unwrap()).result_names[0].as_ref().unwrap().starts_with(&chosen))
        .expect("a second depthwise layer");
    let mut layer = Layer::read(f, op).unwrap();
    layer.row_mut(0).fill(0.0);
    layer.write_weight(f);
    let r = report(&module, DFQ);
    assert!(names(&r).contains(&format!("weight-ranges-{chosen}.svg").as_str()), "{:?}", names(&r));
    assert!(r.markdown.contains("(1 zero channel)"), "{}", r.markdown);
}

#[test]
fn joined_reports_keep_their_figures_apart() {
    let module = parse(EXAMPLE);
    let joined = Report::join(vec![report(&module, DFQ), report(&module, "fold-bn,quantize")]);
    assert_eq!(joined.files.len(), 4);
    for (name, _) in &joined.files {
        assert!(name.starts_with("input1-") || name.starts_with("input2-"), "{name}");
        assert!(joined.markdown.contains(&format!("]({name})")), "{name} is linked");
    }
    let single = Report::join(vec![report(&module, DFQ)]);
    assert!(single.files.iter().all(|(n, _)| !n.starts_with("input")));
}
