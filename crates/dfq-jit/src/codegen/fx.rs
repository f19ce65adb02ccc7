//! A thin layer over Cranelift's `FunctionBuilder` for the loop nests the steps
//! are made of: constants, addressing, counted loops, branches, calls.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{F32, I32, I64, I8X16};
use cranelift_codegen::ir::{AbiParam, ConstantData, Endianness, InstBuilder, MemFlagsData, Signature, Type, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::FunctionBuilder;

use crate::plan::Buffer;

/// Loads and stores of generated code: never trapping, possibly unaligned.
pub(crate) fn mem() -> MemFlagsData {
    MemFlagsData::new().with_notrap()
}

/// The emitter of one step function `(arena, scratch, begin, end)`.
pub(crate) struct Fx<'a> {
    pub b: FunctionBuilder<'a>,
    pub arena: Value,
    pub scratch: Value,
    pub call_conv: CallConv,
}

impl<'a> Fx<'a> {
    pub fn ins(&mut self) -> cranelift_frontend::FuncInstBuilder<'_, 'a> {
        self.b.ins()
    }

    pub fn i64(&mut self, v: i64) -> Value {
        self.b.ins().iconst(I64, v)
    }

    pub fn i32(&mut self, v: i32) -> Value {
        self.b.ins().iconst(I32, i64::from(v))
    }

    pub fn f32(&mut self, v: f32) -> Value {
        self.b.ins().f32const(v)
    }

    /// A vector of `ty` with every lane `v` (an integer or f32 scalar of the lane type).
    pub fn splat(&mut self, ty: Type, v: Value) -> Value {
        self.b.ins().splat(ty, v)
    }

    pub fn splat_i32(&mut self, ty: Type, v: i64) -> Value {
        let lane = self.b.ins().iconst(ty.lane_type(), v);
        self.b.ins().splat(ty, lane)
    }

    pub fn splat_f32(&mut self, ty: Type, v: f32) -> Value {
        debug_assert_eq!(ty.lane_type(), F32);
        let lane = self.f32(v);
        self.b.ins().splat(ty, lane)
    }

    /// base + offset (a constant).
    pub fn offset(&mut self, base: Value, off: i64) -> Value {
        if off == 0 {
            base
        } else {
            self.b.ins().iadd_imm_s(base, off)
        }
    }

    /// base + index·scale.
    pub fn index(&mut self, base: Value, index: Value, scale: i64) -> Value {
        let scaled = if scale == 1 { index } else { self.b.ins().imul_imm_s(index, scale) };
        self.b.ins().iadd(base, scaled)
    }

    pub fn load(&mut self, ty: Type, p: Value, off: i64) -> Value {
        let (p, off) = self.small_offset(p, off);
        self.b.ins().load(ty, mem(), p, off)
    }

    pub fn store(&mut self, v: Value, p: Value, off: i64) {
        let (p, off) = self.small_offset(p, off);
        self.b.ins().store(mem(), v, p, off);
    }

    /// A byte, zero-extended to `ty`.
    pub fn load_u8(&mut self, ty: Type, p: Value, off: i64) -> Value {
        let (p, off) = self.small_offset(p, off);
        self.b.ins().uload8(ty, mem(), p, off)
    }

    pub fn store_u8(&mut self, v: Value, p: Value, off: i64) {
        let (p, off) = self.small_offset(p, off);
        self.b.ins().istore8(mem(), v, p, off);
    }

    fn small_offset(&mut self, p: Value, off: i64) -> (Value, i32) {
        match i32::try_from(off) {
            Ok(o) => (p, o),
            Err(_) => (self.offset(p, off), 0),
        }
    }

    /// The address of a buffer: the arena region, or the caller's pointer from
    /// the I/O table at the arena's start.
    pub fn buffer(&mut self, buf: &Buffer) -> Value {
        match buf.io {
            Some(slot) => {
                let arena = self.arena;
                self.load(I64, arena, 8 * slot as i64)
            }
            None => {
                let arena = self.arena;
                self.offset(arena, buf.offset as i64)
            }
        }
    }

    /// `for i in (begin..end).step_by(step) { body(i) }`, i64 counters.
    pub fn for_range(&mut self, begin: Value, end: Value, step: i64, body: impl FnOnce(&mut Self, Value)) {
        let looped = self.b.create_block();
        let exit = self.b.create_block();
        let i = self.b.append_block_param(looped, I64);
        let enter = self.b.ins().icmp(IntCC::SignedLessThan, begin, end);
        self.b.ins().brif(enter, looped, &[begin.into()], exit, &[]);
        self.b.switch_to_block(looped);
        body(self, i);
        let next = self.b.ins().iadd_imm_s(i, step);
        let again = self.b.ins().icmp(IntCC::SignedLessThan, next, end);
        self.b.ins().brif(again, looped, &[next.into()], exit, &[]);
        self.b.switch_to_block(exit);
    }

    /// A loop from constant bounds.
    pub fn for_static(&mut self, begin: i64, end: i64, step: i64, body: impl FnOnce(&mut Self, Value)) {
        if begin >= end {
            return;
        }
        let (b, e) = (self.i64(begin), self.i64(end));
        self.for_range(b, e, step, body);
    }

    /// `if cond { then } else { otherwise }`.
    pub fn if_else(&mut self, cond: Value, then: impl FnOnce(&mut Self), otherwise: impl FnOnce(&mut Self)) {
        let yes = self.b.create_block();
        let no = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(cond, yes, &[], no, &[]);
        self.b.switch_to_block(yes);
        then(self);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(no);
        otherwise(self);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(done);
    }

    /// Calls the function at address `callee` taking `args.len()` integer arguments.
    pub fn call_indirect(&mut self, callee: Value, args: &[Value]) {
        let mut sig = Signature::new(self.call_conv);
        sig.params.extend(args.iter().map(|_| AbiParam::new(I64)));
        let sig = self.b.import_signature(sig);
        self.b.ins().call_indirect(sig, callee, args);
    }

    /// Vector `ty` reinterpreted as `to` (same bits, little-endian lanes).
    pub fn cast(&mut self, to: Type, v: Value) -> Value {
        self.b.ins().bitcast(to, MemFlagsData::new().with_endianness(Endianness::Little), v)
    }

    /// Σ of adjacent i16 products as i32x4: the tree Cranelift lowers to `pmaddwd`.
    pub fn pmaddwd(&mut self, x: Value, y: Value) -> Value {
        let (xl, yl) = (self.b.ins().swiden_low(x), self.b.ins().swiden_low(y));
        let (xh, yh) = (self.b.ins().swiden_high(x), self.b.ins().swiden_high(y));
        let lo = self.b.ins().imul(xl, yl);
        let hi = self.b.ins().imul(xh, yh);
        self.b.ins().iadd_pairwise(lo, hi)
    }

    /// Lanes picked from the 32 bytes of `a` then `b`.
    pub fn shuffle(&mut self, a: Value, b: Value, mask: [u8; 16]) -> Value {
        let imm = self.b.func.dfg.immediates.push(ConstantData::from(mask.as_ref()));
        let (a, b) = (self.cast(I8X16, a), self.cast(I8X16, b));
        self.b.ins().shuffle(a, b, imm)
    }
}
