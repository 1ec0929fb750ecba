//! The diagnostic registry against the source and the fixtures: every code-shaped literal in
//! `src/` is a registered code, every registered check code is emitted somewhere, and every
//! registered code is triggered by a fixture, found in the snapshots the tests write.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use regex::Regex;
use sextant::diagnostics::registry::{self, Kind};

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Every `.rs` file under `src/`, by path relative to the root, with its text.
fn sources() -> BTreeMap<String, String> {
    let root = common::root();
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files
        .into_iter()
        .map(|p| {
            let text = std::fs::read_to_string(&p).unwrap();
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, text)
        })
        .collect()
}

/// The groups a code-shaped literal is checked in: every registered group, and the groups the
/// project reserves for codes to come.
fn groups() -> BTreeSet<&'static str> {
    let mut groups: BTreeSet<&str> = registry::all().iter().map(|c| c.group()).collect();
    groups.extend(["kubernetes", "import", "diff", "input", "yaml", "json"]);
    groups
}

#[test]
fn every_code_shaped_literal_in_src_is_registered() {
    let literal = Regex::new(r#""([a-z0-9]+)/([a-z0-9]+(?:-[a-z0-9]+)*)""#).unwrap();
    let groups = groups();
    let mut unregistered = Vec::new();
    for (path, text) in sources() {
        for found in literal.captures_iter(&text) {
            let code = &found[0][1..found[0].len() - 1];
            if groups.contains(&found[1]) && registry::find(code).is_none() {
                unregistered.push(format!("{path}: {code}"));
            }
        }
    }
    assert!(
        unregistered.is_empty(),
        "code-shaped literals that are not registered (declare them in the target's codes.rs, or \
         do not write a path like a code):\n{}",
        unregistered.join("\n")
    );
}

#[test]
fn every_check_code_is_declared_once_and_emitted() {
    let declaration =
        Regex::new(r#"(?m)^    ([A-Z][A-Z0-9_]*) = \("([a-z0-9/-]+)", \w+\);"#).unwrap();
    let sources = sources();
    let mut declared: BTreeMap<String, (String, String)> = BTreeMap::new();
    for (path, text) in &sources {
        if !path.ends_with("codes.rs") {
            continue;
        }
        for found in declaration.captures_iter(text) {
            let previous =
                declared.insert(found[2].to_string(), (path.clone(), found[1].to_string()));
            assert!(previous.is_none(), "{} is declared twice", &found[2]);
        }
    }
    let mut unused = Vec::new();
    for code in registry::all().iter().filter(|c| c.kind == Kind::Check) {
        let Some((file, name)) = declared.get(code.code) else {
            panic!("{} is registered but not declared in a codes.rs", code.code);
        };
        let used = Regex::new(&format!(r"codes::{name}\b")).unwrap();
        if !sources
            .iter()
            .any(|(path, text)| path != file && used.is_match(text))
        {
            unused.push(format!("{} ({file}: {name})", code.code));
        }
    }
    assert!(
        unused.is_empty(),
        "registered codes nothing emits (remove them, or emit them):\n{}",
        unused.join("\n")
    );
}

/// The codes the snapshots show: `error[CODE]`, `warning[CODE]`, `note[CODE]` in rendered
/// diagnostics, `"code": "CODE"` in JSON.
fn snapshot_codes(dir: &Path, out: &mut BTreeSet<String>) {
    let shown = Regex::new(
        r#"(?:error|warning|note)\[([a-z0-9]+/[a-z0-9-]+)\]|"code": "([a-z0-9]+/[a-z0-9-]+)""#,
    )
    .unwrap();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "snap") {
            let text = std::fs::read_to_string(&path).unwrap();
            for found in shown.captures_iter(&text) {
                let code = found.get(1).or(found.get(2)).unwrap().as_str();
                out.insert(code.to_string());
            }
        }
    }
}

#[test]
fn every_code_is_triggered_by_a_fixture() {
    let root = common::root();
    let mut triggered = BTreeSet::new();
    snapshot_codes(&root.join("tests/snapshots"), &mut triggered);
    snapshot_codes(&root.join("spec/tests/snapshots"), &mut triggered);
    let untriggered: Vec<&str> = registry::all()
        .iter()
        .map(|c| c.code)
        .filter(|c| !triggered.contains(*c))
        .collect();
    assert!(
        untriggered.is_empty(),
        "registered codes no snapshot shows: add a fixture (a file under tests/fixtures/, or a \
         case in a snapshot test) that triggers each:\n{}",
        untriggered.join("\n")
    );
}
