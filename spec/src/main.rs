//! `cargo run -- build`: compiles EJE's spec into `generated/`.

use std::path::Path;
use std::process::ExitCode;

fn main() -> ExitCode {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("spec/ lives in the repository")
        .to_path_buf();
    sextant::cli::main(sextant::cli::Project {
        root,
        spec: eje_spec::spec,
    })
}
