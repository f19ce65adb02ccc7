//! Constants: weights and biases read from `arith.constant`s at compile time, and
//! the pool that owns everything generated code points at (packed weights,
//! tables), at addresses that never change.

use dfq_ir::{Function, Value};

use crate::aligned::AlignedBuf;
use crate::kernels::dwconv::DwLayer;
use crate::kernels::fgemm::FGemmLayer;
use crate::kernels::qgemm::QGemmLayer;

/// The elements of a constant operand: an `arith.constant`, or the `quant.scast`
/// of one that types quantized weights (then its stored integers).
fn dense(func: &Function, v: Value) -> Result<&dfq_ir::DenseElements, String> {
    if !dfq_dialects::is_constant(func, v) {
        return Err("must be a constant (an 'arith.constant'), as the JIT folds weights at compile time".into());
    }
    dfq_dialects::constant_elements(func, v).ok_or_else(|| "must be a constant with dense elements".into())
}

pub(crate) fn ints(func: &Function, v: Value) -> Result<Vec<i64>, String> {
    let d = dense(func, v)?;
    if d.data().kind().is_float() {
        return Err("must hold integers".into());
    }
    Ok(d.to_i64_vec())
}

pub(crate) fn floats(func: &Function, v: Value) -> Result<Vec<f32>, String> {
    let d = dense(func, v)?;
    if !d.data().kind().is_float() {
        return Err("must hold floats".into());
    }
    Ok(d.to_f32_vec())
}

/// A value computed at compile time from constants: quantized weights of the QDQ
/// form (`dequantize(quantize(constant))`).
pub(crate) enum Folded {
    Ints(Vec<i64>),
    Floats(Vec<f32>),
}

impl super::Planner<'_> {
    /// Whether `v` is known at compile time.
    pub(super) fn is_constant(&self, v: Value) -> bool {
        self.folded.contains_key(&v) || dfq_dialects::is_constant(self.func, v)
    }

    pub(super) fn floats(&self, v: Value) -> Result<Vec<f32>, String> {
        match self.folded.get(&v) {
            Some(Folded::Floats(f)) => Ok(f.clone()),
            Some(Folded::Ints(_)) => Err("must hold floats".into()),
            None => floats(self.func, v),
        }
    }

    pub(super) fn ints(&self, v: Value) -> Result<Vec<i64>, String> {
        match self.folded.get(&v) {
            Some(Folded::Ints(i)) => Ok(i.clone()),
            Some(Folded::Floats(_)) => Err("must hold integers".into()),
            None => ints(self.func, v),
        }
    }

    /// qnn.quantize of a constant, with the interpreter's rounding (dfq-quant).
    pub(super) fn fold_quantize(&mut self, id: dfq_ir::OpId, x: Value) -> Result<(), String> {
        let ty = &self.func.op(id).results[0];
        let q = ty.element().as_quant().ok_or("must produce a quantized type")?;
        let shape = super::values::static_shape(ty)?;
        let x = self.floats(x)?;
        let (lo, hi) = q.storage_min_max();
        let inner: usize = dfq_quant::quant_axis(q).map_or(1, |a| shape[a + 1..].iter().product());
        let channels = dfq_quant::quant_axis(q).map_or(1, |a| shape[a]);
        let out = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (s, z) = dfq_quant::channel_params(q, (i / inner.max(1)) % channels.max(1));
                dfq_quant::quantize(v, s, z, lo, hi)
            })
            .collect();
        self.folded.insert(Value::Result(id, 0), Folded::Ints(out));
        Ok(())
    }

    /// qnn.dequantize of a constant.
    pub(super) fn fold_dequantize(&mut self, id: dfq_ir::OpId, x: Value) -> Result<(), String> {
        let ty = self.func.value_type(x);
        let q = ty.element().as_quant().ok_or("must dequantize a quantized type")?;
        let shape = super::values::static_shape(ty)?;
        let x = self.ints(x)?;
        let inner: usize = dfq_quant::quant_axis(q).map_or(1, |a| shape[a + 1..].iter().product());
        let channels = dfq_quant::quant_axis(q).map_or(1, |a| shape[a]);
        let out = x
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let (s, z) = dfq_quant::channel_params(q, (i / inner.max(1)) % channels.max(1));
                dfq_quant::dequantize(v, s, z)
            })
            .collect();
        self.folded.insert(Value::Result(id, 0), Folded::Floats(out));
        Ok(())
    }
}

/// Owns the data generated code reads; hands out stable addresses.
#[derive(Default)]
pub(crate) struct ConstPool {
    tables: Vec<AlignedBuf>,
    // Boxed: generated code holds their addresses, which must not move as the Vec grows.
    #[allow(clippy::vec_box)]
    qlayers: Vec<Box<QGemmLayer>>,
    #[allow(clippy::vec_box)]
    flayers: Vec<Box<FGemmLayer>>,
    #[allow(clippy::vec_box)]
    dwlayers: Vec<Box<DwLayer>>,
    /// Layers of other precompiled kernels.
    others: Vec<Box<dyn std::any::Any + Send + Sync>>,
}

impl ConstPool {
    /// A table holding `values` (with 64 bytes of zero slack); its address.
    pub fn table<T: Copy>(&mut self, values: &[T]) -> i64 {
        let bytes = std::mem::size_of_val(values);
        let mut buf = AlignedBuf::zeroed(bytes + 64);
        // SAFETY: the buffer holds at least `bytes` bytes; T is plain data.
        unsafe { std::ptr::copy_nonoverlapping(values.as_ptr() as *const u8, buf.as_mut_ptr(), bytes) };
        let addr = buf.addr();
        self.tables.push(buf);
        addr
    }

    pub fn qlayer(&mut self, layer: QGemmLayer) -> i64 {
        let b = Box::new(layer);
        let addr = &*b as *const QGemmLayer as i64;
        self.qlayers.push(b);
        addr
    }

    pub fn flayer(&mut self, layer: FGemmLayer) -> i64 {
        let b = Box::new(layer);
        let addr = &*b as *const FGemmLayer as i64;
        self.flayers.push(b);
        addr
    }

    pub fn dwlayer(&mut self, layer: DwLayer) -> i64 {
        let b = Box::new(layer);
        let addr = &*b as *const DwLayer as i64;
        self.dwlayers.push(b);
        addr
    }

    /// Holds a kernel's layer; its address.
    pub fn layer<T: Send + Sync + 'static>(&mut self, layer: T) -> i64 {
        let b = Box::new(layer);
        let addr = &*b as *const T as i64;
        self.others.push(b);
        addr
    }

    /// Bytes held, for reports.
    pub fn bytes(&self) -> usize {
        self.tables.iter().map(AlignedBuf::len).sum::<usize>()
            + self.qlayers.iter().map(|l| l.packed.len()).sum::<usize>()
            + self.flayers.iter().map(|l| l.packed.len()).sum::<usize>()
    }
}
