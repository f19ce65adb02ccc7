//! `--max-memory` and `--max-tensor-size`: what a run may allocate, checked
//! against an estimate from the function's types before any input is read or
//! drawn, so that an absurd model is refused in a line instead of dying of an
//! allocation failure (or swapping the machine to a halt) halfway through.

use std::collections::HashMap;

use dfq_ir::{ElementType, Function, Location, Type, Value};

use super::Failure;

/// The two limits, in bytes.
#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_memory: u64,
    pub max_tensor: u64,
}

/// --max-tensor-size without a value: far above any activation or weight
/// tensor of a CNN, far below what would take a machine down.
pub const DEFAULT_MAX_TENSOR: u64 = 2 << 30;

/// --max-memory without a value: the machine's physical memory (16 GiB where
/// that cannot be read), since a run beyond it could only swap or be killed.
pub fn default_max_memory() -> u64 {
    physical_memory().unwrap_or(16 << 30)
}

fn physical_memory() -> Option<u64> {
    let info = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// `512M`, `2G`, `1.5G`, `4096`, `64KiB`: a byte count with an optional binary suffix.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let t = text.trim();
    let split = t.find(|c: char| !(c.is_ascii_digit() || c == '.')).unwrap_or(t.len());
    let (number, unit) = t.split_at(split);
    if number.is_empty() {
        return Err(format!("'{text}' is not a size (e.g. 512M, 4G, 1048576)"));
    }
    let shift = match unit.trim().to_ascii_uppercase().trim_end_matches("IB").trim_end_matches('B') {
        "" => 0,
        "K" => 10,
        "M" => 20,
        "G" => 30,
        "T" => 40,
        _ => return Err(format!("unknown unit '{unit}' in '{text}' (use K, M, G or T, e.g. 512M or 4G)")),
    };
    let value: f64 = number.parse().map_err(|_| format!("'{text}' is not a size (e.g. 512M, 4G, 1048576)"))?;
    let bytes = value * (1u64 << shift) as f64;
    if !(bytes >= 1.0 && bytes < u64::MAX as f64) {
        return Err(format!("'{text}' is not a positive size that fits in 64 bits"));
    }
    Ok(bytes as u64)
}

/// `1.50 GiB`, `12.0 MiB`, `512 B`.
pub fn show_bytes(bytes: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KiB", "MiB", "GiB", "TiB"];
    let mut v = bytes as f64;
    let mut unit = 0;
    while v >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    match unit {
        0 => format!("{bytes} B"),
        _ => format!("{v:.2} {}", UNITS[unit]),
    }
}

/// Bytes one element of `element` takes at run time: storage integers of up to
/// 8 bits as one byte, wider ones as i32 (as the interpreter holds them), f32
/// for floats.
fn element_bytes(element: &ElementType) -> u64 {
    match element {
        ElementType::Quant(q) if q.storage_width <= 8 => 1,
        ElementType::Quant(_) => 4,
        ElementType::Int { width, .. } if *width <= 8 => 1,
        ElementType::Int { width, .. } if *width <= 32 => 4,
        ElementType::F64 | ElementType::Index | ElementType::Int { .. } => 8,
        _ => 4,
    }
}

/// Bytes of a value of type `ty`, dynamic dimensions taken as `batch`; `None`
/// if that overflows.
fn type_bytes(ty: &Type, batch: u64) -> Option<u64> {
    match ty {
        Type::Tensor(t) => t
            .shape
            .iter()
            .try_fold(element_bytes(&t.element), |n, d| n.checked_mul(d.map_or(Some(batch), |d| u64::try_from(d).ok())?)),
        Type::Scalar(e) => Some(element_bytes(e)),
    }
}

/// What one run of `func` needs: every constant for the whole run, plus the
/// largest set of other values alive at once in program order (a value lives
/// from its definition to its last use, as the interpreter frees it).
#[derive(Debug)]
pub struct Estimate {
    pub peak: u64,
    /// The largest single value: bytes, a description, where it is defined.
    pub largest: (u64, String, Option<Location>),
}

pub fn estimate(func: &Function, batch: u64) -> Estimate {
    let positions = func.program_positions();
    let mut last_use: HashMap<Value, usize> = HashMap::new();
    for id in func.ops() {
        for &v in func.op(id).operands() {
            let at = positions[&id];
            last_use.entry(v).and_modify(|p| *p = (*p).max(at)).or_insert(at);
        }
    }
    let mut largest = (0u64, String::new(), None);
    let mut consider = |bytes: u64, what: String, loc: Option<Location>| {
        if bytes > largest.0 {
            largest = (bytes, what, loc);
        }
    };
    // Bytes that start (at a position) and stop being alive (after one).
    let n = positions.len();
    let mut start = vec![0u64; n + 1];
    let mut stop = vec![0u64; n + 1];
    let mut constants = 0u64;
    for (i, arg) in func.args.iter().enumerate() {
        let bytes = type_bytes(&arg.ty, batch).unwrap_or(u64::MAX);
        consider(bytes, format!("argument #{i} ('{}')", arg.ty), arg.loc.clone());
        start[0] = start[0].saturating_add(bytes);
        let end = last_use.get(&Value::Arg(i as u32)).copied().unwrap_or(0);
        stop[end] = stop[end].saturating_add(bytes);
    }
    for id in func.ops() {
        let op = func.op(id);
        let at = positions[&id];
        for (k, ty) in op.results.iter().enumerate() {
            let bytes = type_bytes(ty, batch).unwrap_or(u64::MAX);
            consider(bytes, format!("result #{k} of '{}' ('{ty}')", op.name), op.loc.clone());
            if op.name == "arith.constant" {
                constants = constants.saturating_add(bytes);
                continue;
            }
            let end = last_use.get(&Value::Result(id, k as u32)).copied().unwrap_or(at);
            start[at] = start[at].saturating_add(bytes);
            stop[end] = stop[end].saturating_add(bytes);
        }
    }
    let (mut live, mut peak) = (0u64, 0u64);
    for p in 0..=n {
        live = live.saturating_add(start[p]);
        peak = peak.max(live);
        live = live.saturating_sub(stop[p]);
    }
    Estimate { peak: peak.saturating_add(constants), largest }
}

impl Limits {
    /// Refuses `func` if one of its values is larger than --max-tensor-size, or
    /// if `parallel` runs of it at once would need more than --max-memory.
    pub fn check(&self, func: &Function, batch: u64, parallel: u64) -> Result<(), Failure> {
        let e = estimate(func, batch);
        let (bytes, what, loc) = &e.largest;
        if *bytes > self.max_tensor {
            return Err(Failure::at(
                loc.clone(),
                format!(
                    "{what} takes {}, more than --max-tensor-size {}; raise the limit if the model is meant to be that large",
                    show_bytes(*bytes),
                    show_bytes(self.max_tensor)
                ),
            ));
        }
        let total = e.peak.saturating_mul(parallel);
        if total > self.max_memory {
            let runs = match parallel {
                1 => String::new(),
                n => format!(" ({n} runs at once, {} each)", show_bytes(e.peak)),
            };
            return Err(Failure::at(
                func.loc.clone(),
                format!(
                    "running '@{}' needs about {}{runs} (constants plus the largest set of values alive at once), \
                     more than --max-memory {}; nothing was run",
                    func.name,
                    show_bytes(total),
                    show_bytes(self.max_memory)
                ),
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_binary_units() {
        assert_eq!(parse_size("4096").unwrap(), 4096);
        assert_eq!(parse_size("512M").unwrap(), 512 << 20);
        assert_eq!(parse_size("2G").unwrap(), 2 << 30);
        assert_eq!(parse_size("1.5k").unwrap(), 1536);
        assert_eq!(parse_size("64KiB").unwrap(), 64 << 10);
        assert_eq!(parse_size("1T").unwrap(), 1 << 40);
        assert!(parse_size("12 parsecs").unwrap_err().contains("unknown unit"));
        assert!(parse_size("G").unwrap_err().contains("is not a size"));
        assert!(parse_size("0").unwrap_err().contains("positive"));
        assert!(parse_size("99999999999T").unwrap_err().contains("64 bits"));
    }

    #[test]
    fn bytes_show_in_binary_units() {
        assert_eq!(show_bytes(512), "512 B");
        assert_eq!(show_bytes(3 << 29), "1.50 GiB");
    }

    #[test]
    fn the_estimate_frees_values_after_their_last_use() {
        let text = "func.func @main(%x: tensor<256xf32>) -> tensor<256xf32> {\n\
                    %c = arith.constant dense<1.0> : tensor<256xf32>\n\
                    %0 = \"nn.relu\"(%x) : (tensor<256xf32>) -> tensor<256xf32>\n\
                    %1 = \"nn.relu\"(%0) : (tensor<256xf32>) -> tensor<256xf32>\n\
                    %2 = \"nn.add\"(%1, %c) : (tensor<256xf32>, tensor<256xf32>) -> tensor<256xf32>\n\
                    return %2 : tensor<256xf32>\n}\n";
        let module = dfq_ir::parse_module(&dfq_ir::SourceFile::new("t.mlir", text)).unwrap();
        let e = estimate(module.function("main").unwrap(), 1);
        // The constant (1 KiB) always; at most two of x, %0, %1, %2 at once (1 KiB each).
        assert_eq!(e.peak, 3 * 1024);
        assert_eq!(e.largest.0, 1024);
    }
}
