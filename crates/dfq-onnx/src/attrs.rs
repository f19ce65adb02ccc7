//! Typed reading of a node's attributes, with ONNX's defaults.

use crate::proto::{attribute_type as ty, AttributeProto, TensorProto};

#[derive(Clone, Copy)]
pub struct Attrs<'a> {
    attrs: &'a [AttributeProto],
}

impl<'a> Attrs<'a> {
    pub fn new(attrs: &'a [AttributeProto]) -> Attrs<'a> {
        Attrs { attrs }
    }

    pub fn has(&self, name: &str) -> bool {
        self.attrs.iter().any(|a| a.name == name)
    }

    pub fn int(&self, name: &str, default: i64) -> Result<i64, String> {
        Ok(self.typed(name, ty::INT)?.map_or(default, |a| a.i))
    }

    pub fn ints(&self, name: &str) -> Result<Option<Vec<i64>>, String> {
        Ok(self.typed(name, ty::INTS)?.map(|a| a.ints.clone()))
    }

    pub fn float(&self, name: &str, default: f32) -> Result<f32, String> {
        Ok(self.typed(name, ty::FLOAT)?.map_or(default, |a| a.f))
    }

    pub fn floats(&self, name: &str) -> Result<Option<Vec<f32>>, String> {
        Ok(self.typed(name, ty::FLOATS)?.map(|a| a.floats.clone()))
    }

    pub fn string(&self, name: &str, default: &str) -> Result<String, String> {
        match self.typed(name, ty::STRING)? {
            Some(a) => String::from_utf8(a.s.clone()).map_err(|_| format!("attribute '{name}' is not UTF-8")),
            None => Ok(default.to_string()),
        }
    }

    pub fn tensor(&self, name: &str) -> Result<Option<&'a TensorProto>, String> {
        match self.typed(name, ty::TENSOR)? {
            Some(a) => a.t.as_ref().map(Some).ok_or_else(|| format!("attribute '{name}' holds no tensor")),
            None => Ok(None),
        }
    }

    /// The attribute, if present, checked to be of type `expected`. Writers that
    /// leave the type UNDEFINED (0) are trusted.
    fn typed(&self, name: &str, expected: i32) -> Result<Option<&'a AttributeProto>, String> {
        let Some(a) = self.attrs.iter().find(|a| a.name == name) else { return Ok(None) };
        if a.r#type != expected && a.r#type != 0 {
            return Err(format!("attribute '{name}' should be {}, got {}", type_name(expected), type_name(a.r#type)));
        }
        Ok(Some(a))
    }
}

fn type_name(t: i32) -> &'static str {
    match t {
        ty::FLOAT => "FLOAT",
        ty::INT => "INT",
        ty::STRING => "STRING",
        ty::TENSOR => "TENSOR",
        ty::FLOATS => "FLOATS",
        ty::INTS => "INTS",
        _ => "another type",
    }
}
