//! Typed pass options, written MLIR-style as `name=value` pairs separated by spaces:
//! `--quantize='weight-bits=4 per-channel'`, `quantize{weight-bits=4 per-channel}`.

use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OptionKind {
    Bool,
    Int,
    Float,
    String,
}

#[derive(Clone, Debug)]
pub struct OptionSpec {
    pub name: &'static str,
    pub kind: OptionKind,
    pub default: &'static str,
    pub help: &'static str,
}

/// Option values of one pass instance, validated against its specs.
#[derive(Clone, Debug, Default)]
pub struct PassOptions {
    values: BTreeMap<String, String>,
}

impl PassOptions {
    /// Parses `a=1 b=true c` (a bare name sets a bool to true) against `specs`.
    pub fn parse(pass: &str, text: &str, specs: &[OptionSpec]) -> Result<PassOptions, String> {
        let mut values = BTreeMap::new();
        for item in text.split_whitespace() {
            let (name, value) = item.split_once('=').unwrap_or((item, ""));
            let spec = specs.iter().find(|s| s.name == name).ok_or_else(|| {
                let known: Vec<_> = specs.iter().map(|s| s.name).collect();
                if known.is_empty() {
                    format!("pass '{pass}' takes no options, got '{name}'")
                } else {
                    format!("pass '{pass}' has no option '{name}' (options: {})", known.join(", "))
                }
            })?;
            let value = if value.is_empty() && spec.kind == OptionKind::Bool { "true" } else { value };
            check_kind(pass, spec, value)?;
            values.insert(name.to_string(), value.to_string());
        }
        for spec in specs {
            values.entry(spec.name.to_string()).or_insert_with(|| spec.default.to_string());
        }
        Ok(PassOptions { values })
    }

    fn raw(&self, name: &str) -> &str {
        self.values.get(name).map(String::as_str).unwrap_or_else(|| panic!("option '{name}' is not declared"))
    }

    pub fn bool(&self, name: &str) -> bool {
        self.raw(name) == "true"
    }

    pub fn int(&self, name: &str) -> i64 {
        self.raw(name).parse().expect("validated at parse time")
    }

    pub fn float(&self, name: &str) -> f64 {
        self.raw(name).parse().expect("validated at parse time")
    }

    pub fn string(&self, name: &str) -> &str {
        self.raw(name)
    }

    /// The options in `a=1 b=2` form, for `--print-pipeline`.
    pub fn render(&self) -> String {
        self.values.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
    }
}

fn check_kind(pass: &str, spec: &OptionSpec, value: &str) -> Result<(), String> {
    let ok = match spec.kind {
        OptionKind::Bool => matches!(value, "true" | "false"),
        OptionKind::Int => value.parse::<i64>().is_ok(),
        OptionKind::Float => value.parse::<f64>().is_ok_and(f64::is_finite),
        OptionKind::String => true,
    };
    if ok {
        Ok(())
    } else {
        Err(format!("option '{}' of pass '{pass}' expects {:?}, got '{value}'", spec.name, spec.kind).to_lowercase())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPECS: &[OptionSpec] = &[
        OptionSpec { name: "bits", kind: OptionKind::Int, default: "8", help: "" },
        OptionSpec { name: "per-channel", kind: OptionKind::Bool, default: "false", help: "" },
    ];

    #[test]
    fn parses_and_defaults() {
        let o = PassOptions::parse("q", "per-channel", SPECS).unwrap();
        assert!(o.bool("per-channel"));
        assert_eq!(o.int("bits"), 8);
        assert_eq!(o.render(), "bits=8 per-channel=true");
    }

    #[test]
    fn rejects_unknown_and_mistyped() {
        assert!(PassOptions::parse("q", "bitz=3", SPECS).unwrap_err().contains("no option 'bitz'"));
        assert!(PassOptions::parse("q", "bits=x", SPECS).unwrap_err().contains("expects int"));
    }
}
