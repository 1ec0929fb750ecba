//! Importing alertmanager.yml into the AlertManager DSL (`sextant::import::alertmanager`), round
//! trip: every AlertManager file of the corpus that amtool accepts (tests/corpus/verdicts.tsv),
//! the linter's AlertManager fixtures amtool accepts, EJE's generated configuration and the
//! fixtures of tests/fixtures/import/alertmanager/ are imported; the modules must be
//! `rustfmt --check` clean, and are compiled together (warnings denied) in one scratch crate that
//! builds each with the CLI (a spec has one AlertManager configuration, so one crate per file
//! would not do). Each emitted configuration must route every label set (all combinations of
//! the values the matchers mention, plus one matching none) as the original does, by the
//! routing engine on both and by `amtool config routes test` on both for a sample, and carry the
//! same receivers, inhibit rules, time intervals and templates (secrets moved to files and what
//! the import reported aside). What could not be imported is counted per reason in a snapshot.
//! EJE's configuration also goes through the CLI (`import` into a new service, `build`) and
//! comes back byte for byte.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use sextant::alertmanager::{self as am, file as amfile, route};
use sextant::diagnostics::{self as diag, Diagnostic};
use sextant::import::alertmanager as import;
use sextant::rules::file::SourceFile;

const FIXTURES: &str = "tests/fixtures/import/alertmanager";

/// The files to import, relative to the repository root.
fn inputs() -> Vec<String> {
    let root = common::root();
    let verdicts = std::fs::read_to_string(root.join("tests/corpus/verdicts.tsv")).unwrap();
    let mut out: Vec<String> = verdicts
        .lines()
        .filter_map(|line| {
            let fields: Vec<&str> = line.split('\t').collect();
            (fields.len() >= 3
                && fields[0].starts_with("alertmanager/")
                && fields[1] == "amtool"
                && fields[2] == "ok")
                .then(|| format!("tests/corpus/{}", fields[0]))
        })
        .collect();
    assert!(
        out.len() >= 10,
        "the corpus lists AlertManager files amtool accepts"
    );
    out.push("generated/alertmanager/alertmanager.yml".into());
    // The linter's AlertManager fixtures that amtool accepts (those with warnings only).
    let lint = "tests/fixtures/lint/alertmanager";
    let mut accepted: Vec<String> = std::fs::read_dir(root.join(lint))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .filter(|p| {
            Command::new("amtool")
                .arg("check-config")
                .arg(p)
                .output()
                .expect("amtool runs (ci/test.sh installs it)")
                .status
                .success()
        })
        .map(|p| format!("{lint}/{}", p.file_name().unwrap().to_string_lossy()))
        .collect();
    accepted.sort();
    assert!(!accepted.is_empty());
    out.extend(accepted);
    let mut fixtures: Vec<String> = std::fs::read_dir(root.join(FIXTURES))
        .unwrap()
        .map(|e| format!("{FIXTURES}/{}", e.unwrap().file_name().to_string_lossy()))
        .collect();
    fixtures.sort();
    out.extend(fixtures);
    out
}

fn source(path: &str) -> SourceFile {
    SourceFile {
        path: path.to_string(),
        text: std::fs::read_to_string(common::root().join(path)).unwrap(),
    }
}

/// The template files a `templates:` glob matches, relative to the configuration's folder.
fn templates_of(config: &Path) -> impl Fn(&str) -> Vec<SourceFile> + '_ {
    move |glob: &str| {
        let dir = config.parent().unwrap();
        let (folder, pattern) = match glob.rsplit_once('/') {
            Some((folder, pattern)) => (dir.join(folder), pattern),
            None => (dir.to_path_buf(), glob),
        };
        let Some(matcher) = amfile::template_glob(pattern) else {
            return Vec::new();
        };
        let Ok(entries) = std::fs::read_dir(&folder) else {
            return Vec::new();
        };
        let mut files: Vec<SourceFile> = entries
            .filter_map(|e| e.ok())
            .filter(|e| matcher.is_match(e.file_name()))
            .map(|e| SourceFile {
                path: e.path().display().to_string(),
                text: std::fs::read_to_string(e.path()).unwrap(),
            })
            .collect();
        files.sort_by(|a, b| a.path.cmp(&b.path));
        files
    }
}

/// Reads and lowers a configuration, which must be valid.
fn lowered(file: &SourceFile, templates: &dyn Fn(&str) -> Vec<SourceFile>) -> am::Config {
    let (value, diagnostics) = amfile::read(file, templates);
    let errors: Vec<&Diagnostic> = diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{}: {errors:#?}", file.path);
    let mut lowering = Vec::new();
    let config = am::lower::lower(&value.unwrap(), &mut lowering);
    config.unwrap_or_else(|| panic!("{}: {lowering:#?}", file.path))
}

/// Every label set to route: all combinations of the values the route tree's matchers mention
/// (a regex's text counts as a value, and so does a value matching none), at most `limit`, in a
/// fixed order.
fn label_sets(config: &am::Config, limit: usize) -> Vec<BTreeMap<String, String>> {
    let mut values: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for r in config.route.walk() {
        for m in &r.matchers {
            let set = values.entry(m.name.clone()).or_default();
            set.insert(m.value.clone());
            // Alternatives of a simple regex `a|b|c`, as values.
            for part in m
                .value
                .trim_start_matches('^')
                .trim_end_matches('$')
                .split('|')
            {
                let part = part.trim_start_matches('(').trim_end_matches(')');
                if part
                    .chars()
                    .all(|c| c.is_alphanumeric() || c == '_' || c == '-')
                {
                    set.insert(part.to_string());
                }
            }
            set.insert("none-of-these".into());
            set.insert(String::new());
        }
    }
    let mut sets = vec![BTreeMap::new()];
    for (name, options) in &values {
        let mut next = Vec::new();
        for set in &sets {
            for value in options {
                let mut with = set.clone();
                if !value.is_empty() {
                    with.insert(name.clone(), value.clone());
                }
                next.push(with);
            }
        }
        sets = next;
    }
    if sets.len() > limit {
        // A spread sample, the first and the last included.
        let step = sets.len() as f64 / limit as f64;
        sets = (0..limit)
            .map(|i| sets[(i as f64 * step) as usize].clone())
            .collect();
    }
    sets
}

/// The emitted YAML with every secret file's path replaced: configurations equal modulo the
/// files their secrets are read from.
fn normalized(text: &str) -> serde_yaml::Value {
    fn walk(value: &mut serde_yaml::Value) {
        match value {
            serde_yaml::Value::Mapping(map) => {
                for (key, v) in map.iter_mut() {
                    if key.as_str().is_some_and(|k| k.ends_with("_file")) {
                        *v = serde_yaml::Value::String("<secret file>".into());
                    } else {
                        walk(v);
                    }
                }
            }
            serde_yaml::Value::Sequence(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    let mut value: serde_yaml::Value = serde_yaml::from_str(text).unwrap();
    walk(&mut value);
    value
}

/// Removes from an emitted configuration the integrations the import reported as not imported
/// (`receivers["name"].<kind>_configs[i]` is not imported: ...).
fn withdraw_reported(config: &mut serde_yaml::Value, diagnostics: &[Diagnostic]) {
    let mut reported: Vec<(String, String, usize)> = diagnostics
        .iter()
        .filter_map(|d| {
            let path = d.message.strip_prefix("`receivers[\"")?;
            let (path, _) = path.split_once("` is not imported")?;
            let (name, rest) = path.split_once("\"].")?;
            let (kind, index) = rest.strip_suffix(']')?.split_once('[')?;
            Some((name.to_string(), kind.to_string(), index.parse().ok()?))
        })
        .collect();
    // The last first, so the indices stand.
    reported.sort_by(|a, b| b.cmp(a));
    for (name, kind, index) in reported {
        let receivers = config["receivers"].as_sequence_mut().unwrap();
        let receiver = receivers
            .iter_mut()
            .find(|r| r["name"].as_str() == Some(name.as_str()))
            .unwrap();
        if let Some(list) = receiver
            .get_mut(kind.as_str())
            .and_then(|l| l.as_sequence_mut())
        {
            list.remove(index);
            if list.is_empty() {
                receiver.as_mapping_mut().unwrap().remove(kind.as_str());
            }
        }
    }
}

/// `amtool config routes test` on a configuration file: the receivers, comma-separated.
fn amtool_routes(config: &Path, labels: &BTreeMap<String, String>) -> String {
    let mut command = Command::new("amtool");
    command
        .arg("config")
        .arg("routes")
        .arg("test")
        .arg(format!("--config.file={}", config.display()));
    for (name, value) in labels {
        command.arg(format!("{name}={value}"));
    }
    let out = command
        .output()
        .expect("amtool runs (ci/test.sh installs it)");
    assert!(
        out.status.success(),
        "amtool on {}: {}",
        config.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_string()
}

struct Imported {
    path: String,
    module: sextant::import::Module,
    diagnostics: Vec<Diagnostic>,
}

fn import_all() -> Vec<Imported> {
    let root = common::root();
    let mut names = BTreeSet::new();
    inputs()
        .into_iter()
        .map(|path| {
            let file = source(&path);
            let full = root.join(&path);
            // One scratch crate holds them all, each under its own name.
            let stem = Path::new(&path).file_stem().unwrap().to_string_lossy();
            let name =
                sextant::import::rust::unique(sextant::import::rust::ident(&stem), &mut names);
            let (module, diagnostics) =
                import::module_with_templates(&file, name, &templates_of(&full));
            let module = module.unwrap_or_else(|| panic!("{path} imports: {diagnostics:#?}"));
            Imported {
                path,
                module,
                diagnostics,
            }
        })
        .collect()
}

/// Writes the scratch crate, builds it once, and builds each module's spec into
/// `<dir>/<module>/out`.
fn build_all(imported: &[Imported], dir: &Path) {
    let root = common::root();
    let src = dir.join("src");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"imported-alertmanager\"\nversion = \"0.0.0\"\nedition = \"2021\"\n\n[dependencies]\nsextant = {{ path = {:?} }}\nsextant-catalog = {{ path = {:?} }}\n\n[workspace]\n\n# The repository's, so its compiled dependencies are reused.\n[profile.dev]\ndebug = \"line-tables-only\"\n[profile.dev.package.\"*\"]\ndebug = false\n[profile.dev.package.sextant]\ndebug = \"line-tables-only\"\n[profile.dev.package.sextant-catalog]\ndebug = \"line-tables-only\"\n",
            root.display().to_string(),
            root.join("catalog").display().to_string()
        ),
    )
    .unwrap();
    // The modules compile without a warning, as a person's would.
    let mut main = String::from(
        "#![deny(warnings)]\n\nuse sextant::prelude::*;\nuse sextant_catalog::Catalog;\n\n",
    );
    for i in imported {
        std::fs::write(src.join(format!("{}.rs", i.module.name)), &i.module.source).unwrap();
        main.push_str(&format!("mod {};\n", i.module.name));
    }
    main.push_str("\nfn main() -> std::process::ExitCode {\n    let mut args: Vec<String> = std::env::args().collect();\n    let name = args.remove(1);\n    let spec: fn() -> Spec = match name.as_str() {\n");
    for i in imported {
        main.push_str(&format!(
            "        {:?} => || Spec::new(Catalog {{ metrics: &[] }}).alertmanager({}::alertmanager()),\n",
            i.module.name, i.module.name
        ));
    }
    main.push_str("        other => panic!(\"no module {other}\"),\n    };\n    let root = std::env::current_dir().unwrap().join(&name);\n    let project = sextant::cli::Project { root, spec };\n    let code = sextant::cli::run(&project, args.into_iter().map(Into::into), &mut std::io::stdout(), &mut std::io::stderr());\n    std::process::ExitCode::from(code)\n}\n");
    std::fs::write(src.join("main.rs"), main).unwrap();
    let target = root.join("target");
    let out = Command::new(env!("CARGO"))
        .arg("build")
        .arg("--quiet")
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "the imported modules compile:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let binary = target.join("debug/imported-alertmanager");
    for i in imported {
        let name = &i.module.name;
        std::fs::create_dir_all(dir.join(name)).unwrap();
        let out_dir = dir.join(name).join("out");
        let run = Command::new(&binary)
            .arg(name)
            .arg("build")
            .arg("--out")
            .arg(&out_dir)
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            run.status.success(),
            "{} builds:\n{}{}",
            i.path,
            String::from_utf8_lossy(&run.stdout),
            String::from_utf8_lossy(&run.stderr)
        );
    }
}

#[test]
fn corpus_round_trips() {
    let root = common::root();
    let imported = import_all();
    for i in &imported {
        if let Err(diff) = common::rustfmt_check(&i.module.source) {
            panic!(
                "{}: the module is not laid out as rustfmt does:\n{diff}",
                i.path
            );
        }
    }
    let scratch = common::TempDir::new("import-alertmanager");
    build_all(&imported, &scratch.0);
    let mut compared = 0;
    let mut amtool_compared = 0;
    for i in &imported {
        let name = &i.module.name;
        let original_path = root.join(&i.path);
        let original = lowered(&source(&i.path), &templates_of(&original_path));
        let emitted_path = scratch
            .0
            .join(name)
            .join("out/alertmanager/alertmanager.yml");
        let emitted_file = SourceFile {
            path: emitted_path.display().to_string(),
            text: std::fs::read_to_string(&emitted_path).unwrap(),
        };
        let emitted = lowered(&emitted_file, &templates_of(&emitted_path));

        // The same routing for every label set.
        let sets = label_sets(&original, 20_000);
        for labels in &sets {
            assert_eq!(
                route::receivers(&original, labels),
                route::receivers(&emitted, labels),
                "{}: {labels:?} routes differently",
                i.path
            );
            compared += 1;
        }
        // The same receivers, inhibit rules, time intervals and route tree, secrets aside, and
        // the integrations the import reported as not imported.
        let mut expected = normalized(&am::emit::render(&original, "templates/*.tmpl"));
        withdraw_reported(&mut expected, &i.diagnostics);
        assert_eq!(
            expected,
            normalized(&am::emit::render(&emitted, "templates/*.tmpl")),
            "{}: the emitted configuration differs",
            i.path
        );
        // The same template definitions.
        let names = |c: &am::Config| -> Vec<String> {
            c.templates.iter().map(|t| t.name().to_string()).collect()
        };
        assert_eq!(names(&original), names(&emitted), "{}: templates", i.path);

        // amtool agrees, on a sample.
        let raw = scratch.0.join(name).join("original.yml");
        std::fs::write(&raw, amfile::configuration_text(&source(&i.path)).0).unwrap();
        let step = (sets.len() / 6).max(1);
        for labels in sets.iter().step_by(step) {
            let want = amtool_routes(&raw, labels);
            let got = amtool_routes(&emitted_path, labels);
            assert_eq!(want, got, "{}: amtool routes {labels:?}", i.path);
            assert_eq!(
                want,
                route::receivers(&emitted, labels).join(","),
                "{}: amtool and the routing engine disagree on {labels:?}",
                i.path
            );
            amtool_compared += 1;
        }
    }
    assert!(compared > imported.len() * 2);

    // What could not be imported, counted per reason across the corpus.
    let mut per_code: BTreeMap<&str, usize> = BTreeMap::new();
    let mut per_reason: BTreeMap<String, usize> = BTreeMap::new();
    let mut files_with_loss = 0;
    for i in &imported {
        let mut lost = false;
        for d in &i.diagnostics {
            *per_code.entry(d.code).or_default() += 1;
            if let Some((path, reason)) = d.message.split_once("` is not imported: ") {
                lost = true;
                let field = path.rsplit(['.', '`']).next().unwrap_or(path);
                let field = field.split('[').next().unwrap_or(field);
                *per_reason.entry(format!("{field}: {reason}")).or_default() += 1;
            }
        }
        files_with_loss += usize::from(lost);
    }
    let mut summary = format!(
        "files imported: {}\nfiles with something not imported: {files_with_loss}\nlabel sets routed alike: {compared}\namtool checks: {amtool_compared}\n\ndiagnostics per code:\n",
        imported.len()
    );
    for (code, n) in &per_code {
        summary.push_str(&format!("  {code}: {n}\n"));
    }
    summary.push_str("\nnot imported, per field and reason:\n");
    for (reason, n) in &per_reason {
        summary.push_str(&format!("  {reason}: {n}\n"));
    }
    insta::assert_snapshot!("corpus_summary", summary);
}

/// The module a fixture imports to, and what the import reports.
#[test]
fn fixture_module_and_diagnostics() {
    let path = format!("{FIXTURES}/inline.yml");
    let file = source(&path);
    let (module, diagnostics) = import::module(&file, "inline".into());
    let module = module.unwrap();
    // The fixture's inline secrets never reach the module.
    for secret in [
        "hunter2",
        "0123456789abcdef",
        "XXXXXXXX",
        "secret-token",
        "url-secret-token",
        "basic-auth-secret",
        "secret-opsgenie-key",
        "webex-bot-token",
        "telegram-token",
        "discord-token",
        "pushover-token",
        "wechat-secret",
    ] {
        assert!(file.text.contains(secret), "{secret}");
        assert!(!module.source.contains(secret), "{secret} in the module");
    }
    let rendered = diag::render(&diagnostics, &|p| {
        std::fs::read_to_string(common::root().join(p)).ok()
    });
    if let Err(diff) = common::rustfmt_check(&module.source) {
        panic!("rustfmt would change the inline module:\n{diff}");
    }
    insta::assert_snapshot!("inline_module", module.source);
    insta::assert_snapshot!("inline_diagnostics", rendered);
}

/// EJE's own configuration imports to a module a person would write.
#[test]
fn eje_module() {
    let root = common::root();
    let path = "generated/alertmanager/alertmanager.yml";
    let full: PathBuf = root.join(path);
    let (module, diagnostics) =
        import::module_with_templates(&source(path), "alertmanager".into(), &templates_of(&full));
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    insta::assert_snapshot!("eje_module", module.unwrap().source);
}

/// Through the CLI: `sextant import` EJE's alertmanager.yml (its templates found beside it)
/// into a new service, build it, and get the same configuration and templates back.
#[test]
fn eje_through_the_cli() {
    let root = common::root();
    let temp = common::TempDir::new("import-alertmanager-cli");
    let dir = temp.0.join("checkout");
    common::new_service(&dir);
    let original = root.join("generated/alertmanager/alertmanager.yml");
    let cargo = |args: &[&str]| {
        let (ok, text) = common::cargo(&dir, args);
        assert!(ok, "cargo {args:?}:\n{text}");
        text
    };
    cargo(&[
        "run",
        "-q",
        "--",
        "import",
        original.to_str().unwrap(),
        "--into",
        "src/imported",
    ]);
    cargo(&["run", "-q", "--", "build"]);
    // The same file but for its header (the spec it was generated from).
    let body = |path: &Path| -> String {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.starts_with("{{/*"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let emitted = dir.join("generated/alertmanager");
    assert_eq!(
        body(&emitted.join("alertmanager.yml")),
        body(&original),
        "the configuration built from the imported module"
    );
    assert_eq!(
        body(&emitted.join("templates/notifications.tmpl")),
        body(&root.join("generated/alertmanager/templates/notifications.tmpl")),
        "the templates built from the imported module"
    );
}

/// `import::import_with` dispatches AlertManager configurations here, with their templates; a
/// spec has one, so a second is reported and left out.
#[test]
fn one_alertmanager_configuration_per_import() {
    let root = common::root();
    let files = [
        source("generated/alertmanager/alertmanager.yml"),
        source(&format!("{FIXTURES}/inline.yml")),
    ];
    let templates = |config: &SourceFile, glob: &str| templates_of(&root.join(&config.path))(glob);
    let imported = sextant::import::import_with(
        &files,
        &sextant::catalog::Catalog { metrics: &[] },
        &templates,
    );
    let entries: Vec<(&str, &sextant::import::Entry)> = imported
        .modules
        .iter()
        .map(|m| (m.source_path.as_str(), &m.entry))
        .collect();
    assert_eq!(
        entries,
        [(
            "generated/alertmanager/alertmanager.yml",
            &sextant::import::Entry::AlertManager
        )]
    );
    // Its templates were found beside it and imported.
    let source = &imported.modules[0].source;
    assert!(source.contains("Template::define") && source.contains("\"eje.title\""));
    let duplicate: Vec<&str> = imported
        .diagnostics
        .iter()
        .filter(|d| d.code == "import/duplicate")
        .map(|d| d.message.as_str())
        .collect();
    assert_eq!(
        duplicate,
        [format!("{FIXTURES}/inline.yml: a spec has one AlertManager configuration, imported from generated/alertmanager/alertmanager.yml")]
    );
}
