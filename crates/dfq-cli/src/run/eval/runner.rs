//! Running a classifier (and its reference) over the labelled images: batches
//! in parallel on rayon's threads, images that cannot be decoded skipped.

use std::path::Path;

use dfq_interp::Tensor;
use indicatif::ProgressBar;
use rayon::prelude::*;

use super::classifier::Classifier;
use super::labels::Labelled;
use super::preprocess::{load_image, Preprocess};
use super::score::Tally;
use crate::run::{Failure, Prepared};

pub struct Evaluation<'a> {
    pub model: &'a Classifier<'a>,
    /// The model, ready to run.
    pub engine: &'a Prepared<'a>,
    /// The reference model, ready to run.
    pub reference: Option<&'a Prepared<'a>>,
    pub dir: &'a Path,
    pub preprocess: Preprocess,
}

impl Evaluation<'_> {
    /// Evaluates every image of `images`; stops at the first error of a model.
    pub fn run(&self, images: &[Labelled], progress: &ProgressBar) -> Result<Tally, Failure> {
        images
            .par_chunks(self.model.batch)
            .map(|chunk| {
                let tally = self.run_batch(chunk, progress);
                progress.inc(chunk.len() as u64);
                tally
            })
            .try_reduce(Tally::default, |a, b| Ok(a.merge(b)))
    }

    fn run_batch(&self, chunk: &[Labelled], progress: &ProgressBar) -> Result<Tally, Failure> {
        let geometry = self.model.geometry;
        let mut tally = Tally::default();
        let mut values = Vec::with_capacity(self.model.batch * geometry.len());
        let mut labels = Vec::with_capacity(chunk.len());
        for item in chunk {
            let path = self.dir.join(&item.file);
            match load_image(&path, geometry, self.preprocess) {
                Ok(image) => {
                    values.extend(image);
                    labels.push(item.class);
                }
                Err(why) => {
                    progress.suspend(|| eprintln!("dfq-run: warning: skipping '{}': {why}", path.display()));
                    tally.skipped.push((item.file.clone(), why));
                }
            }
        }
        if labels.is_empty() {
            return Ok(tally);
        }
        // A short batch is filled up with blank images, whose scores are ignored: a
        // fixed batch needs it (the reference's may be fixed even if the model's is not).
        let rows = self.model.batch;
        values.resize(rows * geometry.len(), 0.0);
        let shape = vec![rows, 3, geometry.height as usize, geometry.width as usize];
        let input = Tensor::from_f32(shape, values);
        let reference = match self.reference {
            Some(r) => Some(self.scores(r, input.clone())?),
            None => None,
        };
        let scores = self.scores(self.engine, input)?;
        let classes = self.model.classes;
        for (i, &label) in labels.iter().enumerate() {
            let row = i * classes..(i + 1) * classes;
            tally.add(&scores[row.clone()], label, reference.as_ref().map(|r| &r[row]));
        }
        Ok(tally)
    }

    /// The first result of `model` on `input`, as f32 (quantized results as their
    /// stored integers, which rank classes the same way), one row per input image.
    fn scores(&self, model: &Prepared, input: Tensor) -> Result<Vec<f32>, Failure> {
        let (rows, func) = (input.shape[0], model.func);
        let results = model.run(vec![input])?;
        let scores = results.first().map(Tensor::to_f32_lossy).unwrap_or_default();
        if scores.len() != rows * self.model.classes {
            let shape = results.first().map(|t| format!("{:?}", t.shape)).unwrap_or_default();
            return Err(Failure::at(
                func.loc.clone(),
                format!("'@{}' returned class scores of shape {shape} for {rows} images", func.name),
            ));
        }
        Ok(scores)
    }
}
