//! The TOML schema rejects what build.rs could not generate sound code for.

use dfq_dialects::DialectSpec;

fn validate(ops: &str) -> Result<(), String> {
    let text = format!("[dialect]\nname = \"t\"\nsummary = \"test\"\n\n{ops}");
    let spec: DialectSpec = toml::from_str(&text).map_err(|e| e.message().to_string())?;
    spec.validate("t")
}

const OP: &str = "[[op]]\nname = \"op\"\nsummary = \"s\"\ndescription = \"d\"\ninfer = \"none\"\n";

#[test]
fn a_well_formed_op_validates() {
    let op = format!("{OP}operands = [{{ name = \"x\", type = \"any\" }}, {{ name = \"y\", type = \"any\", optional = true }}]\nattributes = [{{ name = \"k\", kind = \"i64_array\", default = [1, 2] }}]");
    assert_eq!(validate(&op), Ok(()));
}

#[test]
fn operand_layouts_must_determine_positions() {
    let cases = [
        (
            "[{ name = \"x\", type = \"any\", optional = true }, { name = \"y\", type = \"any\" }]",
            "optional operands must come after all others",
        ),
        (
            "[{ name = \"x\", type = \"any\", variadic = true }, { name = \"y\", type = \"any\", variadic = true }]",
            "at most one operand may be variadic",
        ),
        (
            "[{ name = \"x\", type = \"any\", variadic = true }, { name = \"y\", type = \"any\", optional = true }]",
            "an op with a variadic operand cannot have optional operands",
        ),
        ("[{ name = \"x\", type = \"any\", min_count = 1 }]", "only a variadic operand has a min_count"),
    ];
    for (operands, error) in cases {
        assert_eq!(validate(&format!("{OP}operands = {operands}")), Err(format!("op 't.op': {error}")));
    }
}

#[test]
fn attribute_defaults_must_fit() {
    let cases = [
        ("{ name = \"k\", kind = \"i64\", default = 1.5 }", "the default of attribute 'k' is not of kind i64"),
        (
            "{ name = \"k\", kind = \"i64\", default = 1, required = true }",
            "attribute 'k' is required and has a default",
        ),
    ];
    for (attr, error) in cases {
        assert_eq!(validate(&format!("{OP}attributes = [{attr}]")), Err(format!("op 't.op': {error}")));
    }
}

#[test]
fn names_must_be_usable_and_unique() {
    let clash = format!("{OP}operands = [{{ name = \"op\", type = \"any\" }}]");
    assert!(validate(&clash).unwrap_err().contains("'op' is not a usable accessor name"));
    let twice = format!(
        "{OP}operands = [{{ name = \"x\", type = \"any\" }}]\nattributes = [{{ name = \"x\", kind = \"i64\" }}]"
    );
    assert_eq!(validate(&twice), Err("op 't.op': the name 'x' is used twice".into()));
    assert_eq!(validate(&format!("{OP}\n{OP}")), Err("op 't.op' is declared twice".into()));
}

#[test]
fn unknown_keys_traits_and_rules_are_rejected() {
    assert!(validate(&format!("{OP}traits = [\"Shiny\"]")).unwrap_err().contains("unknown variant `Shiny`"));
    assert!(validate(&OP.replace("\"none\"", "\"magic\"")).unwrap_err().contains("unknown variant `magic`"));
    assert!(validate(&format!("{OP}summery = \"typo\"")).unwrap_err().contains("unknown field `summery`"));
}

#[test]
fn the_file_must_be_named_after_the_dialect() {
    let spec: DialectSpec = toml::from_str("[dialect]\nname = \"nn\"\nsummary = \"s\"").unwrap();
    assert_eq!(spec.validate("qnn"), Err("dialect 'nn' must be declared in 'nn.toml', not 'qnn.toml'".into()));
}
