//! Types: tensors, scalars, and MLIR's `!quant.uniform` element types.

use std::fmt;

/// Signedness of an integer type, as MLIR spells it: `i8` (signless), `si8`, `ui8`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Signedness {
    Signless,
    Signed,
    Unsigned,
}

/// A scalar (element) type.
#[derive(Clone, Debug, PartialEq)]
pub enum ElementType {
    F16,
    BF16,
    F32,
    F64,
    Int { width: u32, signedness: Signedness },
    Index,
    Quant(Box<QuantType>),
}

impl ElementType {
    pub const I1: ElementType = ElementType::int(1);
    pub const I8: ElementType = ElementType::int(8);
    pub const I32: ElementType = ElementType::int(32);
    pub const I64: ElementType = ElementType::int(64);
    pub const SI8: ElementType = ElementType::Int { width: 8, signedness: Signedness::Signed };
    pub const UI8: ElementType = ElementType::Int { width: 8, signedness: Signedness::Unsigned };

    pub const fn int(width: u32) -> ElementType {
        ElementType::Int { width, signedness: Signedness::Signless }
    }

    pub fn is_float(&self) -> bool {
        matches!(self, ElementType::F16 | ElementType::BF16 | ElementType::F32 | ElementType::F64)
    }

    pub fn is_integer(&self) -> bool {
        matches!(self, ElementType::Int { .. })
    }

    pub fn as_quant(&self) -> Option<&QuantType> {
        match self {
            ElementType::Quant(q) => Some(q),
            _ => None,
        }
    }

    /// Bytes one element occupies in a dense constant (quantized types use their storage type).
    pub fn storage_bytes(&self) -> Option<usize> {
        match self {
            ElementType::F16 | ElementType::BF16 => Some(2),
            ElementType::F32 => Some(4),
            ElementType::F64 | ElementType::Index => Some(8),
            ElementType::Int { width, .. } => Some(match width {
                1..=8 => 1,
                9..=16 => 2,
                17..=32 => 4,
                33..=64 => 8,
                _ => return None,
            }),
            ElementType::Quant(q) => ElementType::Int { width: q.storage_width, signedness: q.storage_signedness() }
                .storage_bytes(),
        }
    }
}

/// `!quant.uniform<storage:expressed, params>`: MLIR's uniform quantized type.
#[derive(Clone, Debug, PartialEq)]
pub struct QuantType {
    pub storage_signed: bool,
    pub storage_width: u32,
    /// Optional narrowed storage range, `<i8<-127:127>:f32, ..>`.
    pub storage_range: Option<(i64, i64)>,
    pub expressed: ElementType,
    pub params: QuantParams,
}

#[derive(Clone, Debug, PartialEq)]
pub enum QuantParams {
    PerTensor { scale: f64, zero_point: i64 },
    PerAxis { axis: i64, scales: Vec<f64>, zero_points: Vec<i64> },
}

impl QuantType {
    fn storage_signedness(&self) -> Signedness {
        if self.storage_signed {
            Signedness::Signed
        } else {
            Signedness::Unsigned
        }
    }

    /// The integer range values of this type may take.
    pub fn storage_min_max(&self) -> (i64, i64) {
        if let Some(r) = self.storage_range {
            return r;
        }
        let w = self.storage_width.min(63);
        if self.storage_signed {
            (-(1i64 << (w - 1)), (1i64 << (w - 1)) - 1)
        } else {
            (0, (1i64 << w) - 1)
        }
    }
}

/// The most elements a tensor may have (2^31, 8 GiB of f32): far beyond any
/// model dfq quantizes, and small enough that element counts and byte sizes fit
/// every index type the kernels use.
pub const MAX_TENSOR_ELEMENTS: u64 = 1 << 31;

/// A value's type.
#[derive(Clone, Debug, PartialEq)]
pub enum Type {
    /// A ranked tensor. Dynamic dimensions are `None` (`?` in text).
    Tensor(TensorType),
    Scalar(ElementType),
}

#[derive(Clone, Debug, PartialEq)]
pub struct TensorType {
    pub shape: Vec<Option<i64>>,
    pub element: ElementType,
}

impl TensorType {
    pub fn new(shape: &[i64], element: ElementType) -> TensorType {
        TensorType { shape: shape.iter().map(|&d| Some(d)).collect(), element }
    }

    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// The static shape, or `None` if any dimension is dynamic.
    pub fn static_shape(&self) -> Option<Vec<i64>> {
        self.shape.iter().copied().collect()
    }

    /// Why this type is too large for dfq, if it is: the product of its static
    /// dimensions overflows, or exceeds [`MAX_TENSOR_ELEMENTS`]. Checked by the
    /// parser and the verifier so that no later stage allocates (or multiplies
    /// out) an absurd shape.
    pub fn size_problem(&self) -> Option<String> {
        let mut n: u64 = 1;
        for d in self.shape.iter().flatten() {
            match u64::try_from(*d).ok().and_then(|d| n.checked_mul(d)) {
                Some(m) => n = m,
                None => return Some(format!("the product of the dimensions of '{self}' overflows 64 bits")),
            }
        }
        (n > MAX_TENSOR_ELEMENTS).then(|| {
            format!("'{self}' has {n} elements; dfq supports at most {MAX_TENSOR_ELEMENTS} (2^31) elements per tensor")
        })
    }

    /// Number of elements, or `None` if dynamic or if the product overflows.
    pub fn num_elements(&self) -> Option<u64> {
        self.shape.iter().try_fold(1u64, |acc, d| {
            let d = (*d)?;
            if d < 0 {
                return None;
            }
            acc.checked_mul(d as u64)
        })
    }
}

impl Type {
    pub fn tensor(shape: &[i64], element: ElementType) -> Type {
        Type::Tensor(TensorType::new(shape, element))
    }

    pub fn as_tensor(&self) -> Option<&TensorType> {
        match self {
            Type::Tensor(t) => Some(t),
            Type::Scalar(_) => None,
        }
    }

    pub fn element(&self) -> &ElementType {
        match self {
            Type::Tensor(t) => &t.element,
            Type::Scalar(e) => e,
        }
    }
}

impl fmt::Display for Signedness {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Signedness::Signless => "i",
            Signedness::Signed => "si",
            Signedness::Unsigned => "ui",
        })
    }
}

impl fmt::Display for ElementType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElementType::F16 => f.write_str("f16"),
            ElementType::BF16 => f.write_str("bf16"),
            ElementType::F32 => f.write_str("f32"),
            ElementType::F64 => f.write_str("f64"),
            ElementType::Index => f.write_str("index"),
            ElementType::Int { width, signedness } => write!(f, "{signedness}{width}"),
            ElementType::Quant(q) => q.fmt(f),
        }
    }
}

impl fmt::Display for QuantType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let sign = if self.storage_signed { "i" } else { "u" };
        write!(f, "!quant.uniform<{sign}{}", self.storage_width)?;
        if let Some((lo, hi)) = self.storage_range {
            write!(f, "<{lo}:{hi}>")?;
        }
        write!(f, ":{}", self.expressed)?;
        match &self.params {
            QuantParams::PerTensor { scale, zero_point } => {
                write!(f, ", {}:{zero_point}>", crate::float_fmt::format_f64(*scale))
            }
            QuantParams::PerAxis { axis, scales, zero_points } => {
                write!(f, ":{axis}, {{")?;
                for (i, (s, z)) in scales.iter().zip(zero_points).enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{}:{z}", crate::float_fmt::format_f64(*s))?;
                }
                f.write_str("}>")
            }
        }
    }
}

impl fmt::Display for TensorType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tensor<")?;
        for d in &self.shape {
            match d {
                Some(d) => write!(f, "{d}x")?,
                None => f.write_str("?x")?,
            }
        }
        write!(f, "{}>", self.element)
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Type::Tensor(t) => t.fmt(f),
            Type::Scalar(e) => e.fmt(f),
        }
    }
}
