//! Attributes: the compile-time constants attached to ops, functions and modules.

use std::collections::BTreeMap;
use std::sync::Arc;

use crate::types::{ElementType, Signedness, TensorType, Type};

/// Named attributes. MLIR keeps dictionaries sorted by name; so do we, which also
/// makes printing deterministic.
pub type Attributes = BTreeMap<String, Attribute>;

#[derive(Clone, Debug, PartialEq)]
pub enum Attribute {
    Unit,
    Bool(bool),
    /// `3 : i64`. A bare `3` is an `i64`.
    Int { value: i64, ty: ElementType },
    /// `1.5 : f32`. A bare `1.5` is an `f64`.
    Float { value: f64, ty: ElementType },
    String(String),
    Type(Type),
    Array(Vec<Attribute>),
    /// `array<i64: 1, 2>`.
    DenseI64Array(Vec<i64>),
    Dict(Attributes),
    /// `dense<..>` or `dense_resource<key>`, both with their tensor type.
    Dense(DenseElements),
}

impl Attribute {
    pub fn i64(value: i64) -> Attribute {
        Attribute::Int { value, ty: ElementType::I64 }
    }

    pub fn f32(value: f32) -> Attribute {
        Attribute::Float { value: value as f64, ty: ElementType::F32 }
    }

    pub fn as_int(&self) -> Option<i64> {
        match self {
            Attribute::Int { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// Integers are accepted where a float is wanted, as `[-2, 3]` is a fine range.
    pub fn as_float(&self) -> Option<f64> {
        match self {
            Attribute::Float { value, .. } => Some(*value),
            Attribute::Int { value, .. } => Some(*value as f64),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Attribute::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_i64_array(&self) -> Option<&[i64]> {
        match self {
            Attribute::DenseI64Array(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_array(&self) -> Option<&[Attribute]> {
        match self {
            Attribute::Array(v) => Some(v),
            _ => None,
        }
    }

    pub fn as_dense(&self) -> Option<&DenseElements> {
        match self {
            Attribute::Dense(d) => Some(d),
            _ => None,
        }
    }

    /// A short name of the attribute's kind, for diagnostics.
    pub fn kind(&self) -> &'static str {
        match self {
            Attribute::Unit => "unit",
            Attribute::Bool(_) => "bool",
            Attribute::Int { .. } => "integer",
            Attribute::Float { .. } => "float",
            Attribute::String(_) => "string",
            Attribute::Type(_) => "type",
            Attribute::Array(_) => "array",
            Attribute::DenseI64Array(_) => "array<i64>",
            Attribute::Dict(_) => "dictionary",
            Attribute::Dense(_) => "dense elements",
        }
    }
}

/// Element storage of a dense constant. Integer widths map onto the narrowest Rust
/// type that holds them; `i1` is stored as one byte per element, as MLIR's blobs do.
#[derive(Clone, Debug, PartialEq)]
pub enum DenseData {
    I8(Vec<i8>),
    U8(Vec<u8>),
    I16(Vec<i16>),
    U16(Vec<u16>),
    I32(Vec<i32>),
    U32(Vec<u32>),
    I64(Vec<i64>),
    F32(Vec<f32>),
    F64(Vec<f64>),
}

macro_rules! for_each_variant {
    ($data:expr, $v:ident => $body:expr) => {
        match $data {
            DenseData::I8($v) => $body,
            DenseData::U8($v) => $body,
            DenseData::I16($v) => $body,
            DenseData::U16($v) => $body,
            DenseData::I32($v) => $body,
            DenseData::U32($v) => $body,
            DenseData::I64($v) => $body,
            DenseData::F32($v) => $body,
            DenseData::F64($v) => $body,
        }
    };
}

/// How a scalar of some element type is stored.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StorageKind {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    I64,
    F32,
    F64,
}

impl StorageKind {
    /// The storage for `element`, or `None` if dense constants of it are unsupported.
    pub fn of(element: &ElementType) -> Option<StorageKind> {
        Some(match element {
            ElementType::F32 => StorageKind::F32,
            ElementType::F64 => StorageKind::F64,
            ElementType::Index => StorageKind::I64,
            ElementType::Int { width, signedness } => {
                let unsigned = *signedness == Signedness::Unsigned;
                match (width, unsigned) {
                    (1..=8, false) => StorageKind::I8,
                    (1..=8, true) => StorageKind::U8,
                    (9..=16, false) => StorageKind::I16,
                    (9..=16, true) => StorageKind::U16,
                    (17..=32, false) => StorageKind::I32,
                    (17..=32, true) => StorageKind::U32,
                    (33..=64, _) => StorageKind::I64,
                    _ => return None,
                }
            }
            _ => return None,
        })
    }

    pub fn byte_width(self) -> usize {
        match self {
            StorageKind::I8 | StorageKind::U8 => 1,
            StorageKind::I16 | StorageKind::U16 => 2,
            StorageKind::I32 | StorageKind::U32 | StorageKind::F32 => 4,
            StorageKind::I64 | StorageKind::F64 => 8,
        }
    }

    pub fn is_float(self) -> bool {
        matches!(self, StorageKind::F32 | StorageKind::F64)
    }

    /// Decodes little-endian bytes; `bytes.len()` must be a multiple of the width.
    pub fn decode_le(self, bytes: &[u8]) -> DenseData {
        macro_rules! decode {
            ($variant:ident, $t:ty) => {
                DenseData::$variant(
                    bytes
                        .chunks_exact(std::mem::size_of::<$t>())
                        .map(|c| <$t>::from_le_bytes(c.try_into().unwrap()))
                        .collect(),
                )
            };
        }
        match self {
            StorageKind::I8 => decode!(I8, i8),
            StorageKind::U8 => decode!(U8, u8),
            StorageKind::I16 => decode!(I16, i16),
            StorageKind::U16 => decode!(U16, u16),
            StorageKind::I32 => decode!(I32, i32),
            StorageKind::U32 => decode!(U32, u32),
            StorageKind::I64 => decode!(I64, i64),
            StorageKind::F32 => decode!(F32, f32),
            StorageKind::F64 => decode!(F64, f64),
        }
    }

    /// Storage filled from integer values (already range-checked by the caller).
    pub fn from_i64s(self, values: &[i64]) -> DenseData {
        match self {
            StorageKind::I8 => DenseData::I8(values.iter().map(|&v| v as i8).collect()),
            StorageKind::U8 => DenseData::U8(values.iter().map(|&v| v as u8).collect()),
            StorageKind::I16 => DenseData::I16(values.iter().map(|&v| v as i16).collect()),
            StorageKind::U16 => DenseData::U16(values.iter().map(|&v| v as u16).collect()),
            StorageKind::I32 => DenseData::I32(values.iter().map(|&v| v as i32).collect()),
            StorageKind::U32 => DenseData::U32(values.iter().map(|&v| v as u32).collect()),
            StorageKind::I64 => DenseData::I64(values.to_vec()),
            StorageKind::F32 => DenseData::F32(values.iter().map(|&v| v as f32).collect()),
            StorageKind::F64 => DenseData::F64(values.iter().map(|&v| v as f64).collect()),
        }
    }

    /// Storage filled from float values.
    pub fn from_f64s(self, values: &[f64]) -> DenseData {
        match self {
            StorageKind::F32 => DenseData::F32(values.iter().map(|&v| v as f32).collect()),
            StorageKind::F64 => DenseData::F64(values.to_vec()),
            int => int.from_i64s(&values.iter().map(|&v| v as i64).collect::<Vec<_>>()),
        }
    }
}

impl DenseData {
    pub fn len(&self) -> usize {
        for_each_variant!(self, v => v.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn kind(&self) -> StorageKind {
        match self {
            DenseData::I8(_) => StorageKind::I8,
            DenseData::U8(_) => StorageKind::U8,
            DenseData::I16(_) => StorageKind::I16,
            DenseData::U16(_) => StorageKind::U16,
            DenseData::I32(_) => StorageKind::I32,
            DenseData::U32(_) => StorageKind::U32,
            DenseData::I64(_) => StorageKind::I64,
            DenseData::F32(_) => StorageKind::F32,
            DenseData::F64(_) => StorageKind::F64,
        }
    }

    // The cast is the identity for the variant of the target type only.
    #[allow(clippy::unnecessary_cast)]
    pub fn get_f64(&self, i: usize) -> f64 {
        for_each_variant!(self, v => v[i] as f64)
    }

    #[allow(clippy::unnecessary_cast)]
    pub fn get_i64(&self, i: usize) -> i64 {
        for_each_variant!(self, v => v[i] as i64)
    }

    /// Little-endian bytes, the layout of `dense<"0x..">` and resource blobs.
    pub fn to_le_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.len() * self.kind().byte_width());
        for_each_variant!(self, v => for x in v { out.extend_from_slice(&x.to_le_bytes()) });
        out
    }
}

/// A dense constant: a tensor type and its elements.
///
/// A splat (one value repeated) stores that value once. `resource` names the blob
/// key when the constant lives in the module's `dialect_resources` section.
#[derive(Clone, Debug, PartialEq)]
pub struct DenseElements {
    ty: TensorType,
    data: Arc<DenseData>,
    resource: Option<String>,
}

impl DenseElements {
    /// `data` must hold either one element (a splat) or exactly `ty.num_elements()`,
    /// in the storage kind of the element type.
    pub fn new(ty: TensorType, data: DenseData) -> Result<DenseElements, String> {
        let kind = StorageKind::of(&ty.element)
            .ok_or_else(|| format!("dense elements of type '{}' are not supported", ty.element))?;
        if data.kind() != kind {
            return Err(format!("element storage {:?} does not match type '{}'", data.kind(), ty.element));
        }
        let n = ty
            .num_elements()
            .ok_or_else(|| format!("'{ty}' has no static number of elements"))?;
        if data.len() as u64 != n && data.len() != 1 {
            return Err(format!("'{ty}' needs {n} elements, got {}", data.len()));
        }
        Ok(DenseElements { ty, data: Arc::new(data), resource: None })
    }

    pub fn from_f32(shape: &[i64], values: Vec<f32>) -> DenseElements {
        DenseElements::new(TensorType::new(shape, ElementType::F32), DenseData::F32(values))
            .expect("shape and value count agree")
    }

    pub fn splat_f32(shape: &[i64], value: f32) -> DenseElements {
        DenseElements::from_f32(shape, vec![value])
    }

    pub fn with_resource(mut self, key: impl Into<String>) -> DenseElements {
        self.resource = Some(key.into());
        self
    }

    pub fn ty(&self) -> &TensorType {
        &self.ty
    }

    pub fn data(&self) -> &DenseData {
        &self.data
    }

    pub fn resource(&self) -> Option<&str> {
        self.resource.as_deref()
    }

    pub fn num_elements(&self) -> u64 {
        self.ty.num_elements().unwrap_or(0)
    }

    pub fn is_splat(&self) -> bool {
        self.data.len() == 1 && self.num_elements() != 1
    }

    /// Element `i` in row-major order, whatever the storage.
    pub fn get_f64(&self, i: usize) -> f64 {
        self.data.get_f64(if self.data.len() == 1 { 0 } else { i })
    }

    pub fn get_i64(&self, i: usize) -> i64 {
        self.data.get_i64(if self.data.len() == 1 { 0 } else { i })
    }

    /// All elements as `f32`, splats expanded.
    pub fn to_f32_vec(&self) -> Vec<f32> {
        match (&*self.data, self.is_splat()) {
            (DenseData::F32(v), false) => v.clone(),
            _ => (0..self.num_elements() as usize).map(|i| self.get_f64(i) as f32).collect(),
        }
    }

    /// All elements as `i64`, splats expanded.
    pub fn to_i64_vec(&self) -> Vec<i64> {
        (0..self.num_elements() as usize).map(|i| self.get_i64(i)).collect()
    }

    /// Bytes the expanded tensor occupies.
    pub fn byte_size(&self) -> u64 {
        self.num_elements() * self.data.kind().byte_width() as u64
    }
}
