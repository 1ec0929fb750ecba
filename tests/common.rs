//! Helpers shared by the integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use sextant::diagnostics as diag;
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

/// `shared/` beside the repository (in CI, a copy sits at `<repo>/../shared`): found from this
/// crate's folder upwards, so the `spec/` crate's tests find it too.
pub fn shared_dir() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .map(|dir| dir.join("../shared"))
        .find(|dir| dir.join("tools/grafana-schema-check").is_file())
        .unwrap_or_else(|| {
            panic!(
                "no shared/tools/grafana-schema-check beside {} or its parents: the shared/ folder must sit beside the repository",
                manifest.display()
            )
        })
}

/// Runs `shared/tools/grafana-schema-check` (Grafana's official JSON Schemas) on dashboards given
/// as (file name, JSON text); panics with its report when any is invalid.
pub fn grafana_schema_check(dashboards: &[(String, String)]) {
    use std::process::Command;
    let probe = Command::new("python3")
        .args(["-c", "import jsonschema, referencing"])
        .output();
    match probe {
        Err(e) => panic!("python3 not found ({e}): run ci/test.sh, which installs it with the jsonschema package"),
        Ok(out) if !out.status.success() => panic!(
            "python3 lacks the jsonschema package (pip install jsonschema; ci/test.sh installs it): {}",
            String::from_utf8_lossy(&out.stderr)
        ),
        Ok(_) => {}
    }
    let dir = std::env::temp_dir().join(format!(
        "sextant-grafana-{}-{:?}",
        std::process::id(),
        std::thread::current().id()
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let mut paths = Vec::new();
    for (name, text) in dashboards {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        paths.push(path);
    }
    let out = Command::new("python3")
        .arg(shared_dir().join("tools/grafana-schema-check"))
        .args(&paths)
        .output()
        .expect("python3 runs");
    std::fs::remove_dir_all(&dir).ok();
    assert!(
        out.status.success(),
        "Grafana's official schemas reject the dashboards:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Runs the CLI in-process for `project`; returns the exit code, stdout and stderr.
pub fn run_cli(project: &sextant::cli::Project, args: &[&str]) -> (u8, String, String) {
    let mut out = Vec::new();
    let mut err = Vec::new();
    let args = std::iter::once("sextant")
        .chain(args.iter().copied())
        .map(Into::into);
    let code = sextant::cli::run(project, args, &mut out, &mut err);
    (
        code,
        String::from_utf8(out).unwrap(),
        String::from_utf8(err).unwrap(),
    )
}

/// A fresh folder under the system's temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("sextant-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// PromQL `expr` modulo white space, for comparing an expression with its round trip: the
/// white space between tokens dropped, string literals kept as written, each `#` comment kept
/// (its runs of white space as one space) up to the end of its line.
pub fn promql_unspaced(expr: &str) -> String {
    let mut out = String::with_capacity(expr.len());
    let mut chars = expr.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' | '\'' | '`' => {
                out.push(c);
                while let Some(d) = chars.next() {
                    out.push(d);
                    if d == '\\' && c != '`' {
                        if let Some(e) = chars.next() {
                            out.push(e);
                        }
                    } else if d == c {
                        break;
                    }
                }
            }
            '#' => {
                let comment: String =
                    std::iter::from_fn(|| chars.next_if(|&d| d != '\n')).collect();
                out.push('#');
                out.push_str(&comment.split_whitespace().collect::<Vec<_>>().join(" "));
                out.push('\n');
            }
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// A real Prometheus on 127.0.0.1 (a free port) with `config` as its configuration and its data
/// in `dir/data`, killed when dropped. Its log is `dir/log`.
pub struct Prometheus {
    child: std::process::Child,
    port: u16,
    log: PathBuf,
}

impl Prometheus {
    pub fn start(dir: &Path, config: &str, args: &[&str]) -> Prometheus {
        std::fs::write(dir.join("prometheus.yml"), config).unwrap();
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let log = dir.join("log");
        let child = std::process::Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.join("data").display()
            ))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .args(args)
            .stdout(std::process::Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .expect("prometheus not found: run ci/test.sh, which installs it");
        Prometheus { child, port, log }
    }

    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Panics, with its log, when the server has exited.
    pub fn assert_running(&mut self) {
        if let Ok(Some(status)) = self.child.try_wait() {
            panic!("prometheus exited ({status}); its log:\n{}", self.log());
        }
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `rustfmt --check` on Rust source (through stdin): `Err` holds the changes rustfmt would make.
pub fn rustfmt_check(source: &str) -> Result<(), String> {
    use std::io::Write;
    let mut child = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--check"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("rustfmt runs: ci/test.sh installs it with the toolchain's components");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(source.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stdout).into_owned())
    }
}

/// The target folder this test was built in (it runs from `<target>/<profile>/deps/`): scratch
/// crates built there reuse the workspace's compiled dependencies.
pub fn target_dir() -> PathBuf {
    let exe = std::env::current_exe().unwrap();
    exe.ancestors().nth(3).unwrap().to_path_buf()
}

/// A new service's spec crate made by `sextant init` in `dir`, with the workspace's Cargo.lock
/// (the same dependency versions, already compiled).
pub fn new_service(dir: &Path) {
    let project = sextant::cli::Project {
        root: root(),
        spec: || Spec::new(sextant::catalog::Catalog { metrics: &[] }),
    };
    let (code, _, stderr) = run_cli(&project, &["init", dir.to_str().unwrap()]);
    assert_eq!((code, stderr.as_str()), (0, ""), "sextant init");
    std::fs::copy(root().join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
}

/// Runs `cargo ARGS` in `dir` with the workspace's target folder: whether it succeeded, and
/// its output.
pub fn cargo(dir: &Path, args: &[&str]) -> (bool, String) {
    let out = std::process::Command::new(env!("CARGO"))
        .args(args)
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", target_dir())
        .output()
        .expect("cargo runs");
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}
