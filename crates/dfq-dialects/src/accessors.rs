//! Attribute readers behind the generated op views.
//!
//! Views assume a verified op: an attribute of the wrong kind, or a missing
//! required one, is a bug in whoever built the op, so they panic with the op name.

use dfq_ir::{Attribute, Operation};

pub fn i64(op: &Operation, name: &str) -> Option<i64> {
    read(op, name, "i64", Attribute::as_int)
}

pub fn f32(op: &Operation, name: &str) -> Option<f32> {
    read(op, name, "f32", |a| match a {
        Attribute::Float { value, .. } => Some(*value as f32),
        _ => None,
    })
}

pub fn bool(op: &Operation, name: &str) -> Option<bool> {
    read(op, name, "bool", |a| match a {
        Attribute::Bool(b) => Some(*b),
        _ => None,
    })
}

// No dialect declares a string attribute yet; views of one that does will call this.
#[allow(dead_code)]
pub fn string<'a>(op: &'a Operation, name: &str) -> Option<&'a str> {
    read(op, name, "string", Attribute::as_str)
}

pub fn i64_array<'a>(op: &'a Operation, name: &str) -> Option<&'a [i64]> {
    read(op, name, "array<i64>", Attribute::as_i64_array)
}

pub fn attribute<'a>(op: &'a Operation, name: &str) -> Option<&'a Attribute> {
    op.attr(name)
}

pub fn required<T>(value: Option<T>, op: &Operation, name: &str) -> T {
    value.unwrap_or_else(|| panic!("'{}' op has no attribute '{name}'; verify ops before reading them", op.name))
}

fn read<'a, T>(op: &'a Operation, name: &str, kind: &str, get: impl Fn(&'a Attribute) -> Option<T>) -> Option<T> {
    let attr = op.attr(name)?;
    let value = get(attr).unwrap_or_else(|| {
        panic!(
            "'{}' op attribute '{name}' must be {kind}, got {}; verify ops before reading them",
            op.name,
            attr.kind()
        )
    });
    Some(value)
}
