//! The string variables defined by `[[NAME:regex]]` blocks.

use std::collections::HashMap;

#[derive(Default)]
pub(crate) struct Variables {
    values: HashMap<String, String>,
}

impl Variables {
    pub(crate) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    pub(crate) fn set(&mut self, name: String, value: String) {
        self.values.insert(name, value);
    }

    /// Forgets every variable except the global ones, whose names start
    /// with `$`; done at each CHECK-LABEL block.
    pub(crate) fn clear_locals(&mut self) {
        self.values.retain(|name, _| name.starts_with('$'));
    }
}
