//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sextant::diag;
use sextant::prelude::*;

/// The repository root: Rust paths in diagnostics are relative to it.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf()
}

/// Compiles `spec` and renders its diagnostics as the CLI prints them.
pub fn diagnostics(spec: &Spec) -> String {
    let compiled = compile(spec);
    let root = root();
    diag::render(&compiled.diagnostics, &|file| {
        std::fs::read_to_string(root.join(file)).ok()
    })
}
