//! What `--eval` needs of an entry function: one image argument
//! `tensor<Nx3xHxWxf32>` (NCHW, RGB) and class scores `[N, C]` as its first
//! result. Float, QDQ and lowered int8 models all have this f32 signature.

use dfq_ir::{ElementType, Function, Type};

use super::preprocess::Geometry;
use crate::run::Failure;

/// An entry function checked for evaluation.
pub struct Classifier<'a> {
    pub func: &'a Function,
    /// Images per run.
    pub batch: usize,
    /// Whether the signature fixes the batch.
    pub fixed_batch: bool,
    pub geometry: Geometry,
    pub classes: usize,
}

impl<'a> Classifier<'a> {
    /// Checks `func`'s signature. `batch` is --batch: it chooses the batch of a
    /// dynamic batch dimension (1 without it) and must agree with a fixed one.
    pub fn new(func: &'a Function, batch: Option<usize>) -> Result<Classifier<'a>, Failure> {
        let [arg] = func.args.as_slice() else {
            return Err(Failure::at(
                func.loc.clone(),
                format!(
                    "--eval feeds '@{}' one batch of RGB images, tensor<Nx3xHxWxf32>, but it takes {} arguments",
                    func.name,
                    func.args.len()
                ),
            ));
        };
        let not_images = || {
            Failure::at(
                arg.loc.clone(),
                format!(
                    "--eval feeds '@{}' RGB images as tensor<Nx3xHxWxf32> (NCHW, fixed H and W), \
                     but its argument is {}",
                    func.name, arg.ty
                ),
            )
        };
        let (dims, element) = tensor(&arg.ty).ok_or_else(not_images)?;
        let [n, Some(3), Some(h), Some(w)] = dims[..] else { return Err(not_images()) };
        if element != &ElementType::F32 || h == 0 || w == 0 {
            return Err(not_images());
        }
        let batch = match (n, batch) {
            (Some(n), Some(b)) if n != b => {
                return Err(Failure::at(
                    arg.loc.clone(),
                    format!(
                        "--batch {b} does not match '@{}', whose signature fixes the batch at {n} ({}); \
                         import the model with --input-shape {b},3,{h},{w} for batches of {b}",
                        func.name, arg.ty
                    ),
                ))
            }
            (Some(n), _) => n,
            (None, b) => b.unwrap_or(1),
        };
        let classes = class_count(func, n).ok_or_else(|| {
            let result = func.result_types.first().map_or("nothing".to_string(), |t| t.to_string());
            Failure::at(
                func.loc.clone(),
                format!("--eval reads the first result of '@{}' as class scores [N, C], but it is {result}", func.name),
            )
        })?;
        let geometry = Geometry { height: h as u32, width: w as u32 };
        Ok(Classifier { func, batch, fixed_batch: n.is_some(), geometry, classes })
    }

    /// Checks that `reference` can run on the same batches and scores the same classes.
    pub fn check_reference(&self, reference: &Classifier) -> Result<(), Failure> {
        let same_batches = !reference.fixed_batch || reference.batch == self.batch;
        if reference.geometry != self.geometry || reference.classes != self.classes || !same_batches {
            return Err(Failure::at(
                reference.func.loc.clone(),
                format!(
                    "the reference '@{}' ({}) must take the model's input and give its classes: {}",
                    reference.func.name,
                    signature(reference.func),
                    signature(self.func)
                ),
            ));
        }
        Ok(())
    }
}

/// `tensor<1x3x224x224xf32> -> tensor<1x1000xf32>`.
fn signature(func: &Function) -> String {
    let args: Vec<String> = func.args.iter().map(|a| a.ty.to_string()).collect();
    let results: Vec<String> = func.result_types.iter().map(|t| t.to_string()).collect();
    format!("{} -> {}", args.join(", "), results.join(", "))
}

/// The dimensions (`None` where dynamic) and element type of a tensor type.
fn tensor(ty: &Type) -> Option<(Vec<Option<usize>>, &ElementType)> {
    let t = ty.as_tensor()?;
    let dims = t.shape.iter().map(|d| d.and_then(|d| usize::try_from(d).ok())).collect();
    Some((dims, ty.element()))
}

/// C of a first result `[N, C, 1, ...]` whose batch matches the input's.
fn class_count(func: &Function, batch: Option<usize>) -> Option<usize> {
    let (dims, _) = tensor(func.result_types.first()?)?;
    let (first, rest) = dims.split_first()?;
    if first.is_some() && *first != batch || rest.is_empty() {
        return None;
    }
    let classes = rest.iter().try_fold(1usize, |acc, d| d.map(|d| acc * d))?;
    (classes > 0).then_some(classes)
}
