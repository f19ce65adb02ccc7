//! Export errors, each naming the op that caused it.

use std::fmt;

use dfq_ir::Location;

/// An op of the exported function, as messages name it.
#[derive(Clone, Debug, PartialEq)]
pub struct OpRef {
    /// `nn.conv2d`.
    pub name: String,
    /// The SSA name of its first result (`%3`, `%stem_w_q`), if it has one.
    pub result: Option<String>,
    pub loc: Option<Location>,
}

impl fmt::Display for OpRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result {
            Some(r) => write!(f, "{r} = \"{}\"", self.name)?,
            None => write!(f, "\"{}\"", self.name)?,
        }
        if let Some(loc) = &self.loc {
            write!(f, " at {loc}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum ExportError {
    /// The module has no function to export, or not the one asked for.
    NoFunction(String),
    /// Every op ONNX export does not handle, in program order.
    Unsupported(Vec<OpRef>),
    /// A problem with the function's signature.
    Signature(String),
    /// A supported op in a form ONNX export cannot write.
    Op { op: OpRef, message: String },
}

impl ExportError {
    /// Where in the source the error is, for a located diagnostic.
    pub fn location(&self) -> Option<&Location> {
        match self {
            ExportError::Op { op, .. } => op.loc.as_ref(),
            _ => None,
        }
    }
}

impl fmt::Display for ExportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ExportError::NoFunction(why) => f.write_str(why),
            ExportError::Unsupported(ops) => {
                let names: std::collections::BTreeSet<&str> = ops.iter().map(|o| o.name.as_str()).collect();
                let names: Vec<&str> = names.into_iter().collect();
                writeln!(
                    f,
                    "the function uses {} operation{} that ONNX export does not support ({}) in {} place{}:",
                    names.len(),
                    plural(names.len()),
                    names.join(", "),
                    ops.len(),
                    plural(ops.len())
                )?;
                for op in ops {
                    writeln!(f, "  {op}")?;
                }
                write!(f, "supported operations: {}", super::supported_ops().join(", "))
            }
            ExportError::Signature(message) => f.write_str(message),
            ExportError::Op { op, message } => write!(f, "'{}' op: {message}", op.name),
        }
    }
}

impl std::error::Error for ExportError {}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
