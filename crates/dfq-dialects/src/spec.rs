//! The schema of `dialects/*.toml`.
//!
//! build.rs includes this file (`#[path]`) to read the TOML and generate the op
//! definitions and accessors; the library uses it to render the dialect docs. So it
//! depends on nothing but serde and std.

use serde::Deserialize;

/// One `dialects/<name>.toml` file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialectSpec {
    pub dialect: DialectInfo,
    #[serde(rename = "op", default)]
    pub ops: Vec<OpSpec>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DialectInfo {
    pub name: String,
    pub summary: String,
    #[serde(default)]
    pub description: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OpSpec {
    /// The name without the dialect prefix: `conv2d` in `nn.conv2d`.
    pub name: String,
    pub summary: String,
    pub description: String,
    #[serde(default)]
    pub operands: Vec<OperandSpec>,
    #[serde(default)]
    pub results: Vec<ResultSpec>,
    #[serde(default)]
    pub attributes: Vec<AttrSpec>,
    #[serde(default)]
    pub traits: Vec<Trait>,
    /// The hand-written rule that computes the result types.
    pub infer: InferRule,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OperandSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub constraint: TypeConstraint,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub optional: bool,
    #[serde(default)]
    pub variadic: bool,
    /// The fewest values a variadic operand takes.
    #[serde(default)]
    pub min_count: usize,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ResultSpec {
    pub name: String,
    #[serde(rename = "type")]
    pub constraint: TypeConstraint,
    #[serde(default)]
    pub description: String,
}

/// An attribute is required, has a default, or (neither) is optional.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AttrSpec {
    pub name: String,
    pub kind: AttrKind,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub required: bool,
    pub default: Option<DefaultValue>,
}

/// A default as TOML spells it; its kind is checked against the attribute's.
#[derive(Clone, Debug, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum DefaultValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    IntArray(Vec<i64>),
}

/// What an attribute holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttrKind {
    I64,
    F32,
    Bool,
    String,
    I64Array,
    /// A typed constant: `dense<..> : tensor<..>`, or a number with its type.
    Elements,
}

impl AttrKind {
    /// The kind as diagnostics and docs spell it.
    pub fn mlir_name(self) -> &'static str {
        match self {
            AttrKind::I64 => "i64",
            AttrKind::F32 => "f32",
            AttrKind::Bool => "bool",
            AttrKind::String => "string",
            AttrKind::I64Array => "array<i64>",
            AttrKind::Elements => "typed elements",
        }
    }

    fn accepts_default(self, value: &DefaultValue) -> bool {
        matches!(
            (self, value),
            (AttrKind::I64, DefaultValue::Int(_))
                | (AttrKind::F32, DefaultValue::Float(_))
                | (AttrKind::Bool, DefaultValue::Bool(_))
                | (AttrKind::String, DefaultValue::Str(_))
                | (AttrKind::I64Array, DefaultValue::IntArray(_))
        )
    }
}

/// Properties of an op that passes may rely on. Spelled as MLIR spells its traits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
pub enum Trait {
    /// No side effects: an unused op may be removed, equal ops merged.
    Pure,
    /// Operands may be swapped.
    Commutative,
    /// Applies independently to each element (after broadcasting).
    Elementwise,
    /// Ends the function body.
    Terminator,
    /// Produces a compile-time constant.
    ConstantLike,
    SameOperandsAndResultShape,
    SameOperandsAndResultElementType,
    SameOperandsAndResultType,
    /// f(s ⊙ x) = s ⊙ f(x) for every positive per-channel (axis 1) scale s:
    /// cross-layer equalization may scale channels through the op.
    ScaleEquivariant,
}

impl Trait {
    pub fn description(self) -> &'static str {
        match self {
            Trait::Pure => "no side effects",
            Trait::Commutative => "operands may be swapped",
            Trait::Elementwise => "applies to each element independently (after broadcasting)",
            Trait::Terminator => "ends the function body",
            Trait::ConstantLike => "produces a compile-time constant",
            Trait::SameOperandsAndResultShape => "all operands and results have the same shape",
            Trait::SameOperandsAndResultElementType => "all operands and results have the same element type",
            Trait::SameOperandsAndResultType => "all operands and results have the same type",
            Trait::ScaleEquivariant => {
                "f(s·x) = s·f(x) for any positive per-channel scale s, so channel scaling passes through"
            }
        }
    }
}

/// The types an operand or result may have.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TypeConstraint {
    Any,
    AnyTensor,
    FloatTensor,
    /// A float tensor or a float scalar (`f32`).
    FloatTensorOrScalar,
    /// A tensor of any `!quant.uniform` type, per-tensor or per-axis.
    QuantTensor,
    /// A per-tensor `!quant.uniform` tensor with 8-bit storage (`u8` or `i8`).
    Quant8Tensor,
    /// A `!quant.uniform` tensor with `i8` storage, per-tensor or per-axis on axis 0.
    QuantI8Weight,
    /// A tensor of 32-bit integers (`i32` or `si32`), not quantized.
    I32Tensor,
}

impl TypeConstraint {
    pub fn description(self) -> &'static str {
        match self {
            TypeConstraint::Any => "any type",
            TypeConstraint::AnyTensor => "tensor of any element type",
            TypeConstraint::FloatTensor => "tensor of floats",
            TypeConstraint::FloatTensorOrScalar => "tensor of floats or a float scalar",
            TypeConstraint::QuantTensor => "tensor of !quant.uniform",
            TypeConstraint::Quant8Tensor => "tensor of per-tensor !quant.uniform with u8 or i8 storage",
            TypeConstraint::QuantI8Weight => {
                "tensor of !quant.uniform with i8 storage, per-tensor or per-axis on axis 0"
            }
            TypeConstraint::I32Tensor => "tensor of i32",
        }
    }

    /// Results of this constraint carry a quantization that the op's builder chooses.
    pub fn is_quantized(self) -> bool {
        matches!(self, TypeConstraint::QuantTensor | TypeConstraint::Quant8Tensor | TypeConstraint::QuantI8Weight)
    }
}

/// The semantic functions that compute result types (`src/shapes.rs`). Ops with the
/// same typing rule share one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum InferRule {
    /// No results.
    None,
    /// The result has the input's shape.
    SameAsInput,
    Softmax,
    Conv2d,
    BatchNorm,
    Clip,
    /// `qnn.channel_clamp`: the input's type, one bound pair per axis-1 index.
    ChannelClamp,
    Prelu,
    /// Numpy (multidirectional) broadcasting of two operands.
    Broadcast,
    Concat,
    Pool2d,
    GlobalPool,
    Flatten,
    Reshape,
    Linear,
    Quantize,
    Dequantize,
    Constant,
    /// `quant.scast`: storage integers ↔ their quantized type.
    StorageCast,
}

impl DialectSpec {
    /// Checks what serde cannot: names, operand layout, defaults. `file_stem` is the
    /// TOML file's name, which must be the dialect's.
    pub fn validate(&self, file_stem: &str) -> Result<(), String> {
        let dialect = &self.dialect.name;
        if dialect != file_stem {
            return Err(format!("dialect '{dialect}' must be declared in '{dialect}.toml', not '{file_stem}.toml'"));
        }
        let mut seen = std::collections::HashSet::new();
        for op in &self.ops {
            let full = format!("{dialect}.{}", op.name);
            if !is_snake_case(&op.name) {
                return Err(format!("op name '{full}' must be snake_case"));
            }
            if !seen.insert(&op.name) {
                return Err(format!("op '{full}' is declared twice"));
            }
            op.validate().map_err(|e| format!("op '{full}': {e}"))?;
        }
        Ok(())
    }
}

/// Accessor names every generated op view has; operands, results and attributes
/// must not take them.
const RESERVED_NAMES: &[&str] = &["cast", "id", "op", "func", "operands", "results"];

impl OpSpec {
    fn validate(&self) -> Result<(), String> {
        let mut names = std::collections::HashSet::new();
        let all_names = self
            .operands
            .iter()
            .map(|o| &o.name)
            .chain(self.results.iter().map(|r| &r.name))
            .chain(self.attributes.iter().map(|a| &a.name));
        for name in all_names {
            if !is_snake_case(name) || RESERVED_NAMES.contains(&name.as_str()) {
                return Err(format!(
                    "'{name}' is not a usable accessor name (snake_case, not one of {RESERVED_NAMES:?})"
                ));
            }
            if !names.insert(name) {
                return Err(format!("the name '{name}' is used twice"));
            }
        }
        self.validate_operand_layout()?;
        for attr in &self.attributes {
            match (&attr.default, attr.required) {
                (Some(_), true) => return Err(format!("attribute '{}' is required and has a default", attr.name)),
                (Some(d), false) if !attr.kind.accepts_default(d) => {
                    return Err(format!(
                        "the default of attribute '{}' is not of kind {}",
                        attr.name,
                        attr.kind.mlir_name()
                    ))
                }
                (Some(_), false) if attr.kind == AttrKind::Elements => {
                    return Err(format!("attribute '{}' of kind elements cannot have a default", attr.name))
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Optional operands come last; a variadic one is alone in its op's layout
    /// (fixed operands may surround it, optional ones may not), so every operand's
    /// position follows from the operand count.
    fn validate_operand_layout(&self) -> Result<(), String> {
        let variadic = self.operands.iter().filter(|o| o.variadic).count();
        let optional = self.operands.iter().filter(|o| o.optional).count();
        if self.operands.iter().any(|o| o.variadic && o.optional) {
            return Err("an operand cannot be both optional and variadic".into());
        }
        if variadic > 1 {
            return Err("at most one operand may be variadic".into());
        }
        if self.operands.iter().any(|o| o.min_count > 0 && !o.variadic) {
            return Err("only a variadic operand has a min_count".into());
        }
        if variadic == 1 && optional > 0 {
            return Err("an op with a variadic operand cannot have optional operands".into());
        }
        let first_optional = self.operands.iter().position(|o| o.optional).unwrap_or(self.operands.len());
        if self.operands[first_optional..].iter().any(|o| !o.optional) {
            return Err("optional operands must come after all others".into());
        }
        Ok(())
    }
}

fn is_snake_case(s: &str) -> bool {
    s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
