//! The committed dialect reference pages match the TOML they are rendered from.

use std::path::Path;

use dfq_dialects::{dialect_specs, render_dialect_docs};

#[test]
fn committed_dialect_docs_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/dialects");
    let bless = std::env::var("DFQ_BLESS").is_ok_and(|v| v == "1");
    let mut stale = Vec::new();
    for spec in dialect_specs() {
        let path = dir.join(format!("{}.md", spec.dialect.name));
        let rendered = render_dialect_docs(&spec);
        if bless {
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(&path, rendered).unwrap();
        } else if std::fs::read_to_string(&path).ok().as_deref() != Some(rendered.as_str()) {
            stale.push(path.display().to_string());
        }
    }
    assert!(
        stale.is_empty(),
        "dialect docs are stale or missing: {stale:?}\nregenerate them with: DFQ_BLESS=1 cargo test -p dfq-dialects"
    );
}
