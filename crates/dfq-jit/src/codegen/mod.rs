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

/// Generates the code of `plan`; `parallel_for` is the runtime's loop.
pub(crate) fn compile(plan: &mut Plan, parallel_for: i64) -> Result<Code, JitError> {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").map_err(codegen_error)?;
    flags.set("is_pic", "false").map_err(codegen_error)?;
    flags.set("use_colocated_libcalls", "false").map_err(codegen_error)?;
    let isa = cranelift_native::builder().map_err(codegen_error)?.finish(settings::Flags::new(flags)).map_err(codegen_error)?;
    let call_conv = isa.default_call_conv();
    let mut module = JITModule::new(JITBuilder::with_isa(isa, default_libcall_names()));
    let mut ctx = module.make_context();
    let mut fbc = FunctionBuilderContext::new();

    let mut step_sig = Signature::new(call_conv);
    step_sig.params.extend([AbiParam::new(I64); 4]);
    let Plan { steps, buffers, pool, .. } = plan;
    let mut ids: Vec<(FuncId, usize)> = Vec::new();
    let mut kernel_sig = Signature::new(call_conv);
    kernel_sig.params.extend([AbiParam::new(I64); 8]);
    for (i, (step, label)) in steps.iter().enumerate() {
        let items = step.items();
        if items == 0 {
            continue;
        }
        // The generated GEMM tile this step calls, if any.
        let tile = match step {
            Step::Gemm(GemmStep { kernel: KernelRef::Generated { k16, out }, .. }) => {
                let id = module.declare_function(&format!("tile{i}"), Linkage::Local, &kernel_sig).map_err(codegen_error)?;
                ctx.func.signature = kernel_sig.clone();
                ctx.func.name = UserFuncName::user(0, id.as_u32());
                {
                    let mut b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
                    let entry = b.create_block();
                    b.append_block_params_for_function_params(entry);
                    b.switch_to_block(entry);
                    let p = b.block_params(entry).to_vec();
                    let mut fx = Fx { b, arena: p[0], scratch: p[0], call_conv };
                    tile::emit(&mut fx, &p, *k16, *out);
                    fx.b.ins().return_(&[]);
                    fx.b.seal_all_blocks();
                    fx.b.finalize(module.target_config());
                }
                module.define_function(id, &mut ctx).map_err(|e| codegen_error(format!("{label}: {e:?}")))?;
                module.clear_context(&mut ctx);
                Some(id)
            }
            _ => None,
        };
        let id = module.declare_function(&format!("step{i}"), Linkage::Local, &step_sig).map_err(codegen_error)?;
        ctx.func.signature = step_sig.clone();
        ctx.func.name = UserFuncName::user(0, id.as_u32());
        {
            let mut b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
            let entry = b.create_block();
            b.append_block_params_for_function_params(entry);
            b.switch_to_block(entry);
            let p = b.block_params(entry).to_vec();
            let kernel = tile.map(|id| {
                let f = module.declare_func_in_func(id, b.func);
                b.ins().func_addr(I64, f)
            });
            let mut fx = Fx { b, arena: p[0], scratch: p[1], call_conv };
            emit_step(&mut fx, step, buffers, pool, kernel, p[2], p[3]).map_err(|e| JitError::new(format!("{label}: {e}"), None))?;
            fx.b.ins().return_(&[]);
            fx.b.seal_all_blocks();
            fx.b.finalize(module.target_config());
        }
        module.define_function(id, &mut ctx).map_err(|e| codegen_error(format!("{label}: {e:?}")))?;
        module.clear_context(&mut ctx);
        ids.push((id, items));
    }

    let mut main_sig = Signature::new(call_conv);
    main_sig.params.extend([AbiParam::new(I64); 2]);
    let main = module.declare_function("main", Linkage::Local, &main_sig).map_err(codegen_error)?;
    ctx.func.signature = main_sig;
    ctx.func.name = UserFuncName::user(0, main.as_u32());
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, &mut fbc);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let p = b.block_params(entry).to_vec();
        let mut pf_sig = Signature::new(call_conv);
        pf_sig.params.extend([AbiParam::new(I64); 4]);
        let pf_sig = b.import_signature(pf_sig);
        for &(id, items) in &ids {
            let f = module.declare_func_in_func(id, b.func);
            let addr = b.ins().func_addr(I64, f);
            let callee = b.ins().iconst(I64, parallel_for);
            let n = b.ins().iconst(I64, items as i64);
            b.ins().call_indirect(pf_sig, callee, &[p[0], addr, p[1], n]);
        }
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(module.target_config());
    }
    module.define_function(main, &mut ctx).map_err(|e| codegen_error(format!("main: {e:?}")))?;
    module.clear_context(&mut ctx);
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
