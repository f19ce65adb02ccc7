//! Real MLIR through melior (feature `mlir`): parse dfq's text with every
//! upstream dialect registered and unregistered dialects allowed (as
//! `mlir-opt --allow-unregistered-dialect` does), verify it, and print it back.
//!
//! MLIR's diagnostics come back as dfq [`Diagnostic`]s located in the source
//! file, so they render like dfq's own (`file:line:col: error: ...` and a caret).

use std::cell::RefCell;
use std::rc::Rc;

use dfq_ir::{Diagnostic, Diagnostics, Location, Severity, SourceFile};
use melior::diagnostic::DiagnosticSeverity;
use melior::dialect::DialectRegistry;
use melior::ir::operation::{OperationLike, OperationPrintingFlags};
use melior::ir::Module;
use melior::utility::register_all_dialects;
use melior::Context;

/// An MLIR context with every upstream dialect loaded.
pub struct Mlir {
    context: Context,
}

/// How [`Mlir::print`] writes the module.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PrintForm {
    /// Registered ops in their custom syntax, as `mlir-opt` prints by default.
    Custom,
    /// Every op in generic syntax, as `mlir-opt --mlir-print-op-generic`.
    Generic,
}

impl Default for Mlir {
    fn default() -> Mlir {
        Mlir::new()
    }
}

impl Mlir {
    pub fn new() -> Mlir {
        let registry = DialectRegistry::new();
        register_all_dialects(&registry);
        // One thread: verification of a model is quick, and tests run many contexts.
        let context = Context::new_with_registry(&registry, false);
        context.load_all_available_dialects();
        context.set_allow_unregistered_dialects(true);
        Mlir { context }
    }

    /// Parses and verifies `src` as MLIR does; its errors, located in `src`.
    pub fn verify(&self, src: &SourceFile) -> Result<(), Diagnostics> {
        self.with_module(src, |_| Ok(()))
    }

    /// Parses and verifies `src`, then prints it as MLIR does, with its
    /// `dialect_resources` (blobs are never elided).
    pub fn print(&self, src: &SourceFile, form: PrintForm) -> Result<String, Diagnostics> {
        self.with_module(src, |module| {
            let mut flags = OperationPrintingFlags::new();
            if form == PrintForm::Generic {
                flags = flags.print_generic_operation_form();
            }
            module.as_operation().to_string_with_flags(flags).map_err(|e| {
                Diagnostics(vec![Diagnostic::error(None, format!("MLIR printed text that is not UTF-8: {e}"))])
            })
        })
    }

    fn with_module<T>(
        &self,
        src: &SourceFile,
        then: impl FnOnce(&Module) -> Result<T, Diagnostics>,
    ) -> Result<T, Diagnostics> {
        if let Some(offset) = src.text().find('\0') {
            // The C API takes a NUL-terminated string.
            let d = Diagnostic::error(Some(src.location(offset)), "NUL byte in the source: MLIR cannot read it");
            return Err(Diagnostics(vec![d]));
        }
        let collected: Rc<RefCell<Vec<Diagnostic>>> = Rc::default();
        let sink = collected.clone();
        // A chunk of a --split-input-file input starts at a later line of its file.
        let origin = Origin { file: src.name().clone(), first_line: src.location(0).line };
        let handler = self.context.attach_diagnostic_handler(move |d| {
            sink.borrow_mut().push(convert(&d, &origin));
            true
        });
        let result = match Module::parse(&self.context, src.text()) {
            None => Err(()),
            Some(module) if !module.as_operation().verify() => Err(()),
            Some(module) => Ok(then(&module)),
        };
        self.context.detach_diagnostic_handler(handler);
        let mut diags = std::mem::take(&mut *collected.borrow_mut());
        match result {
            Ok(value) => value,
            Err(()) => {
                if !diags.iter().any(|d| d.severity == Severity::Error) {
                    diags.push(Diagnostic::error(None, "MLIR rejected the module without a diagnostic"));
                }
                Err(Diagnostics(diags))
            }
        }
    }
}

/// Where the text MLIR parsed came from.
struct Origin {
    file: std::sync::Arc<str>,
    first_line: u32,
}

/// An MLIR diagnostic, its message prefixed so a reader knows who said it.
fn convert(d: &melior::diagnostic::Diagnostic, origin: &Origin) -> Diagnostic {
    let severity = match d.severity() {
        DiagnosticSeverity::Error => Severity::Error,
        DiagnosticSeverity::Warning => Severity::Warning,
        DiagnosticSeverity::Remark | DiagnosticSeverity::Note => Severity::Remark,
    };
    let mut out = Diagnostic::new(severity, location(d, origin), format!("MLIR: {d}"));
    for i in 0..d.note_count() {
        if let Ok(note) = d.note(i) {
            out = out.with_note(location(&note, origin), note.to_string());
        }
    }
    out
}

/// MLIR parses from an anonymous buffer: its line:col are the text's.
fn location(d: &melior::diagnostic::Diagnostic, origin: &Origin) -> Option<Location> {
    let loc = d.location();
    if !loc.is_file_line_col_range() {
        return None;
    }
    let line = u32::try_from(loc.file_line_col_range_start_line()).ok()?;
    let col = u32::try_from(loc.file_line_col_range_start_column()).ok()?;
    (line > 0).then(|| Location { file: origin.file.clone(), line: line + origin.first_line - 1, col })
}
