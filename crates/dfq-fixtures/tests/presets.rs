//! The presets: deterministic, printable and re-parsable to the same bytes, of
//! the published sizes, and with DFQ's pathology.

use dfq_fixtures::{count_macs, count_params, folded_ranges, mobilenet_v1, Activation, Preset};
use dfq_ir::{parse_module, print_module, Module, PrintOptions, SourceFile};

fn print(module: &Module) -> String {
    print_module(module, &PrintOptions::default())
}

fn reprint(name: &str, text: &str) -> String {
    let src = SourceFile::new(name, text);
    let module = parse_module(&src).unwrap_or_else(|d| panic!("{}", d.render(&[&src])));
    print(&module)
}

#[test]
fn same_seed_same_bytes() {
    for preset in Preset::ALL {
        assert_eq!(print(&preset.build(3)), print(&preset.build(3)), "{preset} is not deterministic");
    }
}

#[test]
fn different_seeds_different_weights() {
    for preset in [Preset::Tiny, Preset::Random] {
        assert_ne!(print(&preset.build(1)), print(&preset.build(2)), "{preset} ignores its seed");
    }
}

#[test]
fn printing_is_a_fixpoint_of_parse_and_print() {
    for preset in Preset::ALL {
        let printed = print(&preset.build(1));
        assert!(printed == reprint(preset.name(), &printed), "{preset}: print(parse(text)) != text");
    }
    // Inline and resource forms both round-trip.
    let opts = PrintOptions { inline_elements_limit: u64::MAX, ..PrintOptions::default() };
    let inline = print_module(&Preset::Tiny.build(1), &opts);
    assert!(!inline.contains("dense_resource"));
    let src = SourceFile::new("inline", &inline);
    assert_eq!(print_module(&parse_module(&src).unwrap(), &opts), inline);
}

#[test]
fn mobilenet_v2_has_torchvisions_parameter_count() {
    assert_eq!(count_params(&Preset::MobileNetV2.build(1)), 3_504_872);
}

#[test]
fn tiny_is_tiny() {
    let module = Preset::Tiny.build(1);
    assert_eq!((count_params(&module), count_macs(&module)), (19_322, 1_101_952));
}

#[test]
fn mobilenet_v1_has_the_published_mac_count() {
    let module = mobilenet_v1(1, Activation::Relu6);
    let macs = count_macs(&module);
    assert_eq!(macs, 568_740_352, "{:.1} M MAC", macs as f64 / 1e6);
    assert_eq!(count_params(&module), 4_231_976);
}

#[test]
fn mobilenet_v1_activation_option() {
    let count = |act, op: &str| print(&mobilenet_v1(1, act)).matches(&format!("\"{op}\"")).count();
    assert_eq!((count(Activation::Relu, "nn.relu"), count(Activation::Relu, "nn.relu6")), (27, 0));
    assert_eq!(count(Activation::Relu6, "nn.relu6"), 27);
}

/// Folding batch norms leaves channel ranges 100× apart within a layer (Nagel et
/// al. 2019, Fig. 2), most of all in depthwise layers.
#[test]
fn folded_depthwise_ranges_differ_by_100x() {
    for preset in [Preset::Tiny, Preset::MobileNetV2, Preset::MobileNetV1] {
        let module = preset.build(1);
        let layers = folded_ranges(&module.functions[0]);
        let depthwise: Vec<_> = layers.iter().filter(|l| l.depthwise).collect();
        assert!(!depthwise.is_empty());
        let wide = depthwise.iter().filter(|l| l.spread() >= 100.0).count();
        let worst = depthwise.iter().map(|l| l.spread()).fold(0.0, f32::max);
        let n = depthwise.len();
        assert!(wide * 2 >= n, "{preset}: {wide}/{n} depthwise layers spread ≥ 100× (worst {worst})");
        assert!(layers.iter().all(|l| l.ranges.iter().all(|r| r.is_finite())));
    }
}

#[test]
fn shipped_example_is_up_to_date() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/mobilenet_tiny.mlir");
    let shipped = std::fs::read_to_string(path).expect("examples/mobilenet_tiny.mlir exists");
    assert!(
        shipped == print(&Preset::Tiny.build(1)),
        "examples/mobilenet_tiny.mlir is stale; regenerate it with\n  \
         cargo run -p dfq-fixtures --bin dfq-gen-model -- --preset tiny --seed 1 -o examples/mobilenet_tiny.mlir"
    );
}

#[test]
fn gen_model_writes_a_relu_chain_that_parses() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_dfq-gen-model"))
        .args(["--relu-chain", "1000"])
        .output()
        .expect("dfq-gen-model starts");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text, dfq_fixtures::stress::relu_chain(1000, " {dfq.range = [-1.0, 1.0]}"));
    let module = parse_module(&SourceFile::new("chain.mlir", &text)).expect("parses");
    assert_eq!(module.functions[0].num_ops(), 1001);
}
