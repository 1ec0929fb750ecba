//! Wiring imported modules into a spec crate: the files of the `--into` folder (`mod.rs`, whose
//! `apply` adds every module to a spec, and one file per module) and the edit of the crate's
//! `lib.rs` (one `mod` line, one `.with(<folder>::apply)` in `spec()`), as data for the CLI.
//!
//! The folder is the import's own: importing again rewrites it from the files given this time
//! (the same inputs give the same files, byte for byte), and a module of a file not given again
//! is removed. So a folder holds the import of one set of files; import them all at once. A file
//! in the folder that the import did not write is never overwritten: the import refuses.

use std::collections::BTreeMap;

use super::{Imported, HEADER};

/// What an import writes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Plan {
    /// The folder's files, by name (`mod.rs`, `<module>.rs`), complete: the folder holds exactly
    /// these.
    pub files: BTreeMap<String, String>,
    /// The crate's `lib.rs` with the `mod` line and the call added; `None` when it has both.
    pub lib_rs: Option<String>,
}

/// The files of the folder named `folder` (a Rust identifier: the module `lib.rs` declares) for
/// `imported`, and the edit of `lib_rs`. `existing` are the folder's current files (name,
/// text): every one must be the import's own.
pub fn plan(
    imported: &Imported,
    folder: &str,
    existing: &BTreeMap<String, String>,
    lib_rs: &str,
) -> Result<Plan, String> {
    if let Some((name, _)) = existing.iter().find(|(_, text)| !text.starts_with(HEADER)) {
        return Err(format!(
            "{folder}/{name} was not written by `sextant import`: import into a folder of its own, which it rewrites"
        ));
    }
    let mut files = BTreeMap::new();
    let mut mod_rs = format!(
        "{HEADER}: the imported modules, and `apply`, which adds them to a spec.\n\
         //! Importing again rewrites this folder from the files given then.\n\n\
         use sextant::prelude::*;\n\n"
    );
    for module in &imported.modules {
        mod_rs.push_str(&format!("mod {};\n", module.name));
        files.insert(format!("{}.rs", module.name), module.source.clone());
    }
    mod_rs.push_str(
        "\n/// Adds every imported module to `spec`.\npub fn apply(spec: Spec) -> Spec {\n",
    );
    if imported.modules.is_empty() {
        mod_rs.push_str("    spec\n");
    } else {
        mod_rs.push_str("    spec");
        // The catalog first, so the rules that read its metrics find them.
        let mut modules: Vec<_> = imported.modules.iter().collect();
        modules.sort_by_key(|m| m.entry != super::Entry::Metrics);
        for module in modules {
            mod_rs.push_str(&format!("\n        {}", module.entry.call(&module.name)));
        }
        mod_rs.push('\n');
    }
    mod_rs.push_str("}\n");
    files.insert("mod.rs".into(), mod_rs);
    let lib_rs = wire(lib_rs, folder)?;
    Ok(Plan { files, lib_rs })
}

/// `lib_rs` with `mod <folder>;` and `.with(<folder>::apply)` at the end of `spec()`'s tail
/// expression; `None` when both are there.
pub fn wire(lib_rs: &str, folder: &str) -> Result<Option<String>, String> {
    let mut text = lib_rs.to_string();
    let declared = text.lines().any(|l| {
        let l = l.trim();
        l == format!("mod {folder};") || l == format!("pub mod {folder};")
    });
    let called = text.contains(&format!("{folder}::apply"));
    if declared && called {
        return Ok(None);
    }
    if !called {
        let start = text
            .find("pub fn spec()")
            .or_else(|| text.find("fn spec()"))
            .ok_or("lib.rs has no `fn spec()`: add `.with(imported::apply)` to the spec by hand")?;
        let open = start
            + text[start..]
                .find('{')
                .ok_or("lib.rs: `fn spec()` has no body")?;
        let mut depth = 0;
        let mut close = None;
        for (i, c) in text[open..].char_indices() {
            match c {
                '{' => depth += 1,
                '}' => {
                    depth -= 1;
                    if depth == 0 {
                        close = Some(open + i);
                        break;
                    }
                }
                _ => {}
            }
        }
        let close = close.ok_or("lib.rs: `fn spec()`'s body does not close")?;
        let body_end = open + 1 + text[open + 1..close].trim_end().len();
        if text[..body_end].ends_with(';') || body_end == open + 1 {
            return Err(format!(
                "lib.rs: `fn spec()` does not end with the spec: add `.with({folder}::apply)` to it by hand"
            ));
        }
        text.insert_str(body_end, &format!("\n        .with({folder}::apply)"));
    }
    if !declared {
        let mut offset = 0;
        let mut after = None;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_start();
            if trimmed.starts_with("mod ") || trimmed.starts_with("pub mod ") {
                after = Some(offset + line.len());
            }
            offset += line.len();
        }
        let at = match after {
            Some(at) => at,
            None => {
                // After the leading doc comments and `use` lines.
                let mut at = 0;
                for line in text.split_inclusive('\n') {
                    let t = line.trim_start();
                    if t.starts_with("//!") || t.starts_with("use ") || t.is_empty() {
                        at += line.len();
                    } else {
                        break;
                    }
                }
                at
            }
        };
        text.insert_str(at, &format!("mod {folder};\n"));
    }
    Ok(Some(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIB: &str = "//! A spec.\n\nuse sextant::prelude::*;\n\npub mod alerts;\n\npub fn spec() -> Spec {\n    Spec::new(catalog::CATALOG)\n        .rule_groups(alerts::groups())\n}\n";

    #[test]
    fn wiring_adds_one_mod_line_and_one_call_once() {
        let wired = wire(LIB, "imported").unwrap().unwrap();
        assert_eq!(
            wired,
            "//! A spec.\n\nuse sextant::prelude::*;\n\npub mod alerts;\nmod imported;\n\npub fn spec() -> Spec {\n    Spec::new(catalog::CATALOG)\n        .rule_groups(alerts::groups())\n        .with(imported::apply)\n}\n"
        );
        assert_eq!(wire(&wired, "imported").unwrap(), None);
    }

    #[test]
    fn a_spec_without_a_tail_expression_is_left_to_the_user() {
        let lib = "pub fn spec() -> Spec {\n    return make();\n}\n";
        assert!(wire(lib, "imported").unwrap_err().contains("by hand"));
    }

    #[test]
    fn a_folder_holding_files_of_its_own_is_refused() {
        let existing = BTreeMap::from([("mine.rs".to_string(), "fn main() {}".to_string())]);
        let err = plan(&Imported::default(), "imported", &existing, LIB).unwrap_err();
        assert!(
            err.contains("imported/mine.rs was not written by `sextant import`"),
            "{err}"
        );
    }
}
