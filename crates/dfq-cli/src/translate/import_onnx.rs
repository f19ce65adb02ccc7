//! `--import-onnx`: ONNX model → nn-dialect module.

use clap::{Arg, ArgMatches};
use dfq_ir::{print_module, PrintOptions};
use dfq_onnx::{import_onnx, parse_shape, ImportOptions, InputRange};

use crate::io;

pub const FLAG: &str = "import-onnx";

/// The options of this translation, shown under their own heading.
pub fn options() -> Vec<Arg> {
    vec![
        Arg::new("input-shape")
            .long("input-shape")
            .value_name("DIMS")
            .value_parser(parse_shape)
            .help("Static shape of the graph input, e.g. 1,3,224,224; needed when the model's is dynamic")
            .help_heading("ONNX import"),
        Arg::new("input-range")
            .long("input-range")
            .value_name("RANGE")
            .value_parser(|s: &str| s.parse::<InputRange>())
            .allow_hyphen_values(true)
            .help(
                "Value range of the input, recorded as its dfq.range: MIN,MAX (e.g. --input-range=-2.12,2.64), \
                 'imagenet' (ImageNet mean/std on [0,1] pixels: [-2.118, 2.640]) or 'efficientnet' \
                 ((x-127)/128 on 0-255 pixels: [-0.9921875, 1.0])",
            )
            .help_heading("ONNX import"),
    ]
}

pub fn run(matches: &ArgMatches, input: &str, output: &str) -> Result<(), String> {
    let options = ImportOptions {
        input_shape: matches.get_one::<Vec<i64>>("input-shape").cloned(),
        input_range: matches.get_one::<InputRange>("input-range").copied(),
    };
    let bytes = io::read_input(input)?;
    let name = if input == "-" { "<stdin>" } else { input };
    let module = import_onnx(&bytes, &options).map_err(|e| format!("{name}: {e}"))?;
    if options.input_range.is_none() {
        eprintln!(
            "dfq-translate: note: no --input-range given; quantizing this model will need a dfq.range on its input"
        );
    }
    io::write_output(output, print_module(&module, &PrintOptions::default()).as_bytes())
}
