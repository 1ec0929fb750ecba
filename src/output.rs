//! The files a compilation produces, by path relative to the output root (`generated/`).
//!
//! Architecture Invariant: an `Output` is plain data. Only the CLI writes it to disk.

use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Output {
    files: BTreeMap<String, String>,
}

impl Output {
    /// Adds a file. Two emitters writing one path is a bug in Sextant, not in a spec.
    pub fn add(&mut self, path: impl Into<String>, contents: impl Into<String>) {
        let path = path.into();
        let previous = self.files.insert(path.clone(), contents.into());
        assert!(previous.is_none(), "two emitters wrote {path}");
    }

    pub fn files(&self) -> &BTreeMap<String, String> {
        &self.files
    }

    pub fn get(&self, path: &str) -> Option<&str> {
        self.files.get(path).map(String::as_str)
    }

    pub fn len(&self) -> usize {
        self.files.len()
    }

    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }
}
