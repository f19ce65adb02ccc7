//! Whether two modules are the same graph: the same ops in the same order, wired
//! the same way, with equal types and attributes. Names, locations and the
//! spelling of constants (resource or inline, splat or not) do not count: MLIR
//! renames values (`%cst`, `%0`) and folds an all-equal dense list to a splat.

use dfq_ir::{print_module, Attribute, DenseElements, Module, PrintOptions, StorageKind};

/// The module printed with every incidental difference removed. Two modules are
/// the same graph exactly when their canonical texts are equal.
pub fn canonical_text(module: &Module) -> String {
    let mut m = module.clone();
    m.loc = None;
    strip_attrs(&mut m.attributes);
    for f in &mut m.functions {
        f.loc = None;
        strip_attrs(&mut f.attributes);
        for arg in &mut f.args {
            arg.name = None;
            arg.loc = None;
            strip_attrs(&mut arg.attributes);
        }
        let ids: Vec<_> = f.ops().collect();
        for id in ids {
            let op = f.op_mut(id);
            op.loc = None;
            op.result_names.iter_mut().for_each(|n| *n = None);
            strip_attrs(&mut op.attributes);
        }
    }
    print_module(&m, &PrintOptions::default())
}

/// `Ok` when `a` and `b` are the same graph; else the first line where their
/// canonical texts differ, from each.
pub fn same_graph(a: &Module, b: &Module) -> Result<(), String> {
    let (ta, tb) = (canonical_text(a), canonical_text(b));
    if ta == tb {
        return Ok(());
    }
    let (la, lb): (Vec<&str>, Vec<&str>) = (ta.lines().collect(), tb.lines().collect());
    let i = la.iter().zip(&lb).position(|(x, y)| x != y).unwrap_or(la.len().min(lb.len()));
    let show = |lines: &[&str]| lines.get(i).map_or("<end of module>".to_string(), |l| shorten(l));
    Err(format!("graphs differ at canonical line {}:\n  - {}\n  + {}", i + 1, show(&la), show(&lb)))
}

fn shorten(line: &str) -> String {
    const MAX: usize = 400;
    match line.char_indices().nth(MAX) {
        Some((end, _)) => format!("{}…", &line[..end]),
        None => line.to_string(),
    }
}

fn strip_attrs(attrs: &mut dfq_ir::Attributes) {
    attrs.values_mut().for_each(strip);
}

fn strip(a: &mut Attribute) {
    match a {
        Attribute::Dense(d) => *d = plain(d),
        Attribute::Array(items) => items.iter_mut().for_each(strip),
        Attribute::Dict(d) => strip_attrs(d),
        _ => {}
    }
}

/// The same elements with no resource key and splats expanded.
fn plain(d: &DenseElements) -> DenseElements {
    let n = d.num_elements() as usize;
    let kind = d.data().kind();
    let data = if !d.is_splat() {
        d.data().clone()
    } else if kind.is_float() {
        kind.from_f64s(&(0..n).map(|i| d.get_f64(i)).collect::<Vec<_>>())
    } else {
        kind.from_i64s(&(0..n).map(|i| d.get_i64(i)).collect::<Vec<_>>())
    };
    debug_assert_eq!(StorageKind::of(&d.ty().element), Some(kind));
    DenseElements::new(d.ty().clone(), data).unwrap_or_else(|_| d.clone())
}
