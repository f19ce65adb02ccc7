//! The textual pipeline of `--pass-pipeline`: `builtin.module(a,b{opt=1 flag})`.

/// One pass of a pipeline with its raw option text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PipelineEntry {
    pub name: String,
    pub options: String,
}

/// Parses a pipeline; the `builtin.module(...)` wrapper is optional.
pub fn parse_pipeline(text: &str) -> Result<Vec<PipelineEntry>, String> {
    let text = text.trim();
    let body = match text.strip_prefix("builtin.module") {
        Some(rest) => rest
            .trim()
            .strip_prefix('(')
            .and_then(|r| r.strip_suffix(')'))
            .ok_or_else(|| "expected 'builtin.module(...)' with balanced parentheses".to_string())?,
        None => text,
    };
    let mut entries = Vec::new();
    let mut rest = body.trim();
    while !rest.is_empty() {
        let name_end = rest.find([',', '{']).unwrap_or(rest.len());
        let name = rest[..name_end].trim();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_') {
            return Err(format!("expected a pass name at '{rest}'"));
        }
        rest = &rest[name_end..];
        let mut options = String::new();
        if let Some(after) = rest.strip_prefix('{') {
            let close = after.find('}').ok_or_else(|| format!("unterminated options of pass '{name}'"))?;
            options = after[..close].trim().to_string();
            rest = &after[close + 1..];
        }
        entries.push(PipelineEntry { name: name.to_string(), options });
        rest = rest.trim_start();
        match rest.strip_prefix(',') {
            Some(r) => rest = r.trim_start(),
            None if rest.is_empty() => {}
            None => return Err(format!("expected ',' between passes at '{rest}'")),
        }
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_wrapped_and_bare() {
        let p = parse_pipeline("builtin.module(canonicalize, quantize{weight-bits=4 per-channel},dce)").unwrap();
        assert_eq!(p.len(), 3);
        assert_eq!(p[1], PipelineEntry { name: "quantize".into(), options: "weight-bits=4 per-channel".into() });
        assert_eq!(parse_pipeline("dce").unwrap()[0].name, "dce");
        assert!(parse_pipeline("builtin.module(dce").is_err());
        assert!(parse_pipeline("a b").is_err());
    }
}
