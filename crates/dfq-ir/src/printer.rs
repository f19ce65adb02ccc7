//! IR → text. Deterministic: the same module always prints the same bytes, and
//! printing what was parsed from printed text reproduces it exactly.
//!
//! Large constants go to the trailing `dialect_resources` section as hex blobs;
//! small ones are printed inline where a reader can see them.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write;

use crate::attr::{Attribute, Attributes, DenseData, DenseElements};
use crate::float_fmt::{format_f32, format_f64};
use crate::func::{Function, Module, Operation, Value};
use crate::hex;
use crate::types::{ElementType, Type};

#[derive(Clone, Debug)]
pub struct PrintOptions {
    /// Dense constants with more elements than this are printed as resources.
    pub inline_elements_limit: u64,
    /// Append `loc("file":line:col)` to ops that have a location.
    pub debug_info: bool,
}

impl Default for PrintOptions {
    fn default() -> PrintOptions {
        PrintOptions { inline_elements_limit: 64, debug_info: false }
    }
}

pub fn print_module(module: &Module, opts: &PrintOptions) -> String {
    let mut p = Printer { opts, out: String::new(), blobs: BTreeMap::new(), taken_keys: HashSet::new() };
    p.collect_resource_keys(module);
    p.module(module);
    p.resources();
    p.out
}

struct Printer<'o> {
    opts: &'o PrintOptions,
    out: String,
    /// key → constant, emitted in key order at the end.
    blobs: BTreeMap<String, DenseElements>,
    taken_keys: HashSet<String>,
}

impl Printer<'_> {
    /// Keys already chosen by the source are reserved before generating new ones.
    fn collect_resource_keys(&mut self, module: &Module) {
        let mut visit = |attrs: &Attributes| {
            for a in attrs.values() {
                for_each_dense(a, &mut |d| {
                    if let Some(k) = d.resource() {
                        self.taken_keys.insert(k.to_string());
                    }
                });
            }
        };
        visit(&module.attributes);
        for f in &module.functions {
            visit(&f.attributes);
            f.args.iter().for_each(|a| visit(&a.attributes));
            f.ops().for_each(|op| visit(&f.op(op).attributes));
        }
    }

    fn module(&mut self, module: &Module) {
        self.out.push_str("module");
        if let Some(name) = &module.name {
            write!(self.out, " @{}", symbol(name)).unwrap();
        }
        if !module.attributes.is_empty() {
            self.out.push_str(" attributes ");
            self.attr_dict(&module.attributes, "module");
        }
        self.out.push_str(" {\n");
        for (i, f) in module.functions.iter().enumerate() {
            if i > 0 {
                self.out.push('\n');
            }
            self.function(f);
        }
        self.out.push_str("}\n");
    }

    fn function(&mut self, f: &Function) {
        let names = ValueNames::assign(f);
        self.out.push_str("  func.func ");
        let mut attrs = f.attributes.clone();
        if let Some(Attribute::String(vis)) = attrs.remove("sym_visibility") {
            write!(self.out, "{vis} ").unwrap();
        }
        write!(self.out, "@{}(", symbol(&f.name)).unwrap();
        for (i, arg) in f.args.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            write!(self.out, "{}: {}", names.get(Value::Arg(i as u32)), arg.ty).unwrap();
            if !arg.attributes.is_empty() {
                self.out.push(' ');
                self.attr_dict(&arg.attributes, "arg");
            }
        }
        self.out.push(')');
        match f.result_types.as_slice() {
            [] => {}
            [one] => write!(self.out, " -> {one}").unwrap(),
            many => write!(self.out, " -> ({})", join(many)).unwrap(),
        }
        if !attrs.is_empty() {
            self.out.push_str(" attributes ");
            self.attr_dict(&attrs, &f.name);
        }
        self.out.push_str(" {\n");
        for id in f.ops() {
            self.op(f, f.op(id), id, &names);
        }
        self.out.push_str("  }\n");
    }

    fn op(&mut self, f: &Function, op: &Operation, id: crate::func::OpId, names: &ValueNames) {
        self.out.push_str("    ");
        match op.results.len() {
            0 => {}
            1 => write!(self.out, "{} = ", names.get(Value::Result(id, 0))).unwrap(),
            n => write!(self.out, "{}:{n} = ", names.group(id)).unwrap(),
        }
        let operands: Vec<String> = op.operands().iter().map(|&v| names.get(v)).collect();
        let key_hint = op.result_names.first().cloned().flatten();
        if op.name == "func.return" {
            self.out.push_str("return");
            if !operands.is_empty() {
                let types: Vec<Type> = op.operands().iter().map(|&v| f.value_type(v).clone()).collect();
                write!(self.out, " {} : {}", operands.join(", "), join(&types)).unwrap();
            }
        } else if let Some(value) = constant_pretty_form(op) {
            self.out.push_str("arith.constant ");
            self.attr_value(value, key_hint.as_deref().unwrap_or("cst"));
        } else {
            write!(self.out, "\"{}\"({})", escape(&op.name), operands.join(", ")).unwrap();
            if !op.attributes.is_empty() {
                self.out.push(' ');
                self.attr_dict(&op.attributes, key_hint.as_deref().unwrap_or("cst"));
            }
            let inputs: Vec<Type> = op.operands().iter().map(|&v| f.value_type(v).clone()).collect();
            write!(self.out, " : ({}) -> ", join(&inputs)).unwrap();
            match op.results.as_slice() {
                [one] => write!(self.out, "{one}").unwrap(),
                many => write!(self.out, "({})", join(many)).unwrap(),
            }
        }
        if self.opts.debug_info {
            if let Some(loc) = &op.loc {
                write!(self.out, " loc(\"{}\":{}:{})", escape(&loc.file), loc.line, loc.col).unwrap();
            }
        }
        self.out.push('\n');
    }

    fn attr_dict(&mut self, attrs: &Attributes, key_hint: &str) {
        self.out.push('{');
        for (i, (name, value)) in attrs.iter().enumerate() {
            if i > 0 {
                self.out.push_str(", ");
            }
            if is_bare_id(name) {
                self.out.push_str(name);
            } else {
                write!(self.out, "\"{}\"", escape(name)).unwrap();
            }
            if *value != Attribute::Unit {
                self.out.push_str(" = ");
                self.attr_value(value, key_hint);
            }
        }
        self.out.push('}');
    }

    fn attr_value(&mut self, value: &Attribute, key_hint: &str) {
        match value {
            Attribute::Unit => self.out.push_str("unit"),
            Attribute::Bool(b) => write!(self.out, "{b}").unwrap(),
            Attribute::Int { value, ty } => write!(self.out, "{value} : {ty}").unwrap(),
            Attribute::Float { value, ty } => match ty {
                ElementType::F64 => self.out.push_str(&format_f64(*value)),
                ElementType::F32 => write!(self.out, "{} : f32", format_f32(*value as f32)).unwrap(),
                other => write!(self.out, "{} : {other}", format_f64(*value)).unwrap(),
            },
            Attribute::String(s) => write!(self.out, "\"{}\"", escape(s)).unwrap(),
            Attribute::Type(t) => write!(self.out, "{t}").unwrap(),
            Attribute::Array(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.attr_value(item, key_hint);
                }
                self.out.push(']');
            }
            Attribute::DenseI64Array(v) if v.is_empty() => self.out.push_str("array<i64>"),
            Attribute::DenseI64Array(v) => {
                let items: Vec<String> = v.iter().map(i64::to_string).collect();
                write!(self.out, "array<i64: {}>", items.join(", ")).unwrap();
            }
            Attribute::Dict(d) => self.attr_dict(d, key_hint),
            Attribute::Dense(d) => self.dense(d, key_hint),
        }
    }

    fn dense(&mut self, d: &DenseElements, key_hint: &str) {
        let as_resource = d.resource().is_some() || (!d.is_splat() && d.num_elements() > self.opts.inline_elements_limit);
        if as_resource {
            let key = match d.resource() {
                Some(k) => k.to_string(),
                None => self.fresh_key(key_hint),
            };
            write!(self.out, "dense_resource<{key}> : {}", d.ty()).unwrap();
            self.blobs.insert(key, d.clone());
            return;
        }
        self.out.push_str("dense<");
        let is_bool = d.ty().element == ElementType::I1;
        let scalar = |i: usize| -> String {
            if is_bool {
                return (d.get_i64(i) != 0).to_string();
            }
            match d.data() {
                DenseData::F32(_) => format_f32(d.get_f64(i) as f32),
                DenseData::F64(_) => format_f64(d.get_f64(i)),
                _ => d.get_i64(i).to_string(),
            }
        };
        if d.is_splat() || d.ty().rank() == 0 {
            self.out.push_str(&scalar(0));
        } else if d.num_elements() > 0 {
            let shape: Vec<usize> = d.ty().shape.iter().map(|s| s.unwrap_or(0) as usize).collect();
            let mut next = 0;
            nested(&mut self.out, &shape, &mut || {
                let s = scalar(next);
                next += 1;
                s
            });
        }
        write!(self.out, "> : {}", d.ty()).unwrap();
    }

    fn fresh_key(&mut self, hint: &str) -> String {
        let base: String = hint.chars().map(|c| if c.is_ascii_alphanumeric() || c == '_' { c } else { '_' }).collect();
        let base = if base.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') { base } else { format!("r_{base}") };
        let mut key = base.clone();
        let mut n = 1;
        while self.taken_keys.contains(&key) {
            key = format!("{base}_{n}");
            n += 1;
        }
        self.taken_keys.insert(key.clone());
        key
    }

    fn resources(&mut self) {
        if self.blobs.is_empty() {
            return;
        }
        self.out.push_str("{-#\n  dialect_resources: {\n    builtin: {\n");
        let blobs = std::mem::take(&mut self.blobs);
        for (i, (key, d)) in blobs.iter().enumerate() {
            let width = d.data().kind().byte_width() as u32;
            write!(self.out, "      {key}: \"0x").unwrap();
            hex::encode_into(&width.to_le_bytes(), &mut self.out);
            if d.is_splat() {
                let one = d.data().to_le_bytes();
                let mut all = Vec::with_capacity(one.len() * d.num_elements() as usize);
                for _ in 0..d.num_elements() {
                    all.extend_from_slice(&one);
                }
                hex::encode_into(&all, &mut self.out);
            } else {
                hex::encode_into(&d.data().to_le_bytes(), &mut self.out);
            }
            self.out.push('"');
            self.out.push_str(if i + 1 < blobs.len() { ",\n" } else { "\n" });
        }
        self.out.push_str("    }\n  }\n#-}\n");
    }
}

/// `arith.constant` prints in its short form when `value` is its only attribute.
fn constant_pretty_form(op: &Operation) -> Option<&Attribute> {
    if op.name != "arith.constant" || op.attributes.len() != 1 || op.results.len() != 1 {
        return None;
    }
    let value = op.attr("value")?;
    let ty_matches = match (value, &op.results[0]) {
        (Attribute::Dense(d), Type::Tensor(t)) => d.ty() == t,
        (Attribute::Int { ty, .. } | Attribute::Float { ty, .. }, Type::Scalar(e)) => ty == e,
        _ => false,
    };
    ty_matches.then_some(value)
}

fn nested(out: &mut String, shape: &[usize], next: &mut dyn FnMut() -> String) {
    out.push('[');
    for i in 0..shape[0] {
        if i > 0 {
            out.push_str(", ");
        }
        if shape.len() == 1 {
            out.push_str(&next());
        } else {
            nested(out, &shape[1..], next);
        }
    }
    out.push(']');
}

fn for_each_dense(a: &Attribute, f: &mut dyn FnMut(&DenseElements)) {
    match a {
        Attribute::Dense(d) => f(d),
        Attribute::Array(items) => items.iter().for_each(|i| for_each_dense(i, f)),
        Attribute::Dict(d) => d.values().for_each(|i| for_each_dense(i, f)),
        _ => {}
    }
}

/// SSA names for printing: the source's names where they are unique, numbers
/// otherwise, so output is readable and deterministic.
struct ValueNames {
    names: HashMap<Value, String>,
}

impl ValueNames {
    fn assign(f: &Function) -> ValueNames {
        let mut names = HashMap::new();
        let mut used = HashSet::new();
        let mut claim = |hint: Option<&str>, fallback: &mut dyn FnMut() -> String| -> String {
            if let Some(h) = hint.filter(|h| is_valid_suffix(h)) {
                let mut candidate = h.to_string();
                let mut n = 1;
                while used.contains(&candidate) {
                    candidate = format!("{h}_{n}");
                    n += 1;
                }
                used.insert(candidate.clone());
                return candidate;
            }
            loop {
                let c = fallback();
                if used.insert(c.clone()) {
                    return c;
                }
            }
        };
        for (i, arg) in f.args.iter().enumerate() {
            let mut n = i;
            let name = claim(arg.name.as_deref(), &mut || {
                let s = format!("arg{n}");
                n += f.args.len();
                s
            });
            names.insert(Value::Arg(i as u32), name);
        }
        let mut counter = 0;
        for id in f.ops() {
            let op = f.op(id);
            if op.results.is_empty() {
                continue;
            }
            let hint = op.result_names[0].as_deref();
            let name = claim(hint, &mut || {
                let s = counter.to_string();
                counter += 1;
                s
            });
            if op.results.len() == 1 {
                names.insert(Value::Result(id, 0), name);
            } else {
                for r in 0..op.results.len() as u32 {
                    names.insert(Value::Result(id, r), format!("{name}#{r}"));
                }
            }
        }
        ValueNames { names }
    }

    fn get(&self, v: Value) -> String {
        match self.names.get(&v) {
            Some(n) => format!("%{n}"),
            None => "%<<invalid>>".to_string(),
        }
    }

    fn group(&self, id: crate::func::OpId) -> String {
        let first = self.get(Value::Result(id, 0));
        first.split('#').next().unwrap_or(&first).to_string()
    }
}

fn is_valid_suffix(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || "_$.-".contains(c))
        && chars.all(|c| c.is_ascii_alphanumeric() || "_$.-".contains(c))
}

fn is_bare_id(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || "_$.".contains(c))
}

fn symbol(name: &str) -> String {
    if is_bare_id(name) {
        name.to_string()
    } else {
        format!("\"{}\"", escape(name))
    }
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'"' => out.push_str("\\\""),
            b'\\' => out.push_str("\\\\"),
            b'\n' => out.push_str("\\n"),
            b'\t' => out.push_str("\\t"),
            0x20..=0x7E => out.push(b as char),
            _ => write!(out, "\\{b:02X}").unwrap(),
        }
    }
    out
}

fn join(types: &[Type]) -> String {
    types.iter().map(ToString::to_string).collect::<Vec<_>>().join(", ")
}
