//! Code generation: one Cranelift function per step, `(arena, scratch, begin,
//! end)`, running items begin..end of it, and `main(runtime, arena)`, which walks
//! the steps in order and hands each to the runtime's parallel loop.

mod copy;
mod elementwise;
pub(crate) mod fx;
mod gemm;
mod reduce;
mod rescale;
mod tile;
mod window;

use cranelift_codegen::ir::types::I64;
use cranelift_codegen::ir::{AbiParam, InstBuilder, Signature, UserFuncName, Value};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings::{self, Configurable};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, FuncId, Linkage, Module};

use crate::error::JitError;
use crate::plan::steps::{GemmStep, KernelRef, QDepthwise, Step, WindowOp};
use crate::plan::{Buffer, ConstPool, Plan};
use fx::Fx;

/// The machine code of a compiled function; freed on drop.
pub(crate) struct Code {
    module: Option<JITModule>,
    /// `main(runtime, arena)`.
    pub main: *const u8,
}

impl Drop for Code {
    fn drop(&mut self) {
        if let Some(m) = self.module.take() {
            // SAFETY: no pointer into the code outlives the compiled function.
            unsafe { m.free_memory() };
        }
    }
}

fn codegen_error(e: impl std::fmt::Display) -> JitError {
    JitError::new(format!("code generation failed: {e}"), None)
}

/// What one generated function is built with: the module it goes into and the
/// contexts Cranelift reuses from one function to the next.
struct Builder {
    module: JITModule,
    ctx: cranelift_codegen::Context,
    fbc: FunctionBuilderContext,
}

impl Builder {
    /// Declares a local function `name` of signature `sig` and defines it: `body`
    /// fills its entry block, given the block's parameters, and hands the builder
    /// back; the return is added here. Errors name `name`.
    fn define(
        &mut self,
        name: &str,
        sig: &Signature,
        body: impl for<'f> FnOnce(FunctionBuilder<'f>, &mut JITModule, &[Value]) -> Result<FunctionBuilder<'f>, JitError>,
    ) -> Result<FuncId, JitError> {
        let id = self.module.declare_function(name, Linkage::Local, sig).map_err(codegen_error)?;
        self.ctx.func.signature = sig.clone();
        self.ctx.func.name = UserFuncName::user(0, id.as_u32());
        let mut b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fbc);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let mut b = body(b, &mut self.module, &params)?;
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(self.module.target_config());
        self.module.define_function(id, &mut self.ctx).map_err(|e| codegen_error(format!("{name}: {e:?}")))?;
        self.module.clear_context(&mut self.ctx);
        Ok(id)
    }
}

/// A signature of `n` i64 parameters and no results.
fn i64_signature(call_conv: CallConv, n: usize) -> Signature {
    let mut sig = Signature::new(call_conv);
    sig.params.extend(std::iter::repeat_n(AbiParam::new(I64), n));
    sig
}

/// Generates the code of `plan`; `parallel_for` is the runtime's loop.
pub(crate) fn compile(plan: &mut Plan, parallel_for: i64) -> Result<Code, JitError> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(codegen_error)?;
    flags.set("is_pic", "false").map_err(codegen_error)?;
    flags.set("use_colocated_libcalls", "false").map_err(codegen_error)?;
    let isa = cranelift_native::builder().map_err(codegen_error)?.finish(settings::Flags::new(flags)).map_err(codegen_error)?;
    let call_conv = isa.default_call_conv();
    let module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let ctx = module.make_context();
    let mut builder = Builder { module, ctx, fbc: FunctionBuilderContext::new() };

    let step_sig = i64_signature(call_conv, 4);
    let kernel_sig = i64_signature(call_conv, 8);
    let Plan { steps, buffers, pool, .. } = plan;
    let mut ids: Vec<(FuncId, usize)> = Vec::new();
    for (i, (step, label)) in steps.iter().enumerate() {
        let items = step.items();
        if items == 0 {
            continue;
        }
        // The generated GEMM tile this step calls, if any.
        let tile = match step {
            Step::Gemm(GemmStep { kernel: KernelRef::Generated { k16, out }, .. }) => {
                let id = builder.define(&format!("tile{i}"), &kernel_sig, |b, _, p| {
                    let mut fx = Fx { b, arena: p[0], scratch: p[0], call_conv };
                    tile::emit(&mut fx, p, *k16, *out);
                    Ok(fx.b)
                });
                Some(id.map_err(|e| JitError::new(format!("{label}: {e}"), None))?)
            }
            _ => None,
        };
        let id = builder.define(&format!("step{i}"), &step_sig, |mut b, module, p| {
            let kernel = tile.map(|id| {
                let f = module.declare_func_in_func(id, b.func);
                b.ins().func_addr(I64, f)
            });
            let mut fx = Fx { b, arena: p[0], scratch: p[1], call_conv };
            emit_step(&mut fx, step, buffers, pool, kernel, p[2], p[3]).map_err(|e| JitError::new(e, None))?;
            Ok(fx.b)
        });
        let id = id.map_err(|e| JitError::new(format!("{label}: {e}"), None))?;
        ids.push((id, items));
    }

    let main = builder.define("main", &i64_signature(call_conv, 2), |mut b, module, p| {
        let pf_sig = b.import_signature(i64_signature(call_conv, 4));
        for &(id, items) in &ids {
            let f = module.declare_func_in_func(id, b.func);
            let addr = b.ins().func_addr(I64, f);
            let callee = b.ins().iconst(I64, parallel_for);
            let n = b.ins().iconst(I64, items as i64);
            b.ins().call_indirect(pf_sig, callee, &[p[0], addr, p[1], n]);
        }
        Ok(b)
    })?;
    let mut module = builder.module;
    module.finalize_definitions().map_err(codegen_error)?;
    let main = module.get_finalized_function(main);
    Ok(Code { module: Some(module), main })
}

/// `tile`: the address of the step's generated GEMM tile, if it has one.
fn emit_step(
    fx: &mut Fx,
    step: &Step,
    buffers: &[Buffer],
    pool: &mut ConstPool,
    tile: Option<Value>,
    begin: Value,
    end: Value,
) -> Result<(), String> {
    let (inputs, output) = step.io();
    let ins: Vec<_> = inputs.iter().map(|&b| fx.buffer(&buffers[b])).collect();
    let out = fx.buffer(&buffers[output]);
    match step {
        Step::Gemm(s) => {
            let kernel = match (s.kernel, tile) {
                (KernelRef::Rust(addr), _) => fx.i64(addr),
                (KernelRef::Generated { .. }, Some(t)) => t,
                (KernelRef::Generated { .. }, None) => return Err("internal: no generated tile".into()),
            };
            gemm::emit(fx, s, ins[0], out, kernel, begin, end);
        }
        Step::Window(s) => match &s.op {
            WindowOp::QDepthwise(QDepthwise { kernel: Some((layer, row)), .. }) => window::rows_by_kernel(fx, s, *layer, *row, ins[0], out, begin, end),
            _ => window::WindowEmitter::new(s, pool)?.emit(fx, ins[0], out, begin, end, pool)?,
        },
        Step::GlobalPool(s) => reduce::global_pool(fx, s, ins[0], out, begin, end, pool)?,
        Step::Map(s) => elementwise::map(fx, &s.op, ins[0], out, s.len, begin, end),
        Step::Binary(s) => elementwise::binary(fx, &s.op, ins[0], ins[1], out, s.len, begin, end),
        Step::Copy(s) => copy::copy(fx, s, ins[0], out, begin, end),
        Step::Transpose(s) => copy::transpose(fx, s, ins[0], out, begin, end),
        Step::Kernel(s) => {
            let (layer, kernel) = (fx.i64(s.layer), fx.i64(s.kernel as *const () as usize as i64));
            fx.call_indirect(kernel, &[layer, ins[0], out, begin, end]);
        }
    }
    Ok(())
}
