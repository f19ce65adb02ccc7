//! Passes, their registry, and the manager that runs a pipeline.

use std::fmt;

use dfq_ir::{Diagnostic, Diagnostics, Module};

use crate::options::{OptionSpec, PassOptions};
use crate::pipeline::PipelineEntry;

/// What a pass reports besides the rewritten module: remarks and warnings.
#[derive(Default)]
pub struct PassContext {
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum PassError {
    /// The input cannot be transformed (e.g. a missing input range); located.
    Diagnostics(Diagnostics),
    Message(String),
}

impl fmt::Display for PassError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PassError::Diagnostics(d) => d.fmt(f),
            PassError::Message(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for PassError {}

impl From<Diagnostic> for PassError {
    fn from(d: Diagnostic) -> PassError {
        PassError::Diagnostics(d.into())
    }
}

pub trait Pass {
    fn name(&self) -> &'static str;
    fn run(&self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError>;
}

/// How to make a pass: its flag name, a one-line summary, its options.
pub struct PassInfo {
    pub name: &'static str,
    pub summary: &'static str,
    pub options: &'static [OptionSpec],
    pub create: fn(&PassOptions) -> Result<Box<dyn Pass>, String>,
}

#[derive(Default)]
pub struct PassRegistry {
    passes: Vec<PassInfo>,
}

impl PassRegistry {
    pub fn register(&mut self, info: PassInfo) {
        assert!(self.get(info.name).is_none(), "pass '{}' registered twice", info.name);
        self.passes.push(info);
    }

    pub fn get(&self, name: &str) -> Option<&PassInfo> {
        self.passes.iter().find(|p| p.name == name)
    }

    /// All passes, sorted by name.
    pub fn passes(&self) -> Vec<&PassInfo> {
        let mut all: Vec<_> = self.passes.iter().collect();
        all.sort_by_key(|p| p.name);
        all
    }

    /// Instantiates a pass from its name and option text.
    pub fn create(&self, entry: &PipelineEntry) -> Result<(Box<dyn Pass>, PassOptions), String> {
        let info = self.get(&entry.name).ok_or_else(|| {
            let names: Vec<_> = self.passes().iter().map(|p| p.name).collect();
            format!("unknown pass '{}' (known passes: {})", entry.name, names.join(", "))
        })?;
        let options = PassOptions::parse(info.name, &entry.options, info.options)?;
        let pass = (info.create)(&options)?;
        Ok((pass, options))
    }
}

type Verifier = Box<dyn Fn(&Module) -> Result<(), Diagnostics>>;
type AfterPassHook = Box<dyn FnMut(&str, &Module)>;

/// Runs passes in order, verifying the module after each one so a broken pass is
/// caught where it broke things.
pub struct PassManager {
    passes: Vec<Box<dyn Pass>>,
    verifier: Option<Verifier>,
    after_pass: Option<AfterPassHook>,
}

impl PassManager {
    pub fn new() -> PassManager {
        PassManager { passes: Vec::new(), verifier: None, after_pass: None }
    }

    pub fn add(&mut self, pass: Box<dyn Pass>) {
        self.passes.push(pass);
    }

    pub fn verify_each(&mut self, verifier: impl Fn(&Module) -> Result<(), Diagnostics> + 'static) {
        self.verifier = Some(Box::new(verifier));
    }

    /// Called with the pass name and the module after every pass.
    pub fn after_each(&mut self, hook: impl FnMut(&str, &Module) + 'static) {
        self.after_pass = Some(Box::new(hook));
    }

    pub fn run(&mut self, module: &mut Module, ctx: &mut PassContext) -> Result<(), PassError> {
        for pass in &self.passes {
            pass.run(module, ctx)?;
            if let Some(verify) = &self.verifier {
                verify(module).map_err(|mut d| {
                    d.0.insert(0, Diagnostic::error(None, format!("pass '{}' produced invalid IR", pass.name())));
                    PassError::Diagnostics(d)
                })?;
            }
            if let Some(hook) = &mut self.after_pass {
                hook(pass.name(), module);
            }
        }
        Ok(())
    }
}

impl Default for PassManager {
    fn default() -> PassManager {
        PassManager::new()
    }
}
