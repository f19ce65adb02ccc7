//! Constants: weights and biases read from `arith.constant`s at compile time, and
//! the pool that owns everything generated code points at (packed weights,
//! tables), at addresses that never change.

use dfq_ir::{Attribute, Function, Value};

use crate::aligned::AlignedBuf;
use crate::kernels::fgemm::FGemmLayer;
use crate::kernels::qgemm::QGemmLayer;

/// The elements of a constant operand as i64 (integers) or f32.
fn dense(func: &Function, v: Value) -> Result<&dfq_ir::DenseElements, String> {
    let op = v.producer().map(|id| func.op(id)).filter(|op| op.name == "arith.constant");
    let op = op.ok_or("must be a constant (an 'arith.constant'), as the JIT folds weights at compile time")?;
    match op.attr("value") {
        Some(Attribute::Dense(d)) => Ok(d),
        _ => Err("must be a constant with dense elements".into()),
    }
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

/// Owns the data generated code reads; hands out stable addresses.
#[derive(Default)]
pub(crate) struct ConstPool {
    tables: Vec<AlignedBuf>,
    qlayers: Vec<Box<QGemmLayer>>,
    flayers: Vec<Box<FGemmLayer>>,
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

    /// Bytes held, for reports.
    pub fn bytes(&self) -> usize {
        self.tables.iter().map(AlignedBuf::len).sum::<usize>()
            + self.qlayers.iter().map(|l| l.packed.len()).sum::<usize>()
            + self.flayers.iter().map(|l| l.packed.len()).sum::<usize>()
    }
}
