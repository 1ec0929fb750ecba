//! `cargo run -- build`: compiles @service@'s spec into `generated/`. Every other command
//! (`check`, `lint`, `explain`, `routes`) is Sextant's: `cargo run -- --help`.

use std::process::ExitCode;

fn main() -> ExitCode {
    sextant::cli::main(sextant::cli::Project {
        root: env!("CARGO_MANIFEST_DIR").into(),
        spec: @crate_ident@::spec,
    })
}
