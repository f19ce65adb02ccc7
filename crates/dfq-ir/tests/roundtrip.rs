//! Parse → print snapshots over a corpus, and the round-trip fixpoint:
//! print(parse(print(parse(x)))) == print(parse(x)), byte for byte.

use dfq_ir::{parse_module, print_module, PrintOptions, SourceFile};

fn parse_print(name: &str, text: &str) -> String {
    let src = SourceFile::new(name, text);
    let module = parse_module(&src).unwrap_or_else(|d| panic!("{}", d.render(&[&src])));
    print_module(&module, &PrintOptions::default())
}

#[test]
fn corpus_round_trips() {
    insta::glob!("roundtrip/*.mlir", |path| {
        let text = std::fs::read_to_string(path).unwrap();
        let printed = parse_print(&path.display().to_string(), &text);
        let reprinted = parse_print("printed.mlir", &printed);
        assert_eq!(printed, reprinted, "printing is not a fixpoint for {}", path.display());
        insta::assert_snapshot!(printed);
    });
}

#[test]
fn debug_locations_print_and_parse() {
    let text = "func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {\n  %0 = \"nn.relu\"(%x) : (tensor<2xf32>) -> tensor<2xf32>\n  return %0 : tensor<2xf32>\n}\n";
    let src = SourceFile::new("in.mlir", text);
    let module = parse_module(&src).unwrap();
    let opts = PrintOptions { debug_info: true, ..PrintOptions::default() };
    let printed = print_module(&module, &opts);
    assert!(printed.contains("loc(\"in.mlir\":2:3)"), "{printed}");
    parse_module(&SourceFile::new("p.mlir", &printed)).unwrap();
}
