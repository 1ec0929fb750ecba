//! Each file in `tests/fixtures/files/`, linted alone as `lint PATH --fail-on info` lints it,
//! against the EJE catalog: its exit code and diagnostics, one snapshot per file. A fixture for a
//! diagnostic code is one file dropped in that folder (`tests/registry.rs` checks every code has
//! one somewhere).

mod common;

use sextant::prelude::*;
use sextant_catalog::eje;

fn project() -> sextant::cli::Project {
    sextant::cli::Project {
        root: common::root(),
        spec: || Spec::new(eje::CATALOG),
    }
}

#[test]
fn each_fixture_file() {
    insta::glob!("fixtures/files/*.*", |path| {
        let shown = path
            .strip_prefix(common::root())
            .unwrap()
            .display()
            .to_string();
        let (code, stdout, _) = common::run_cli(&project(), &["lint", &shown, "--fail-on", "info"]);
        insta::assert_snapshot!(format!("exit code {code}\n\n{stdout}"));
    });
}
