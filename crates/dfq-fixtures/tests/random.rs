//! Random networks: valid, re-parsable, small, and together covering every case
//! property tests should see.

use std::collections::BTreeSet;

use dfq_fixtures::{random, RandomNetConfig};
use dfq_ir::{parse_module, print_module, Function, Operation, PrintOptions, SourceFile, Value};

const SEEDS: std::ops::Range<u64> = 0..60;

/// The features of one network that property tests care about.
fn features(f: &Function) -> BTreeSet<&'static str> {
    let mut seen = BTreeSet::new();
    if shape(f, Value::Arg(0))[0] > 1 {
        seen.insert("batch > 1");
    }
    for id in f.ops() {
        let op = f.op(id);
        match op.name.as_str() {
            "nn.add" => seen.insert("add"),
            "nn.concat" => seen.insert("concat"),
            "nn.max_pool2d" => seen.insert("max_pool"),
            "nn.avg_pool2d" => seen.insert("avg_pool"),
            "nn.relu" => seen.insert("relu"),
            "nn.relu6" => seen.insert("relu6"),
            "nn.conv2d" => {
                seen.extend(conv_features(f, op));
                true
            }
            _ => false,
        };
    }
    seen
}

fn conv_features(f: &Function, op: &Operation) -> Vec<&'static str> {
    let ints = |name: &str| op.attr(name).and_then(|a| a.as_i64_array()).unwrap_or(&[]).to_vec();
    let (input, weight) = (shape(f, op.operands()[0]), shape(f, op.operands()[1]));
    let groups = op.attr("groups").and_then(|a| a.as_int()).unwrap();
    let pads = ints("pads");
    let checks = [
        (groups > 1 && weight[1] == 1 && weight[0] == groups, "depthwise"),
        (groups > 1 && weight[1] > 1, "grouped"),
        (ints("strides").contains(&2), "stride 2"),
        (ints("dilations").contains(&2), "dilation 2"),
        (pads[0] != pads[2] || pads[1] != pads[3], "asymmetric pads"),
        (input[2] == 1 && input[3] == 1, "1x1 spatial"),
        (op.operands().len() == 3, "conv bias"),
        (weight[0] % 2 == 1, "odd channels"),
    ];
    checks.into_iter().filter(|(holds, _)| *holds).map(|(_, name)| name).collect()
}

fn shape(f: &Function, v: Value) -> Vec<i64> {
    f.value_type(v).as_tensor().unwrap().static_shape().unwrap()
}

#[test]
fn random_networks_cover_every_feature() {
    let config = RandomNetConfig::default();
    let mut seen = BTreeSet::new();
    for seed in SEEDS {
        seen.extend(features(&random(seed, &config).functions[0]));
    }
    let expected = [
        "1x1 spatial",
        "add",
        "asymmetric pads",
        "avg_pool",
        "batch > 1",
        "concat",
        "conv bias",
        "depthwise",
        "dilation 2",
        "grouped",
        "max_pool",
        "odd channels",
        "relu",
        "relu6",
        "stride 2",
    ];
    let missing: Vec<_> = expected.iter().filter(|f| !seen.contains(*f)).collect();
    assert!(missing.is_empty(), "no random network has {missing:?}");
}

#[test]
fn random_networks_round_trip_and_stay_small() {
    let config = RandomNetConfig::default();
    for seed in SEEDS {
        let module = random(seed, &config);
        let text = print_module(&module, &PrintOptions::default());
        let src = SourceFile::new("random", &text);
        let parsed = parse_module(&src).unwrap_or_else(|d| panic!("seed {seed}: {}", d.render(&[&src])));
        assert_eq!(print_module(&parsed, &PrintOptions::default()), text, "seed {seed}");
        let macs = dfq_fixtures::count_macs(&module);
        assert!(macs < 20_000_000, "seed {seed}: {macs} MAC is too much for an interpreter test");
    }
}
