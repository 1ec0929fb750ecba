//! `docs/diagnostics.md` is generated from the diagnostic registry; this fails when the committed
//! copy is stale. Regenerate it with `UPDATE_DOCS=1 cargo test --test docs`.

mod common;

use sextant::diagnostics::docs;

#[test]
fn diagnostic_docs_are_fresh() {
    let path = common::root().join(docs::PATH);
    let expected = docs::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `UPDATE_DOCS=1 cargo test --test docs`",
        docs::PATH
    );
}
