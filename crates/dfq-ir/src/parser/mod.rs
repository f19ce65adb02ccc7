//! Text → IR. A pest grammar (`mlir.pest`) recognizes the syntax; this module walks
//! the parse tree, resolves SSA names and resources, and reports located errors.

mod errors;
mod literals;

use std::collections::HashMap;

use pest::iterators::Pair;
use pest::Parser as _;

use crate::attr::{Attribute, Attributes, DenseData, DenseElements, StorageKind};
use crate::diag::{Diagnostic, Diagnostics, Location, SourceFile};
use crate::func::{Argument, Function, Module, OpId, Operation, Value};
use crate::hex;
use crate::types::{ElementType, QuantParams, QuantType, TensorType, Type};

#[derive(pest_derive::Parser)]
#[grammar = "parser/mlir.pest"]
struct MlirGrammar;

/// Checks that `bytes` are UTF-8 and wraps them as a source file.
pub fn source_from_bytes(name: &str, bytes: &[u8]) -> Result<SourceFile, Diagnostic> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(SourceFile::new(name, text)),
        Err(e) => {
            let valid = std::str::from_utf8(&bytes[..e.valid_up_to()]).expect("prefix is valid");
            let loc = SourceFile::new(name, valid).location(valid.len());
            Err(Diagnostic::error(
                Some(loc),
                format!("invalid UTF-8 byte 0x{:02X}: MLIR source must be UTF-8 text", bytes[e.valid_up_to()]),
            ))
        }
    }
}

/// Parses a module. Structural problems (undefined values, mismatched types of a
/// value's uses, bad resources) are reported here; op semantics are the verifier's.
pub fn parse_module(src: &SourceFile) -> Result<Module, Diagnostics> {
    let file = match MlirGrammar::parse(Rule::file, src.text()) {
        Ok(mut pairs) => pairs.next().expect("the file rule produces one pair"),
        Err(e) => return Err(errors::syntax_error(src, e).into()),
    };
    let mut p = ModuleParser { src, diags: Diagnostics::default(), resources: HashMap::new() };
    let children: Vec<Pair<Rule>> = file.into_inner().collect();
    if let Some(res) = children.iter().find(|c| c.as_rule() == Rule::resources) {
        p.collect_resources(res.clone());
    }
    let mut module = Module::default();
    for child in children {
        match child.as_rule() {
            Rule::module_op | Rule::generic_module => p.module_op(child, &mut module),
            Rule::bare_body => {
                for f in child.into_inner() {
                    if let Some(func) = p.any_func(f) {
                        p.add_function(&mut module, func);
                    }
                }
            }
            _ => {}
        }
    }
    if p.diags.has_errors() {
        return Err(p.diags);
    }
    Ok(module)
}

/// A blob from the `dialect_resources` section, not yet typed.
struct Blob {
    bytes: Vec<u8>,
    loc: Location,
}

struct ModuleParser<'s> {
    src: &'s SourceFile,
    diags: Diagnostics,
    resources: HashMap<String, Blob>,
}

/// Where each SSA name of a function body points.
#[derive(Default)]
struct Scope {
    /// Name → (first value of the group, group size, where it was defined).
    defs: HashMap<String, (Value, u32, Location)>,
    /// Results of ops that failed to parse: their uses are not reported again.
    poisoned: std::collections::HashSet<String>,
}

/// An operand name waiting for the whole body to be read (uses may precede
/// definitions in the text; the verifier then reports the dominance error).
struct PendingUse {
    op: OpId,
    operand: usize,
    name: String,
    index: u32,
    declared: Option<Type>,
    loc: Location,
}

impl<'s> ModuleParser<'s> {
    fn loc(&self, pair: &Pair<Rule>) -> Location {
        self.src.location(pair.as_span().start())
    }

    fn error(&mut self, loc: Location, msg: impl Into<String>) {
        self.diags.push(Diagnostic::error(Some(loc), msg));
    }

    fn collect_resources(&mut self, res: Pair<Rule>) {
        for section in res.into_inner() {
            let mut parts = section.into_inner();
            let section_name = parts.next().expect("section name").as_str();
            if section_name != "dialect_resources" {
                continue;
            }
            for group in parts {
                let mut group_parts = group.into_inner();
                let dialect = group_parts.next().expect("dialect name").as_str();
                if dialect != "builtin" {
                    continue;
                }
                for entry in group_parts {
                    self.resource_entry(entry);
                }
            }
        }
    }

    fn resource_entry(&mut self, entry: Pair<Rule>) {
        let loc = self.loc(&entry);
        let mut parts = entry.into_inner();
        let key = literals::resource_key(parts.next().expect("key"));
        let value = parts.next().expect("value");
        if value.as_rule() != Rule::hex_string {
            self.error(loc, format!("resource '{key}' must be a hex blob \"0x...\""));
            return;
        }
        let Some(bytes) = self.hex_blob(&value) else { return };
        if bytes.len() < 4 {
            self.error(loc, format!("resource '{key}' is shorter than its 4-byte alignment header"));
            return;
        }
        if let Some(previous) = self.resources.get(&key) {
            let d = Diagnostic::error(Some(loc), format!("resource '{key}' is defined twice"))
                .with_note(Some(previous.loc.clone()), "previous definition is here");
            self.diags.push(d);
            return;
        }
        self.resources.insert(key, Blob { bytes, loc });
    }

    /// Decodes a `"0x.."` token, reporting bad digits at their exact column.
    fn hex_blob(&mut self, hex_string: &Pair<Rule>) -> Option<Vec<u8>> {
        let digits = hex_string.clone().into_inner().next().expect("hex digits");
        match hex::decode(digits.as_str().as_bytes()) {
            Ok(bytes) => Some(bytes),
            Err(hex::HexError::OddLength) => {
                let loc = self.loc(hex_string);
                self.error(loc, "hex string has an odd number of digits");
                None
            }
            Err(hex::HexError::InvalidDigit { offset, byte }) => {
                let loc = self.src.location(digits.as_span().start() + offset);
                let shown = if byte.is_ascii_graphic() { format!("'{}'", byte as char) } else { format!("byte 0x{byte:02X}") };
                self.error(loc, format!("invalid hex digit {shown} in hex string"));
                None
            }
        }
    }

    fn module_op(&mut self, pair: Pair<Rule>, module: &mut Module) {
        module.loc = Some(self.loc(&pair));
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::symbol_name => module.name = Some(literals::symbol(child.as_str())),
                Rule::module_attrs => {
                    module.attributes = self.attr_dict(child.into_inner().next().expect("dict")).unwrap_or_default()
                }
                // The generic form: `<{sym_name = "name"}>` and a trailing attribute dictionary.
                Rule::properties => {
                    let dict = self.attr_dict(child.into_inner().next().expect("dict")).unwrap_or_default();
                    for (key, value) in dict {
                        match (key.as_str(), value) {
                            ("sym_name", Attribute::String(name)) => module.name = Some(name),
                            (key, _) => {
                                let loc = module.loc.clone().expect("set above");
                                self.error(loc, format!("unexpected builtin.module property '{key}'"));
                            }
                        }
                    }
                }
                Rule::attr_dict => module.attributes = self.attr_dict(child).unwrap_or_default(),
                Rule::func_op | Rule::generic_func => {
                    if let Some(f) = self.any_func(child) {
                        self.add_function(module, f);
                    }
                }
                _ => {}
            }
        }
    }

    /// Function names are symbols: unique in the module, whether it is written
    /// out (`module { ... }`) or implied by functions at the top level. (The
    /// implied form once skipped this check, so a module printed from it did
    /// not parse back: found by the roundtrip fuzzer.)
    fn add_function(&mut self, module: &mut Module, f: Function) {
        if let Some(prev) = module.functions.iter().find(|g| g.name == f.name) {
            let d = Diagnostic::error(f.loc.clone(), format!("redefinition of symbol '@{}'", f.name))
                .with_note(prev.loc.clone(), "previous definition is here");
            self.diags.push(d);
        }
        module.functions.push(f);
    }

    fn any_func(&mut self, pair: Pair<Rule>) -> Option<Function> {
        match pair.as_rule() {
            Rule::generic_func => self.generic_func(pair),
            _ => self.func_op(pair),
        }
    }

    /// `"func.func"() <{function_type = .., sym_name = ..}> ({ ^bb0(args): ops })`:
    /// the properties hold what the custom form spells in its signature.
    fn generic_func(&mut self, pair: Pair<Rule>) -> Option<Function> {
        let loc = self.loc(&pair);
        let mut func = Function::new("", Vec::new(), Vec::new());
        func.loc = Some(loc.clone());
        let mut scope = Scope::default();
        let mut pending = Vec::new();
        let mut signature = None;
        let mut arg_attrs = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::properties => {
                    for entry in child.into_inner().next().expect("dict").into_inner() {
                        let entry_loc = self.loc(&entry);
                        let mut parts = entry.into_inner();
                        let name = parts.next().expect("attr name").as_str().trim_matches('"').to_string();
                        let Some(value) = parts.next() else {
                            self.error(entry_loc, format!("func.func property '{name}' needs a value"));
                            return None;
                        };
                        if name == "function_type" {
                            let inner = value.into_inner().next().expect("attribute alternative");
                            if inner.as_rule() != Rule::fn_type_attr {
                                self.error(entry_loc, "func.func property 'function_type' must be a function type");
                                return None;
                            }
                            signature = Some(self.function_type(inner.into_inner().next().expect("function type"))?);
                            continue;
                        }
                        match (name.as_str(), self.attr_value(value)?) {
                            ("sym_name", Attribute::String(n)) => func.name = n,
                            ("sym_visibility", v @ Attribute::String(_)) => {
                                func.attributes.insert(name, v);
                            }
                            ("arg_attrs", Attribute::Array(dicts)) => arg_attrs = Some((dicts, entry_loc)),
                            ("res_attrs", Attribute::Array(dicts)) => {
                                if dicts.iter().any(|d| !matches!(d, Attribute::Dict(d) if d.is_empty())) {
                                    self.error(entry_loc, "result attributes of functions are not supported");
                                    return None;
                                }
                            }
                            (name, _) => {
                                self.error(entry_loc, format!("unexpected or malformed func.func property '{name}'"));
                                return None;
                            }
                        }
                    }
                }
                Rule::entry_block => {
                    for arg in child.into_inner().filter(|c| c.as_rule() == Rule::arg) {
                        self.argument(arg, &mut func, &mut scope);
                    }
                }
                Rule::attr_dict => {
                    let dict = self.attr_dict(child)?;
                    func.attributes.extend(dict);
                }
                Rule::op => self.op(child, &mut func, &mut scope, &mut pending),
                _ => {}
            }
        }
        let Some((inputs, results)) = signature else {
            self.error(loc, "generic func.func needs a 'function_type' property");
            return None;
        };
        let arg_types: Vec<&Type> = func.args.iter().map(|a| &a.ty).collect();
        if inputs.iter().collect::<Vec<_>>() != arg_types {
            self.error(loc, "the entry block's arguments do not match the 'function_type' inputs");
            return None;
        }
        func.result_types = results;
        if let Some((dicts, attrs_loc)) = arg_attrs {
            if dicts.len() != func.args.len() {
                self.error(attrs_loc, format!("'arg_attrs' has {} entries for {} arguments", dicts.len(), func.args.len()));
                return None;
            }
            for (arg, dict) in func.args.iter_mut().zip(dicts) {
                match dict {
                    Attribute::Dict(d) => arg.attributes = d,
                    _ => {
                        self.error(attrs_loc, "'arg_attrs' must hold one dictionary per argument");
                        return None;
                    }
                }
            }
        }
        self.resolve_uses(&mut func, &scope, pending);
        Some(func)
    }

    fn func_op(&mut self, pair: Pair<Rule>) -> Option<Function> {
        let loc = self.loc(&pair);
        let mut func = Function::new("", Vec::new(), Vec::new());
        func.loc = Some(loc);
        let mut scope = Scope::default();
        let mut pending = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::symbol_name => func.name = literals::symbol(child.as_str()),
                Rule::visibility => {
                    func.attributes.insert("sym_visibility".into(), Attribute::String(child.as_str().into()));
                }
                Rule::arg_list => {
                    for arg in child.into_inner() {
                        self.argument(arg, &mut func, &mut scope);
                    }
                }
                Rule::func_results => {
                    func.result_types = match child.into_inner().next() {
                        Some(t) if t.as_rule() == Rule::type_list => self.type_list(t)?,
                        Some(t) => vec![self.type_(t)?],
                        None => Vec::new(),
                    }
                }
                Rule::func_attrs => {
                    let dict = self.attr_dict(child.into_inner().next().expect("dict"))?;
                    func.attributes.extend(dict);
                }
                Rule::op => self.op(child, &mut func, &mut scope, &mut pending),
                _ => {}
            }
        }
        self.resolve_uses(&mut func, &scope, pending);
        Some(func)
    }

    fn argument(&mut self, pair: Pair<Rule>, func: &mut Function, scope: &mut Scope) {
        let loc = self.loc(&pair);
        let mut parts = pair.into_inner();
        let name = parts.next().expect("arg name").as_str();
        let Some(ty) = self.type_(parts.next().expect("arg type")) else { return };
        let mut arg = Argument::new(ty);
        arg.loc = Some(loc.clone());
        arg.name = literals::name_hint(name);
        if let Some(dict) = parts.next().filter(|p| p.as_rule() == Rule::attr_dict) {
            arg.attributes = self.attr_dict(dict).unwrap_or_default();
        }
        let value = Value::Arg(func.args.len() as u32);
        func.args.push(arg);
        self.define(scope, name, value, 1, loc);
    }

    fn define(&mut self, scope: &mut Scope, name: &str, value: Value, count: u32, loc: Location) {
        if let Some((_, _, prev)) = scope.defs.get(name) {
            let d = Diagnostic::error(Some(loc), format!("redefinition of SSA value '{name}'"))
                .with_note(Some(prev.clone()), "previously defined here");
            self.diags.push(d);
            return;
        }
        scope.defs.insert(name.to_string(), (value, count, loc));
    }

    fn op(&mut self, pair: Pair<Rule>, func: &mut Function, scope: &mut Scope, pending: &mut Vec<PendingUse>) {
        let loc = self.loc(&pair);
        let mut groups = Vec::new();
        let mut body = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::op_results => {
                    for g in child.into_inner() {
                        let mut parts = g.into_inner();
                        let name = parts.next().expect("result name").as_str().to_string();
                        let count = parts.next().map_or(Some(1), |c| c.as_str().parse::<u32>().ok().filter(|&n| n > 0));
                        let Some(count) = count else {
                            self.error(loc.clone(), format!("invalid result count for '{name}'"));
                            return;
                        };
                        groups.push((name, count));
                    }
                }
                Rule::trailing_loc => {}
                _ => body = Some(child),
            }
        }
        let body = body.expect("op body");
        let parsed = match body.as_rule() {
            Rule::generic_op => self.generic_op(body),
            Rule::constant_op => self.constant_op(body),
            Rule::scast_op => self.scast_op(body),
            Rule::return_op => self.return_op(body),
            r => unreachable!("unexpected op rule {r:?}"),
        };
        let Some(ParsedOp { op, operands }) = parsed else {
            scope.poisoned.extend(groups.into_iter().map(|(name, _)| name));
            return;
        };
        let defined: u32 = groups.iter().map(|(_, n)| n).sum();
        if defined as usize != op.results.len() {
            self.error(
                loc,
                format!("operation defines {} results but was provided {defined} to bind", op.results.len()),
            );
            return;
        }
        let mut op = op.with_loc(Some(loc.clone()));
        // One group names the op's results: `%w = ...` or `%pair:2 = ...`.
        if let [(name, _)] = groups.as_slice() {
            op.result_names[0] = literals::name_hint(name);
        }
        let id = func.push_op(op);
        let mut first = 0;
        for (name, count) in groups {
            self.define(scope, &name, Value::Result(id, first), count, loc.clone());
            first += count;
        }
        for (operand, (name, index, declared, loc)) in operands.into_iter().enumerate() {
            pending.push(PendingUse { op: id, operand, name, index, declared, loc });
        }
    }

    fn resolve_uses(&mut self, func: &mut Function, scope: &Scope, pending: Vec<PendingUse>) {
        let mut operands: HashMap<OpId, Vec<Option<Value>>> = HashMap::new();
        for u in pending {
            let slot = operands.entry(u.op).or_default();
            if slot.len() <= u.operand {
                slot.resize(u.operand + 1, None);
            }
            let Some((first, count, def_loc)) = scope.defs.get(&u.name) else {
                if scope.poisoned.contains(&u.name) {
                    continue;
                }
                self.error(u.loc, format!("use of undeclared SSA value name '{}'", u.name));
                continue;
            };
            if u.index >= *count {
                self.error(u.loc, format!("'{}' has {count} result(s), no result #{}", u.name, u.index));
                continue;
            }
            let value = match *first {
                Value::Result(op, r) => Value::Result(op, r + u.index),
                arg => arg,
            };
            if let Some(declared) = &u.declared {
                let actual = func.value_type(value);
                if actual != declared {
                    let d = Diagnostic::error(
                        Some(u.loc),
                        format!("use of value '{}' expects type '{declared}' but it has type '{actual}'", u.name),
                    )
                    .with_note(Some(def_loc.clone()), "prior definition here");
                    self.diags.push(d);
                    continue;
                }
            }
            operands.get_mut(&u.op).expect("slot created above")[u.operand] = Some(value);
        }
        for (op, values) in operands {
            // Ops with unresolved operands stay operand-less; the errors stop the parse.
            if let Some(values) = values.into_iter().collect::<Option<Vec<_>>>() {
                func.set_operands(op, values);
            }
        }
    }
}

/// An op read from text whose operands are still names.
struct ParsedOp {
    op: Operation,
    /// (name, result index, declared type, location) per operand.
    operands: Vec<(String, u32, Option<Type>, Location)>,
}

impl ModuleParser<'_> {
    fn value_list(&mut self, pair: Pair<Rule>) -> Vec<(String, u32, Location)> {
        pair.into_inner()
            .map(|u| {
                let loc = self.loc(&u);
                let text = u.as_str();
                match text.split_once('#') {
                    Some((name, idx)) => (name.to_string(), idx.parse().unwrap_or(u32::MAX), loc),
                    None => (text.to_string(), 0, loc),
                }
            })
            .collect()
    }

    fn generic_op(&mut self, pair: Pair<Rule>) -> Option<ParsedOp> {
        let mut parts = pair.into_inner();
        let name_pair = parts.next().expect("op name");
        let name = literals::unescape_string(name_pair.as_str());
        if !name.contains('.') {
            let loc = self.loc(&name_pair);
            self.error(loc, format!("operation name '{name}' must be 'dialect.op'"));
            return None;
        }
        let mut uses = Vec::new();
        let mut attributes = Attributes::new();
        let mut fn_type = None;
        for child in parts {
            match child.as_rule() {
                Rule::value_list => uses = self.value_list(child),
                Rule::properties | Rule::attr_dict => {
                    let dict = if child.as_rule() == Rule::properties {
                        child.into_inner().next().expect("dict")
                    } else {
                        child
                    };
                    attributes.extend(self.attr_dict(dict)?);
                }
                Rule::function_type => fn_type = Some(child),
                _ => {}
            }
        }
        let fn_type = fn_type.expect("generic op has a function type");
        let fn_loc = self.loc(&fn_type);
        let (inputs, results) = self.function_type(fn_type)?;
        if inputs.len() != uses.len() {
            self.error(fn_loc, format!("expected {} operand types but had {}", uses.len(), inputs.len()));
            return None;
        }
        let operands =
            uses.into_iter().zip(inputs).map(|((name, idx, loc), ty)| (name, idx, Some(ty), loc)).collect();
        let mut op = Operation::new(name, Vec::new(), results);
        op.attributes = attributes;
        Some(ParsedOp { op, operands })
    }

    fn constant_op(&mut self, pair: Pair<Rule>) -> Option<ParsedOp> {
        let loc = self.loc(&pair);
        let mut attributes = Attributes::new();
        let mut value = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::attr_dict => attributes = self.attr_dict(child)?,
                _ => value = Some(self.attr_value(child)?),
            }
        }
        let value = value.expect("constant value");
        let ty = match &value {
            Attribute::Dense(d) => Type::Tensor(d.ty().clone()),
            Attribute::Int { ty, .. } | Attribute::Float { ty, .. } => Type::Scalar(ty.clone()),
            other => {
                self.error(loc, format!("arith.constant needs a typed value, got a {} attribute", other.kind()));
                return None;
            }
        };
        attributes.insert("value".into(), value);
        let mut op = Operation::new("arith.constant", Vec::new(), vec![ty]);
        op.attributes = attributes;
        Some(ParsedOp { op, operands: Vec::new() })
    }

    /// `quant.scast %v {attrs} : from to to`: the same op as its generic form.
    fn scast_op(&mut self, pair: Pair<Rule>) -> Option<ParsedOp> {
        let mut parts = pair.into_inner();
        let operand = parts.next().expect("scast operand");
        let loc = self.loc(&operand);
        let (name, index) = match operand.as_str().split_once('#') {
            Some((name, idx)) => (name.to_string(), idx.parse().unwrap_or(u32::MAX)),
            None => (operand.as_str().to_string(), 0),
        };
        let mut attributes = Attributes::new();
        let mut types = Vec::new();
        for child in parts {
            match child.as_rule() {
                Rule::attr_dict => attributes = self.attr_dict(child)?,
                _ => types.push(self.type_(child)?),
            }
        }
        let Ok([from, to]) = <[Type; 2]>::try_from(types) else { unreachable!("the grammar reads two types") };
        let mut op = Operation::new("quant.scast", Vec::new(), vec![to]);
        op.attributes = attributes;
        Some(ParsedOp { op, operands: vec![(name, index, Some(from), loc)] })
    }

    fn return_op(&mut self, pair: Pair<Rule>) -> Option<ParsedOp> {
        let loc = self.loc(&pair);
        let mut uses = Vec::new();
        let mut types = Vec::new();
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::value_list => uses = self.value_list(child),
                Rule::type_list => types = self.type_list(child)?,
                _ => {}
            }
        }
        if uses.len() != types.len() {
            self.error(loc, format!("return lists {} values but {} types", uses.len(), types.len()));
            return None;
        }
        let operands = uses.into_iter().zip(types).map(|((n, i, l), t)| (n, i, Some(t), l)).collect();
        Some(ParsedOp { op: Operation::new("func.return", Vec::new(), Vec::new()), operands })
    }

    // ---- Types ---------------------------------------------------------------

    fn type_list(&mut self, pair: Pair<Rule>) -> Option<Vec<Type>> {
        pair.into_inner().map(|t| self.type_(t)).collect()
    }

    fn function_type(&mut self, pair: Pair<Rule>) -> Option<(Vec<Type>, Vec<Type>)> {
        // `() -> ()` has no children, so sides are told apart by the arrow's offset.
        let arrow = pair.as_span().start() + pair.as_str().find("->").expect("function type has an arrow");
        let mut inputs = Vec::new();
        let mut results = Vec::new();
        for c in pair.into_inner() {
            let is_input = c.as_span().start() < arrow;
            let types = match c.as_rule() {
                Rule::type_list => self.type_list(c)?,
                _ => vec![self.type_(c)?],
            };
            if is_input {
                inputs = types;
            } else {
                results = types;
            }
        }
        Some((inputs, results))
    }
}

impl ModuleParser<'_> {
    fn type_(&mut self, pair: Pair<Rule>) -> Option<Type> {
        let inner = pair.into_inner().next().expect("type alternative");
        match inner.as_rule() {
            Rule::tensor_type => {
                let loc = self.loc(&inner);
                let mut parts = inner.into_inner();
                let dims = parts.next().expect("dims").as_str();
                let mut shape = Vec::new();
                for d in dims.split('x').filter(|d| !d.is_empty()) {
                    if d == "?" {
                        shape.push(None);
                    } else {
                        match d.parse::<i64>() {
                            Ok(n) => shape.push(Some(n)),
                            Err(_) => {
                                self.error(loc, format!("tensor dimension '{d}' is too large"));
                                return None;
                            }
                        }
                    }
                }
                let element = self.element_type(parts.next().expect("element type"))?;
                let ty = TensorType { shape, element };
                // Refused here, before a splat of it could be expanded anywhere.
                if let Some(problem) = ty.size_problem() {
                    self.error(loc, problem);
                    return None;
                }
                Some(Type::Tensor(ty))
            }
            Rule::element_type => Some(Type::Scalar(self.element_type(inner)?)),
            Rule::none_type => {
                let loc = self.loc(&inner);
                self.error(loc, "the 'none' type is not supported");
                None
            }
            r => unreachable!("type rule {r:?}"),
        }
    }

    fn element_type(&mut self, pair: Pair<Rule>) -> Option<ElementType> {
        let inner = pair.into_inner().next().expect("element alternative");
        let loc = self.loc(&inner);
        let text = inner.as_str();
        match inner.as_rule() {
            Rule::float_type => Some(literals::float_type(text)),
            Rule::index_type => Some(ElementType::Index),
            Rule::int_type => {
                let (signedness, digits) = literals::split_int_type(text);
                match digits.parse::<u32>() {
                    Ok(width @ 1..=64) => Some(ElementType::Int { width, signedness }),
                    _ => {
                        self.error(loc, format!("integer type '{text}' must have a width between 1 and 64"));
                        None
                    }
                }
            }
            Rule::quant_type => self.quant_type(inner).map(|q| ElementType::Quant(Box::new(q))),
            r => unreachable!("element rule {r:?}"),
        }
    }

    fn quant_type(&mut self, pair: Pair<Rule>) -> Option<QuantType> {
        let loc = self.loc(&pair);
        let mut storage_signed = false;
        let mut storage_width = 0;
        let mut storage_range = None;
        let mut expressed = ElementType::F32;
        let mut axis = None;
        let mut params = Vec::new();
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::quant_storage => {
                    let text = part.as_str();
                    storage_signed = text.starts_with('i');
                    storage_width = text[1..].parse().unwrap_or(0);
                }
                Rule::storage_range => {
                    let mut ends = part.into_inner().map(|p| p.as_str().parse::<i64>().ok());
                    match (ends.next().flatten(), ends.next().flatten()) {
                        (Some(lo), Some(hi)) => storage_range = Some((lo, hi)),
                        _ => {
                            self.error(loc, "storage range bounds are out of range");
                            return None;
                        }
                    }
                }
                Rule::float_type => expressed = literals::float_type(part.as_str()),
                Rule::quant_axis => axis = part.into_inner().next().and_then(|p| p.as_str().parse::<i64>().ok()),
                Rule::quant_params => {
                    for sz in part.into_inner() {
                        let mut it = sz.into_inner();
                        let scale = literals::parse_f64(it.next().expect("scale").as_str());
                        let zp = it.next().map_or(Some(0), |z| z.as_str().parse::<i64>().ok());
                        match (scale, zp) {
                            (Some(s), Some(z)) => params.push((s, z)),
                            _ => {
                                self.error(loc, "invalid quantization scale or zero point");
                                return None;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if !(2..=32).contains(&storage_width) {
            self.error(loc, format!("quantized storage width must be between 2 and 32, got {storage_width}"));
            return None;
        }
        let q = QuantType {
            storage_signed,
            storage_width,
            storage_range,
            expressed,
            params: match axis {
                None if params.len() == 1 => QuantParams::PerTensor { scale: params[0].0, zero_point: params[0].1 },
                None => {
                    self.error(loc, "per-tensor quantized type needs exactly one scale (per-axis types write ':axis')");
                    return None;
                }
                Some(axis) => QuantParams::PerAxis {
                    axis,
                    scales: params.iter().map(|p| p.0).collect(),
                    zero_points: params.iter().map(|p| p.1).collect(),
                },
            },
        };
        let (lo, hi) = q.storage_min_max();
        let scales_ok = match &q.params {
            QuantParams::PerTensor { scale, zero_point } => *scale > 0.0 && (lo..=hi).contains(zero_point),
            QuantParams::PerAxis { scales, zero_points, .. } => {
                scales.iter().all(|s| *s > 0.0) && zero_points.iter().all(|z| (lo..=hi).contains(z))
            }
        };
        if !scales_ok {
            self.error(loc, format!("quantized type needs positive scales and zero points within [{lo}, {hi}]"));
            return None;
        }
        Some(q)
    }

    // ---- Attributes ----------------------------------------------------------

    fn attr_dict(&mut self, pair: Pair<Rule>) -> Option<Attributes> {
        let mut dict = Attributes::new();
        for entry in pair.into_inner() {
            let loc = self.loc(&entry);
            let mut parts = entry.into_inner();
            let name_pair = parts.next().expect("attr name").into_inner().next().expect("name alternative");
            let name = match name_pair.as_rule() {
                Rule::string_lit => literals::unescape_string(name_pair.as_str()),
                _ => name_pair.as_str().to_string(),
            };
            let value = match parts.next() {
                Some(v) => self.attr_value(v)?,
                None => Attribute::Unit,
            };
            if dict.insert(name.clone(), value).is_some() {
                self.error(loc, format!("duplicate attribute '{name}'"));
                return None;
            }
        }
        Some(dict)
    }

    fn attr_value(&mut self, pair: Pair<Rule>) -> Option<Attribute> {
        let inner = pair.into_inner().next().expect("attribute alternative");
        let loc = self.loc(&inner);
        match inner.as_rule() {
            Rule::dense_attr => self.dense_attr(inner),
            Rule::resource_attr => self.resource_attr(inner),
            Rule::array_attr => {
                let mut parts = inner.into_inner();
                let element = self.element_type(parts.next().expect("array element type"))?;
                if element != ElementType::I64 {
                    self.error(loc, format!("only array<i64: ...> is supported, not array<{element}>"));
                    return None;
                }
                let mut values = Vec::new();
                for n in parts {
                    match literals::parse_i64(n.as_str()) {
                        Some(v) => values.push(v),
                        None => {
                            let loc = self.loc(&n);
                            self.error(loc, format!("expected a 64-bit integer, found '{}'", n.as_str()));
                            return None;
                        }
                    }
                }
                Some(Attribute::DenseI64Array(values))
            }
            Rule::list_attr => {
                let items: Option<Vec<_>> = inner.into_inner().map(|v| self.attr_value(v)).collect();
                Some(Attribute::Array(items?))
            }
            Rule::attr_dict => Some(Attribute::Dict(self.attr_dict(inner)?)),
            Rule::bool_attr => Some(Attribute::Bool(inner.as_str() == "true")),
            Rule::unit_attr => Some(Attribute::Unit),
            Rule::number_attr => {
                let mut parts = inner.into_inner();
                let number = parts.next().expect("number");
                let ty = match parts.next() {
                    Some(t) => Some(self.type_(t)?),
                    None => None,
                };
                self.number_attr(number.as_str(), ty, loc)
            }
            Rule::string_attr => {
                let mut parts = inner.into_inner();
                let s = literals::unescape_string(parts.next().expect("string").as_str());
                if parts.next().is_some() {
                    self.error(loc, "typed string attributes are not supported");
                    return None;
                }
                Some(Attribute::String(s))
            }
            Rule::type_ => Some(Attribute::Type(self.type_(inner)?)),
            Rule::fn_type_attr => {
                self.error(loc, "function types are supported only as a generic func.func's 'function_type'");
                None
            }
            r => unreachable!("attribute rule {r:?}"),
        }
    }

    fn number_attr(&mut self, text: &str, ty: Option<Type>, loc: Location) -> Option<Attribute> {
        let element = match ty {
            None if literals::is_float_text(text) => ElementType::F64,
            None => ElementType::I64,
            Some(Type::Scalar(e)) => e,
            Some(t) => {
                self.error(loc, format!("a number cannot have type '{t}'"));
                return None;
            }
        };
        if element.is_float() {
            match literals::parse_float_as(text, &element) {
                Some(value) => Some(Attribute::Float { value, ty: element }),
                None => {
                    self.error(loc, format!("'{text}' is not a valid {element} literal"));
                    None
                }
            }
        } else if element.is_integer() || element == ElementType::Index {
            match literals::parse_i64(text).filter(|v| literals::fits(*v, &element)) {
                Some(value) => Some(Attribute::Int { value, ty: element }),
                None => {
                    self.error(loc, format!("'{text}' is not a valid {element} integer"));
                    None
                }
            }
        } else {
            self.error(loc, format!("a number cannot have type '{element}'"));
            None
        }
    }

    fn tensor_type_of(&mut self, pair: Pair<Rule>, what: &str) -> Option<TensorType> {
        let loc = self.loc(&pair);
        match self.type_(pair)? {
            Type::Tensor(t) => {
                if t.static_shape().is_none() {
                    self.error(loc, format!("{what} needs a static shape, got '{t}'"));
                    return None;
                }
                if t.num_elements().is_none() || t.shape.iter().any(|d| d.is_some_and(|d| d < 0)) {
                    self.error(loc, format!("number of elements of '{t}' is out of range"));
                    return None;
                }
                if StorageKind::of(&t.element).is_none() {
                    self.error(loc, format!("{what} of element type '{}' are not supported", t.element));
                    return None;
                }
                Some(t)
            }
            t => {
                self.error(loc, format!("{what} need a tensor type, got '{t}'"));
                None
            }
        }
    }

    fn dense_attr(&mut self, pair: Pair<Rule>) -> Option<Attribute> {
        let loc = self.loc(&pair);
        let mut body = None;
        let mut ty = None;
        for child in pair.into_inner() {
            match child.as_rule() {
                Rule::dense_body => body = child.into_inner().next(),
                _ => ty = Some(child),
            }
        }
        let ty = self.tensor_type_of(ty.expect("dense type"), "dense elements")?;
        let kind = StorageKind::of(&ty.element).expect("checked by tensor_type_of");
        let n = ty.num_elements().expect("checked by tensor_type_of");
        let data = match body {
            None if n == 0 => kind.from_i64s(&[]),
            None => {
                self.error(loc, format!("empty dense<> for '{ty}' with {n} elements"));
                return None;
            }
            Some(b) if b.as_rule() == Rule::hex_string => {
                let bytes = self.hex_blob(&b)?;
                let w = kind.byte_width() as u64;
                if bytes.len() as u64 != n * w && bytes.len() as u64 != w {
                    self.error(loc, format!("hex data holds {} bytes but '{ty}' needs {}", bytes.len(), n * w));
                    return None;
                }
                kind.decode_le(&bytes)
            }
            Some(b) => {
                let mut values = Vec::new();
                let splat = b.as_rule() == Rule::dense_scalar;
                if splat {
                    values.push(b);
                } else if !self.dense_list(b, &ty, 0, &mut values) {
                    return None;
                }
                self.dense_values(values, &ty, kind)?
            }
        };
        match DenseElements::new(ty, data) {
            Ok(d) => Some(Attribute::Dense(d)),
            Err(msg) => {
                self.error(loc, msg);
                None
            }
        }
    }

    /// Flattens a nested `[..]` list, checking its nesting against the shape.
    fn dense_list<'i>(&mut self, list: Pair<'i, Rule>, ty: &TensorType, depth: usize, out: &mut Vec<Pair<'i, Rule>>) -> bool {
        let loc = self.loc(&list);
        let items: Vec<_> = list.into_inner().map(|e| e.into_inner().next().expect("dense element")).collect();
        let Some(Some(expected)) = ty.shape.get(depth).copied() else {
            self.error(loc, format!("dense list is nested deeper than the rank of '{ty}'"));
            return false;
        };
        if items.len() as i64 != expected {
            self.error(loc, format!("dense list has {} elements at depth {depth}, but '{ty}' needs {expected}", items.len()));
            return false;
        }
        for item in items {
            let is_list = item.as_rule() == Rule::dense_list;
            if is_list != (depth + 1 < ty.rank()) {
                let loc = self.loc(&item);
                self.error(loc, format!("dense list nesting does not match the shape of '{ty}'"));
                return false;
            }
            if is_list {
                if !self.dense_list(item, ty, depth + 1, out) {
                    return false;
                }
            } else {
                out.push(item);
            }
        }
        true
    }

    fn dense_values(&mut self, scalars: Vec<Pair<Rule>>, ty: &TensorType, kind: StorageKind) -> Option<DenseData> {
        if kind.is_float() {
            let mut values = Vec::with_capacity(scalars.len());
            for s in scalars {
                match literals::parse_float_as(s.as_str(), &ty.element) {
                    Some(v) => values.push(v),
                    None => {
                        let loc = self.loc(&s);
                        self.error(loc, format!("'{}' is not a valid {} literal", s.as_str(), ty.element));
                        return None;
                    }
                }
            }
            Some(kind.from_f64s(&values))
        } else {
            let mut values = Vec::with_capacity(scalars.len());
            for s in scalars {
                let v = match s.as_str() {
                    "true" => Some(1),
                    "false" => Some(0),
                    t => literals::parse_i64(t),
                };
                match v.filter(|v| literals::fits(*v, &ty.element)) {
                    Some(v) => values.push(v),
                    None => {
                        let loc = self.loc(&s);
                        self.error(loc, format!("'{}' is not a valid {} value", s.as_str(), ty.element));
                        return None;
                    }
                }
            }
            Some(kind.from_i64s(&values))
        }
    }

    fn resource_attr(&mut self, pair: Pair<Rule>) -> Option<Attribute> {
        let mut parts = pair.into_inner();
        let key_pair = parts.next().expect("resource key");
        let key_loc = self.loc(&key_pair);
        let key = literals::resource_key(key_pair);
        let ty = self.tensor_type_of(parts.next().expect("resource type"), "resources")?;
        let Some(blob) = self.resources.get(&key) else {
            self.error(key_loc, format!("unknown resource '{key}': no such key in the 'dialect_resources' section"));
            return None;
        };
        let kind = StorageKind::of(&ty.element).expect("checked by tensor_type_of");
        let payload = &blob.bytes[4..];
        let expected = ty.num_elements().expect("static") * kind.byte_width() as u64;
        if payload.len() as u64 != expected {
            let d = Diagnostic::error(
                Some(key_loc),
                format!("resource '{key}' holds {} bytes but '{ty}' needs {expected}", payload.len()),
            )
            .with_note(Some(blob.loc.clone()), "resource defined here");
            self.diags.push(d);
            return None;
        }
        let data = kind.decode_le(payload);
        let dense = DenseElements::new(ty, data).expect("size checked above").with_resource(key);
        Some(Attribute::Dense(dense))
    }
}
