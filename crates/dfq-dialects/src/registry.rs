//! The registry of known ops; it verifies ops for `dfq_ir`'s verifier.

use std::collections::HashMap;
use std::sync::OnceLock;

use dfq_ir::{Diagnostic, Function, OpId, OpVerifier};

use crate::def::OpDef;
use crate::generated::DIALECTS;

/// Every op of every dialect in `dialects/*.toml`.
#[derive(Clone, Debug)]
pub struct Registry {
    ops: HashMap<&'static str, &'static OpDef>,
    allow_unregistered: bool,
}

/// The registry of all dialects, rejecting ops of unknown dialects.
pub fn registry() -> &'static Registry {
    static REGISTRY: OnceLock<Registry> = OnceLock::new();
    REGISTRY.get_or_init(Registry::new)
}

impl Registry {
    pub fn new() -> Registry {
        let ops = DIALECTS.iter().flat_map(|d| d.ops.iter()).map(|&op| (op.name, op)).collect();
        Registry { ops, allow_unregistered: false }
    }

    /// Whether ops of unknown dialects pass verification unchecked (as with
    /// mlir-opt's `--allow-unregistered-dialect`). Unknown ops of known dialects
    /// are errors either way.
    pub fn allow_unregistered(mut self, allow: bool) -> Registry {
        self.allow_unregistered = allow;
        self
    }

    pub fn allows_unregistered(&self) -> bool {
        self.allow_unregistered
    }

    pub fn lookup(&self, name: &str) -> Option<&'static OpDef> {
        self.ops.get(name).copied()
    }

    pub fn has_dialect(&self, name: &str) -> bool {
        DIALECTS.iter().any(|d| d.name == name)
    }

    /// All known ops, sorted by name.
    pub fn ops(&self) -> Vec<&'static OpDef> {
        let mut ops: Vec<_> = self.ops.values().copied().collect();
        ops.sort_by_key(|op| op.name);
        ops
    }
}

impl Default for Registry {
    fn default() -> Registry {
        Registry::new()
    }
}

impl OpVerifier for Registry {
    fn verify_op(&self, func: &Function, op: OpId, diags: &mut Vec<Diagnostic>) {
        crate::verify::verify_op(self, func, op, diags);
    }
}
