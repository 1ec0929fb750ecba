//! `docs/lints.md` is generated from the lint registry; this fails when the committed copy is
//! stale. Regenerate it with `UPDATE_DOCS=1 cargo test --test lint_docs`.

mod common;

#[test]
fn lint_docs_are_fresh() {
    let path = common::root().join(sextant::lint::docs::PATH);
    let expected = sextant::lint::docs::markdown();
    if std::env::var_os("UPDATE_DOCS").is_some() {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, &expected).unwrap();
        return;
    }
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        actual == expected,
        "{} is stale: run `UPDATE_DOCS=1 cargo test --test lint_docs`",
        sextant::lint::docs::PATH
    );
}
