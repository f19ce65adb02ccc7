//! Planning: from a verified function to a list of [`Step`]s over buffers with
//! static shapes, all constants folded (weights packed, requantization constants
//! computed with `dfq-quant`), and an arena layout for the buffers.

mod consts;
mod conv;
mod memory;
mod nn;
mod qnn;
pub(crate) mod rescale;
pub(crate) mod steps;
mod values;

use std::collections::{HashMap, HashSet};

use dfq_ir::{Function, OpId, Value};

use crate::error::JitError;
use crate::kernels::fgemm::FKernel;
use crate::kernels::qgemm::QKernel;
use crate::options::{JitOptions, KernelChoice};
pub(crate) use consts::ConstPool;
use steps::{CopyStep, MapOp, MapStep, Step, TransposeStep};
pub(crate) use values::{Elem, Layout, QInfo, TVal};

pub(crate) type BufId = usize;

/// A buffer: a function argument or result (an I/O slot whose address the caller
/// supplies) or a region of the per-run arena.
pub(crate) struct Buffer {
    pub bytes: usize,
    pub io: Option<usize>,
    pub offset: usize,
}

/// An argument or result as the caller sees it.
#[derive(Clone, Debug)]
pub(crate) struct IoSpec {
    pub slot: usize,
    pub shape: Vec<usize>,
    pub dtype: &'static str,
}

pub(crate) struct Plan {
    pub buffers: Vec<Buffer>,
    pub steps: Vec<(Step, String)>,
    pub args: Vec<IoSpec>,
    pub results: Vec<IoSpec>,
    /// Bytes of one thread's scratch.
    pub scratch: usize,
    /// Bytes of the I/O table and the buffers (scratch comes after).
    pub arena: usize,
    pub pool: ConstPool,
    pub kernel: KernelChoice,
}

/// Plans `func` for the options' kernels and threads.
pub(crate) fn plan(func: &Function, opts: &JitOptions) -> Result<Plan, JitError> {
    verify(func)?;
    let kernel = opts.kernel.resolve()?;
    let mut p = Planner {
        func,
        qkernel: QKernel::for_choice(kernel),
        fkernel: FKernel::for_choice(kernel),
        threads: opts.threads.max(1),
        values: HashMap::new(),
        relayouts: HashMap::new(),
        fused: HashSet::new(),
        folded: HashMap::new(),
        buffers: Vec::new(),
        steps: Vec::new(),
        pool: ConstPool::default(),
        label: String::new(),
    };
    let args = p.arguments()?;
    let mut results = None;
    for id in func.ops() {
        let op = func.op(id);
        p.label = match &op.loc {
            Some(loc) => format!("{} at {loc}", op.name),
            None => op.name.clone(),
        };
        if op.name == "func.return" {
            results = Some(p.returns(id).map_err(|e| JitError::at_op(op, e))?);
            break;
        }
        // Constants (and the storage casts that type quantized ones) are read at compile time.
        let folded_constant = op.results.len() == 1 && dfq_dialects::is_constant(func, Value::Result(id, 0));
        if folded_constant || p.fused.contains(&id) {
            continue;
        }
        p.op(id).map_err(|e| JitError::at_op(op, e))?;
    }
    let results = results.ok_or_else(|| JitError::new(format!("'@{}' does not end with 'return'", func.name), func.loc.clone()))?;
    let scratch = p.steps.iter().map(|(s, _)| s.scratch()).max().unwrap_or(0).next_multiple_of(64);
    let io_count = args.len() + results.len();
    let arena = memory::assign(&mut p.buffers, &p.steps, io_count);
    Ok(Plan { buffers: p.buffers, steps: p.steps, args, results, scratch, arena, pool: p.pool, kernel })
}

fn verify(func: &Function) -> Result<(), JitError> {
    let mut diags = Vec::new();
    dfq_ir::verify_function(func, dfq_dialects::registry(), &mut diags);
    match diags.first() {
        None => Ok(()),
        Some(d) => Err(JitError::new(format!("cannot compile an invalid function: {}", d.message), d.loc.clone())),
    }
}

pub(crate) struct Planner<'f> {
    func: &'f Function,
    /// None: the Cranelift-generated integer tile.
    qkernel: Option<QKernel>,
    fkernel: FKernel,
    threads: usize,
    values: HashMap<Value, TVal>,
    relayouts: HashMap<(BufId, Layout), TVal>,
    /// Activations fused into their producer.
    fused: HashSet<OpId>,
    /// Values computed at compile time.
    folded: HashMap<Value, consts::Folded>,
    buffers: Vec<Buffer>,
    steps: Vec<(Step, String)>,
    pool: ConstPool,
    /// The op being planned, for step labels.
    label: String,
}

impl<'f> Planner<'f> {
    fn op(&mut self, id: OpId) -> Result<(), String> {
        let name = self.func.op(id).name.as_str();
        if self.qnn_op(id, name)? || self.nn_op(id, name)? {
            return Ok(());
        }
        Err("is not supported by the JIT".into())
    }

    fn push(&mut self, step: Step) {
        self.steps.push((step, self.label.clone()));
    }

    fn buffer(&mut self, bytes: usize, io: Option<usize>) -> BufId {
        self.buffers.push(Buffer { bytes, io, offset: 0 });
        self.buffers.len() - 1
    }

    /// A new arena value.
    fn fresh(&mut self, shape: Vec<usize>, layout: Layout, elem: Elem) -> TVal {
        let bytes = shape.iter().product::<usize>() * elem.size();
        let buf = self.buffer(bytes, None);
        TVal { buf, shape, layout, elem }
    }

    fn value(&self, v: Value) -> Result<TVal, String> {
        self.values.get(&v).cloned().ok_or_else(|| format!("reads {v:?}, which the JIT did not compute (a constant where a tensor is expected?)"))
    }

    fn define(&mut self, id: OpId, t: TVal) {
        self.values.insert(Value::Result(id, 0), t);
    }

    fn result_type(&self, id: OpId) -> &'f dfq_ir::Type {
        &self.func.op(id).results[0]
    }

    /// `t` in `layout`, transposing (or relabeling, where the orders agree) once.
    fn in_layout(&mut self, t: TVal, layout: Layout) -> TVal {
        if t.layout == layout {
            return t;
        }
        if t.layouts_agree() || t.shape.len() != 4 {
            return TVal { layout: if t.shape.len() == 4 { layout } else { Layout::RowMajor }, ..t };
        }
        if let Some(c) = self.relayouts.get(&(t.buf, layout)) {
            return c.clone();
        }
        let out = self.fresh(t.shape.clone(), layout, t.elem);
        let [n, c, h, w] = [t.shape[0], t.shape[1], t.shape[2], t.shape[3]];
        let (rows, cols) = if layout == Layout::Nhwc { (c, h * w) } else { (h * w, c) };
        self.push(Step::Transpose(TransposeStep { input: t.buf, output: out.buf, esize: t.elem.size(), n, rows, cols }));
        self.relayouts.insert((t.buf, layout), out.clone());
        out
    }

    /// `t` in the arena: kernels that read whole vectors must not read a caller's buffer.
    fn in_arena(&mut self, t: TVal) -> TVal {
        if self.buffers[t.buf].io.is_none() {
            return t;
        }
        let out = self.fresh(t.shape.clone(), t.layout, t.elem);
        self.push(Step::Copy(CopyStep {
            input: t.buf,
            output: out.buf,
            esize: t.elem.size(),
            outer: 1,
            block: t.len(),
            in_stride: 0,
            out_stride: 0,
            out_offset: 0,
            lut: None,
        }));
        out
    }

    /// I/O slots for the arguments; quantized ones are imported to the arena
    /// (i8 shifted to the stored u8 form).
    fn arguments(&mut self) -> Result<Vec<IoSpec>, JitError> {
        let mut specs = Vec::new();
        for (i, arg) in self.func.args.iter().enumerate() {
            let at_arg = |e: String| JitError::new(format!("argument #{i} of '@{}': {e}", self.func.name), arg.loc.clone());
            let shape = values::static_shape(&arg.ty).map_err(at_arg)?;
            let elem = Elem::of_type(&arg.ty).map_err(at_arg)?;
            let bytes = shape.iter().product::<usize>() * elem.size();
            let io = TVal { buf: self.buffer(bytes, Some(i)), shape: shape.clone(), layout: Layout::RowMajor, elem };
            let (t, dtype) = match elem {
                Elem::F32 => (io, "f32"),
                Elem::Q(q) if q.signed => (self.flip_sign(io), "i8"),
                Elem::Q(_) => (self.in_arena(io), "u8"),
            };
            self.values.insert(Value::Arg(i as u32), t);
            specs.push(IoSpec { slot: i, shape, dtype });
        }
        Ok(specs)
    }

    /// i8 ↔ stored u8: x ^ 0x80.
    fn flip_sign(&mut self, t: TVal) -> TVal {
        let lut: Vec<u8> = (0..=255u8).map(|v| v ^ 0x80).collect();
        let lut = self.pool.table(&lut);
        let out = self.fresh(t.shape.clone(), t.layout, t.elem);
        self.push(Step::Map(MapStep { input: t.buf, output: out.buf, len: t.len(), op: MapOp::Lut(lut) }));
        out
    }

    /// Results: row-major copies into the caller's buffers.
    fn returns(&mut self, id: OpId) -> Result<Vec<IoSpec>, String> {
        let mut specs = Vec::new();
        let first_slot = self.func.args.len();
        for (i, &v) in self.func.op(id).operands().iter().enumerate() {
            let t = self.value(v)?;
            let t = self.in_layout(t, Layout::RowMajor);
            let slot = first_slot + i;
            let buf = self.buffer(t.bytes(), Some(slot));
            let dtype = match t.elem {
                Elem::F32 => "f32",
                Elem::Q(q) if q.signed => "i8",
                Elem::Q(_) => "u8",
            };
            if dtype == "i8" {
                let lut: Vec<u8> = (0..=255u8).map(|v| v ^ 0x80).collect();
                let lut = self.pool.table(&lut);
                self.push(Step::Map(MapStep { input: t.buf, output: buf, len: t.len(), op: MapOp::Lut(lut) }));
            } else {
                self.push(Step::Copy(CopyStep {
                    input: t.buf,
                    output: buf,
                    esize: t.elem.size(),
                    outer: 1,
                    block: t.len(),
                    in_stride: 0,
                    out_stride: 0,
                    out_offset: 0,
                    lut: None,
                }));
            }
            specs.push(IoSpec { slot, shape: t.shape.clone(), dtype });
        }
        Ok(specs)
    }

    /// Flatten and reshape: the same row-major bytes under a new shape.
    fn reshape(&mut self, id: OpId) -> Result<(), String> {
        let x = self.value(self.func.op(id).operands()[0])?;
        let x = self.in_layout(x, Layout::RowMajor);
        let shape = values::static_shape(self.result_type(id))?;
        self.define(id, TVal { shape, layout: Layout::RowMajor, ..x });
        Ok(())
    }

    /// Concatenation along `axis`: one block copy per input, each through a
    /// requantization table where its quantization differs from the result's.
    fn concat(&mut self, id: OpId, axis: i64) -> Result<(), String> {
        let operands = self.func.op(id).operands().to_vec();
        let first = self.value(operands[0])?;
        let rank = first.shape.len() as i64;
        let a = if axis < 0 { axis + rank } else { axis };
        if !(0..rank).contains(&a) {
            return Err(format!("axis {axis} is out of range for rank {rank}"));
        }
        let shape = values::static_shape(self.result_type(id))?;
        let elem = Elem::of_type(self.result_type(id))?;
        let layout = first.layout;
        let out = self.fresh(shape, layout, elem);
        let pa = out.physical_axis(a as usize);
        let phys = out.physical();
        let (outer, inner): (usize, usize) = (phys[..pa].iter().product(), phys[pa + 1..].iter().product());
        let mut offset = 0;
        for &v in &operands {
            let t = self.value(v)?;
            let t = self.in_layout(t, layout);
            let len = t.physical()[pa];
            let lut = match (t.elem, elem) {
                (Elem::Q(from), Elem::Q(to)) if from != to => Some(qnn::requant_table(from, to)?),
                (Elem::Q(_), Elem::Q(_)) | (Elem::F32, Elem::F32) => None,
                _ => return Err("mixes float and quantized inputs".into()),
            };
            let lut = lut.map(|l| self.pool.table(&l));
            self.push(Step::Copy(CopyStep {
                input: t.buf,
                output: out.buf,
                esize: elem.size(),
                outer,
                block: len * inner,
                in_stride: len * inner,
                out_stride: phys[pa] * inner,
                out_offset: offset * inner,
                lut,
            }));
            offset += len;
        }
        self.define(id, out);
        Ok(())
    }
}
