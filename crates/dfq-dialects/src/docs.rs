//! Markdown reference pages for the dialects, rendered from their TOML
//! (`docs/dialects/<name>.md`; a test keeps the committed pages current).

use std::fmt::Write;

use crate::generated::DIALECTS;
use crate::spec::{AttrSpec, DefaultValue, DialectSpec, OpSpec, Trait};

/// The specs of all dialects, parsed from the TOML they were generated from.
pub fn dialect_specs() -> Vec<DialectSpec> {
    DIALECTS
        .iter()
        .map(|d| toml::from_str(d.source).unwrap_or_else(|e| panic!("dialects/{}.toml: {e}", d.name)))
        .collect()
}

pub fn render_dialect_docs(spec: &DialectSpec) -> String {
    let name = &spec.dialect.name;
    let mut out = String::new();
    writeln!(
        out,
        "<!-- Generated from dialects/{name}.toml by `DFQ_BLESS=1 cargo test -p dfq-dialects`; do not edit. -->"
    )
    .unwrap();
    writeln!(out, "# The `{name}` dialect\n\n{}.\n", spec.dialect.summary).unwrap();
    if !spec.dialect.description.trim().is_empty() {
        writeln!(out, "{}\n", spec.dialect.description.trim()).unwrap();
    }
    out.push_str("| Operation | Summary |\n|---|---|\n");
    for op in &spec.ops {
        let full = format!("{name}.{}", op.name);
        writeln!(out, "| [`{full}`](#{}) | {} |", full.replace('.', ""), cell(&op.summary)).unwrap();
    }
    for op in &spec.ops {
        render_op(&mut out, name, op);
    }
    render_traits(&mut out, spec);
    out
}

fn render_op(out: &mut String, dialect: &str, op: &OpSpec) {
    writeln!(out, "\n## `{dialect}.{}`\n\n{}.\n\n{}", op.name, op.summary, op.description.trim()).unwrap();
    if !op.operands.is_empty() {
        out.push_str("\n**Operands**\n\n| Operand | Type | Description |\n|---|---|---|\n");
        for o in &op.operands {
            let arity = match (o.optional, o.variadic, o.min_count) {
                (true, _, _) => " (optional)".to_string(),
                (_, true, 0) => " (variadic)".to_string(),
                (_, true, min) => format!(" (variadic, at least {min})"),
                _ => String::new(),
            };
            writeln!(out, "| `{}`{arity} | {} | {} |", o.name, o.constraint.description(), cell(&o.description))
                .unwrap();
        }
    }
    if !op.attributes.is_empty() {
        out.push_str("\n**Attributes**\n\n| Attribute | Kind | Default | Description |\n|---|---|---|---|\n");
        for a in &op.attributes {
            writeln!(
                out,
                "| `{}` | `{}` | {} | {} |",
                a.name,
                a.kind.mlir_name(),
                default_cell(a),
                cell(&a.description)
            )
            .unwrap();
        }
    }
    if !op.results.is_empty() {
        out.push_str("\n**Results**\n\n| Result | Type | Description |\n|---|---|---|\n");
        for r in &op.results {
            writeln!(out, "| `{}` | {} | {} |", r.name, r.constraint.description(), cell(&r.description)).unwrap();
        }
    }
    if !op.traits.is_empty() {
        let traits: Vec<String> = op.traits.iter().map(|t| format!("`{t:?}`")).collect();
        writeln!(out, "\n**Traits**: {}", traits.join(", ")).unwrap();
    }
}

fn default_cell(attr: &AttrSpec) -> String {
    match (&attr.default, attr.required) {
        (Some(DefaultValue::Bool(b)), _) => format!("`{b}`"),
        (Some(DefaultValue::Int(i)), _) => format!("`{i}`"),
        (Some(DefaultValue::Float(f)), _) => format!("`{f:?}`"),
        (Some(DefaultValue::Str(s)), _) => format!("`{s:?}`"),
        (Some(DefaultValue::IntArray(v)), _) => format!("`{v:?}`"),
        (None, true) => "required".into(),
        (None, false) => "none (optional)".into(),
    }
}

/// The traits the dialect's ops use, in order of first use.
fn render_traits(out: &mut String, spec: &DialectSpec) {
    let mut used: Vec<Trait> = Vec::new();
    for t in spec.ops.iter().flat_map(|op| &op.traits) {
        if !used.contains(t) {
            used.push(*t);
        }
    }
    if used.is_empty() {
        return;
    }
    out.push_str("\n## Traits\n\n| Trait | Meaning |\n|---|---|\n");
    for t in used {
        writeln!(out, "| `{t:?}` | {} |", t.description()).unwrap();
    }
}

/// Text fit for one table cell.
fn cell(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").replace('|', "\\|")
}
