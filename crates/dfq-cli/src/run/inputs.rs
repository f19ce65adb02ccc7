//! The entry function's inputs: `.npy` files checked against its signature.

use dfq_interp::{expected_input, Tensor};
use dfq_ir::Function;

use super::npy;
use super::Failure;
use crate::io;

/// Reads one `.npy` file per argument of `func`, in order, and checks each
/// against its argument's type, so that a mismatch names the file and the
/// argument rather than surfacing later inside an op.
pub fn read_inputs(func: &Function, files: &[String]) -> Result<Vec<Tensor>, Failure> {
    if files.len() != func.args.len() {
        let given = match files.len() {
            0 => "no --input was given (or use --random-input)".to_string(),
            1 => "1 --input was given".to_string(),
            n => format!("{n} --input files were given"),
        };
        return Err(Failure::plain(format!(
            "'@{}' takes {}{}, but {given}",
            func.name,
            count(func.args.len(), "argument"),
            signature(func)
        )));
    }
    files.iter().enumerate().map(|(i, path)| read_input(func, i, path)).collect()
}

fn read_input(func: &Function, index: usize, path: &str) -> Result<Tensor, Failure> {
    let bytes = io::read_input(path).map_err(Failure::plain)?;
    let name = crate::load::display_name(path);
    let tensor = npy::decode(name, &bytes).map_err(Failure::plain)?;
    let (shape, dtype) = expected_input(func, index)?;
    if tensor.shape != shape || tensor.dtype() != dtype {
        let arg = &func.args[index];
        let declared = arg.ty.to_string();
        let wanted = tensor_type(&shape, dtype);
        // A quantized argument holds its storage integers: say which.
        let stored = if declared == wanted { String::new() } else { format!(" (stored as {wanted})") };
        return Err(Failure::at(
            arg.loc.clone(),
            format!(
                "input '{name}' does not match {}: expected {declared}{stored}, the file holds {} ({})",
                arg_name(func, index),
                tensor_type(&tensor.shape, tensor.dtype()),
                npy::numpy_dtype(tensor.dtype()),
            ),
        ));
    }
    Ok(tensor)
}

/// `tensor<1x3xf32>`.
fn tensor_type(shape: &[usize], dtype: &str) -> String {
    let dims: String = shape.iter().map(|d| format!("{d}x")).collect();
    format!("tensor<{dims}{dtype}>")
}

/// `argument #0 (%x) of '@main'`.
fn arg_name(func: &Function, index: usize) -> String {
    match &func.args[index].name {
        Some(name) => format!("argument #{index} (%{name}) of '@{}'", func.name),
        None => format!("argument #{index} of '@{}'", func.name),
    }
}

/// ` (%x: tensor<1x3xf32>, %y: tensor<3xf32>)`, nothing without arguments.
fn signature(func: &Function) -> String {
    if func.args.is_empty() {
        return String::new();
    }
    let args: Vec<String> = func
        .args
        .iter()
        .enumerate()
        .map(|(i, a)| match &a.name {
            Some(name) => format!("%{name}: {}", a.ty),
            None => format!("#{i}: {}", a.ty),
        })
        .collect();
    format!(" ({})", args.join(", "))
}

/// `1 argument`, `2 arguments`.
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}
