//! Writing TOSA text: SSA names, tensor types, constants (deduplicated, so the
//! zero points and shifts that every layer repeats are defined once).

use std::collections::HashMap;
use std::fmt::{self, Write};

/// TOSA's element types as dfq uses them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Elem {
    /// Booleans: only computed (masks), never constants.
    I1,
    I8,
    I32,
}

impl Elem {
    fn bytes(self) -> usize {
        match self {
            Elem::I1 | Elem::I8 => 1,
            Elem::I32 => 4,
        }
    }
}

impl fmt::Display for Elem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Elem::I1 => "i1",
            Elem::I8 => "i8",
            Elem::I32 => "i32",
        })
    }
}

/// A ranked tensor type with a static shape.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TType {
    pub shape: Vec<i64>,
    pub elem: Elem,
}

impl TType {
    pub fn new(shape: &[i64], elem: Elem) -> TType {
        TType { shape: shape.to_vec(), elem }
    }

    pub fn with_elem(&self, elem: Elem) -> TType {
        TType { shape: self.shape.clone(), elem }
    }
}

impl fmt::Display for TType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("tensor<")?;
        for d in &self.shape {
            write!(f, "{d}x")?;
        }
        write!(f, "{}>", self.elem)
    }
}

/// A TOSA SSA value and its type.
#[derive(Clone, Debug)]
pub struct TValue {
    pub name: String,
    pub ty: TType,
}

/// The body of the function being written.
#[derive(Default)]
pub struct Emitter {
    body: String,
    next: usize,
    constants: HashMap<(TType, Vec<i64>), TValue>,
    shapes: HashMap<Vec<i64>, String>,
}

/// Constants up to this many elements are written as a decimal list.
const INLINE_LIMIT: usize = 16;

impl Emitter {
    fn fresh(&mut self) -> String {
        let n = self.next;
        self.next += 1;
        format!("%{n}")
    }

    /// `%n = <op text> : <signature>` with one result of type `ty`.
    pub fn op(&mut self, text: impl fmt::Display, ty: TType) -> TValue {
        let name = self.fresh();
        let _ = writeln!(self.body, "    {name} = {text}");
        TValue { name, ty }
    }

    /// A `tosa.const` of `values` (integers of `ty`'s element type, row-major).
    pub fn constant(&mut self, ty: TType, values: Vec<i64>) -> TValue {
        let key = (ty.clone(), values);
        if let Some(v) = self.constants.get(&key) {
            return v.clone();
        }
        let dense = dense_literal(&key.1, &ty);
        let v = self.op(format!("\"tosa.const\"() <{{values = {dense} : {ty}}}> : () -> {ty}"), ty.clone());
        self.constants.insert(key, v.clone());
        v
    }

    /// A one-element zero point (TOSA passes zero points as operands).
    pub fn zero_point(&mut self, elem: Elem, value: i64) -> TValue {
        self.constant(TType::new(&[1], elem), vec![value])
    }

    /// A `tosa.const_shape` for reshapes.
    pub fn shape(&mut self, dims: &[i64]) -> String {
        if let Some(s) = self.shapes.get(dims) {
            return s.clone();
        }
        let name = self.fresh();
        let list: Vec<String> = dims.iter().map(i64::to_string).collect();
        let _ = writeln!(
            self.body,
            "    {name} = tosa.const_shape {{values = dense<[{}]> : tensor<{}xindex>}} : () -> !tosa.shape<{}>",
            list.join(", "),
            dims.len(),
            dims.len()
        );
        self.shapes.insert(dims.to_vec(), name.clone());
        name
    }

    pub fn finish(self) -> String {
        self.body
    }
}

/// `dense<[..]>` for small constants, `dense<"0x..">` (little-endian bytes) for
/// large ones, `dense<v>` for splats.
fn dense_literal(values: &[i64], ty: &TType) -> String {
    if let Some(&first) = values.first() {
        if values.len() > 1 && values.iter().all(|&v| v == first) {
            return format!("dense<{first}>");
        }
    }
    // Nested lists would be needed above rank 1: hex is simpler there.
    if values.len() <= INLINE_LIMIT && ty.shape.len() <= 1 {
        let items: Vec<String> = values.iter().map(i64::to_string).collect();
        return if ty.shape.is_empty() { format!("dense<{}>", items.join("")) } else { format!("dense<[{}]>", items.join(", ")) };
    }
    let mut hex = String::with_capacity(2 + values.len() * ty.elem.bytes() * 2);
    hex.push_str("0x");
    for &v in values {
        let bytes = match ty.elem {
            Elem::I1 | Elem::I8 => vec![v as i8 as u8],
            Elem::I32 => (v as i32).to_le_bytes().to_vec(),
        };
        for b in bytes {
            let _ = write!(hex, "{b:02X}");
        }
    }
    format!("dense<\"{hex}\">")
}
