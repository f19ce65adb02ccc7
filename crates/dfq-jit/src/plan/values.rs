//! What the planner knows of each SSA value: its buffer, logical shape, physical
//! layout and element kind.
//!
//! Quantized values are held as u8 whatever their storage type: an i8 value q is
//! stored as q + 128, with its zero point and bounds shifted alike. Differences
//! q − z, all the integer ops compute with, are unchanged, and every kernel deals
//! with u8 activations only (as `vpdpbusd` wants them). The shift is undone where
//! values leave the function.

use dfq_ir::{QuantParams, Type};

use super::BufId;

/// How a tensor's elements are ordered in memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) enum Layout {
    /// Row-major in the logical shape (NCHW for 4-D), as the IR and the caller see it.
    RowMajor,
    /// 4-D (N, C, H, W) stored as (N, H, W, C): channels contiguous, as the GEMM
    /// (a pixel is a row of K = C bytes) and channel-vectorized loops want it.
    Nhwc,
}

/// A quantized value's parameters in the stored (u8) domain.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct QInfo {
    pub scale: f64,
    /// Zero point, shifted by `bias()`.
    pub zero: i32,
    /// The storage range, shifted by `bias()`.
    pub lo: i32,
    pub hi: i32,
    /// i8 storage (stored as q + 128).
    pub signed: bool,
}

impl QInfo {
    /// What is added to a storage value to store it as u8.
    pub fn bias(&self) -> i32 {
        if self.signed {
            128
        } else {
            0
        }
    }

    /// The per-tensor quantization of an 8-bit type, validated as the interpreter does.
    pub fn of_type(ty: &Type) -> Result<QInfo, String> {
        let q = ty.element().as_quant().ok_or_else(|| format!("expected a quantized type, got '{ty}'"))?;
        if q.storage_width != 8 {
            return Err(format!("'{ty}' has {}-bit storage; the JIT runs 8-bit quantized values", q.storage_width));
        }
        let QuantParams::PerTensor { scale, zero_point } = q.params else {
            return Err(format!("'{ty}' is quantized per axis; the JIT needs per-tensor activations"));
        };
        let (lo, hi) = q.storage_min_max();
        let (dlo, dhi) = if q.storage_signed { (-128, 127) } else { (0, 255) };
        let (lo, hi) = (lo.max(dlo), hi.min(dhi));
        if !(scale > 0.0 && scale.is_finite()) {
            return Err(format!("'{ty}' has the invalid scale {scale}"));
        }
        if !(lo..=hi).contains(&zero_point) {
            return Err(format!("'{ty}' has the zero point {zero_point} outside its storage range [{lo}, {hi}]"));
        }
        let b = if q.storage_signed { 128 } else { 0 };
        Ok(QInfo { scale, zero: zero_point as i32 + b, lo: lo as i32 + b, hi: hi as i32 + b, signed: q.storage_signed })
    }
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Elem {
    F32,
    Q(QInfo),
}

impl Elem {
    pub fn size(self) -> usize {
        match self {
            Elem::F32 => 4,
            Elem::Q(_) => 1,
        }
    }

    pub fn of_type(ty: &Type) -> Result<Elem, String> {
        match ty.element() {
            dfq_ir::ElementType::F32 => Ok(Elem::F32),
            e if e.as_quant().is_some() => QInfo::of_type(ty).map(Elem::Q),
            _ => Err(format!("values of type '{ty}' are not supported by the JIT (f32 and 8-bit quantized only)")),
        }
    }
}

/// A planned value.
#[derive(Clone, Debug)]
pub(crate) struct TVal {
    pub buf: BufId,
    pub shape: Vec<usize>,
    pub layout: Layout,
    pub elem: Elem,
}

impl TVal {
    pub fn len(&self) -> usize {
        self.shape.iter().product()
    }

    pub fn bytes(&self) -> usize {
        self.len() * self.elem.size()
    }

    pub fn q(&self) -> Option<QInfo> {
        match self.elem {
            Elem::Q(q) => Some(q),
            Elem::F32 => None,
        }
    }

    /// The dimensions in memory order.
    pub fn physical(&self) -> Vec<usize> {
        match (self.layout, self.shape.as_slice()) {
            (Layout::Nhwc, &[n, c, h, w]) => vec![n, h, w, c],
            _ => self.shape.clone(),
        }
    }

    /// Where logical axis `a` lies in memory order.
    pub fn physical_axis(&self, a: usize) -> usize {
        match self.layout {
            Layout::Nhwc => [0, 3, 1, 2][a],
            Layout::RowMajor => a,
        }
    }

    /// Whether NHWC and row-major order coincide for this shape (at most one of C
    /// and H·W exceeds 1), so that a relayout is a relabeling.
    pub fn layouts_agree(&self) -> bool {
        match self.shape.as_slice() {
            &[_, c, h, w] => c == 1 || h * w == 1,
            _ => true,
        }
    }
}

/// The static shape of a tensor type.
pub(crate) fn static_shape(ty: &Type) -> Result<Vec<usize>, String> {
    let t = ty.as_tensor().ok_or_else(|| format!("expected a tensor, got '{ty}'"))?;
    t.shape
        .iter()
        .map(|d| d.and_then(|d| usize::try_from(d).ok()))
        .collect::<Option<Vec<usize>>>()
        .ok_or_else(|| format!("'{ty}' has a dynamic shape; the JIT compiles static shapes"))
}
