//! The command line. Architecture Invariant: the only module that touches files, the terminal
//! and exit codes; everything else returns output plus diagnostics.
//!
//! Exit codes: 0 success; 1 the spec has errors, or `check` found `generated/` stale, or `lint`
//! found a diagnostic at or above `--fail-on`; 2 bad usage, an I/O failure, or a file kind `lint`
//! does not support yet.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::alertmanager;
use crate::diagnostics::report;
use crate::diagnostics::{self, Severity};
use crate::grafana::file as dashfile;
use crate::lint;
use crate::output::Output;
use crate::rules::file::{self as rulefile, FileKind, SourceFile};
use crate::spec::{compile, compile_with, Options, Spec};

/// A project: where it lives and how to build its spec.
pub struct Project {
    /// The repository root: Rust paths in diagnostics and `generated/` are relative to it.
    pub root: PathBuf,
    pub spec: fn() -> Spec,
}

#[derive(Parser, Debug)]
#[command(
    name = "sextant",
    about = "Monitoring as code: compile the spec to Prometheus, AlertManager and Grafana configuration"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Compile the spec and write generated/ (nothing is written when the spec has errors).
    Build {
        /// The output folder [default: <repository>/generated].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Divide every duration by N, for a test stack in which a 5m alert fires in 5s
        /// (needs --out: a scaled build never replaces generated/).
        #[arg(long, value_name = "N", default_value_t = 1)]
        time_scale: u64,
    },
    /// Compile the spec and compare with generated/; write nothing. Fails when they differ.
    Check {
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Test or show the AlertManager route tree, as `amtool config routes` does.
    Routes {
        #[command(subcommand)]
        command: RoutesCommand,
    },
    /// Lint the spec (no PATH), or Prometheus rule files, AlertManager configurations and Grafana
    /// dashboards (`*.json`) against the spec's metric catalog.
    Lint(LintArgs),
    /// Print a diagnostic code's documentation, or list every code.
    Explain {
        /// The code, such as `promql/unknown-metric` or `alertmanager/undefined-receiver`.
        code: Option<String>,
        #[arg(long)]
        list: bool,
    },
}

#[derive(Subcommand, Debug)]
enum RoutesCommand {
    /// Print the receivers an alert with these labels goes to, comma-separated.
    Test {
        /// The alert's labels, as `name=value`.
        labels: Vec<String>,
    },
    /// Print the route tree.
    Show,
}

#[derive(clap::Args, Debug)]
struct LintArgs {
    /// Prometheus rule files and Grafana dashboards, or folders of them (`*.yml`, `*.yaml`,
    /// `*.json`), linted together.
    paths: Vec<PathBuf>,
    /// How to print diagnostics.
    #[arg(long, value_enum, default_value = "human")]
    format: Format,
    /// The lowest severity that fails the run (exit code 1).
    #[arg(long, value_enum, default_value = "error")]
    fail_on: FailOn,
    /// Also compare series budgets with a running Prometheus (http://host:9090) or a /metrics
    /// endpoint (http://host:8000/metrics).
    #[arg(long, value_name = "URL")]
    live: Option<String>,
    /// With --live on a Prometheus server: how many targets its series come from.
    #[arg(long, default_value_t = 1)]
    targets: u64,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Format {
    Human,
    Json,
    Github,
    Sarif,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum FailOn {
    Info,
    Warning,
    Error,
}

/// Runs the CLI with the process's arguments and maps the result to an exit code.
pub fn main(project: Project) -> ExitCode {
    let stdout = io::stdout();
    let stderr = io::stderr();
    let code = run(
        &project,
        std::env::args_os(),
        &mut stdout.lock(),
        &mut stderr.lock(),
    );
    ExitCode::from(code)
}

/// Runs the CLI on `args` (the first being the program name); returns the exit code.
pub fn run(
    project: &Project,
    args: impl IntoIterator<Item = OsString>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> u8 {
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            if e.use_stderr() {
                let _ = write!(stderr, "{e}");
                return 2;
            }
            let _ = write!(stdout, "{e}");
            return 0;
        }
    };
    match execute(project, cli.command, stdout, stderr) {
        Ok(code) => code,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e}");
            2
        }
    }
}

fn execute(
    project: &Project,
    command: Command,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    match command {
        Command::Build { out, time_scale } => {
            if time_scale == 0 || (time_scale > 1 && out.is_none()) {
                writeln!(stderr, "error: --time-scale takes a whole number from 1 up, and a scaled build needs --out DIR")?;
                return Ok(2);
            }
            let out = out.unwrap_or_else(|| project.root.join("generated"));
            let options = Options { time_scale };
            let Some(output) = compile_reporting(project, &options, stderr)? else {
                writeln!(stderr, "error: the spec has errors; nothing was written")?;
                return Ok(1);
            };
            let summary = write_tree(&out, &output)?;
            writeln!(stdout, "{}", summary.line(&display(project, &out)))?;
            Ok(0)
        }
        Command::Check { out } => {
            let out = out.unwrap_or_else(|| project.root.join("generated"));
            let Some(output) = compile_reporting(project, &Options::default(), stderr)? else {
                return Ok(1);
            };
            let on_disk = read_tree(&out)?;
            let differences = diff(&output, &on_disk);
            let shown = display(project, &out);
            if differences.is_empty() {
                writeln!(stdout, "{shown} is up to date ({} files)", output.len())?;
                Ok(0)
            } else {
                for (path, what) in &differences {
                    writeln!(stderr, "{shown}/{path}: {what}")?;
                }
                writeln!(
                    stderr,
                    "error: {shown} is not what the spec produces ({} files differ); run `cargo run -- build`",
                    differences.len()
                )?;
                Ok(1)
            }
        }
        Command::Routes { command } => {
            let spec = (project.spec)();
            let (ir, diagnostics) = crate::spec::lower(&spec);
            if diagnostics.iter().any(diagnostics::Diagnostic::is_error) {
                compile_reporting(project, &Options::default(), stderr)?;
                return Ok(1);
            }
            let Some(config) = ir.alertmanager else {
                writeln!(
                    stderr,
                    "error: the spec declares no AlertManager configuration"
                )?;
                return Ok(1);
            };
            match command {
                RoutesCommand::Show => write!(stdout, "{}", alertmanager::route::show(&config))?,
                RoutesCommand::Test { labels } => {
                    let labels = match alertmanager::route::parse_labels(&labels) {
                        Ok(labels) => labels,
                        Err(e) => {
                            writeln!(stderr, "error: {e}")?;
                            return Ok(2);
                        }
                    };
                    let receivers = alertmanager::route::receivers(&config, &labels);
                    writeln!(stdout, "{}", receivers.join(","))?;
                }
            }
            Ok(0)
        }
        Command::Lint(args) => lint_command(project, args, stdout, stderr),
        Command::Explain { code, list } => match (code, list) {
            (Some(code), _) => match diagnostics::registry::explain(&code) {
                Some(text) => {
                    writeln!(stdout, "{text}")?;
                    Ok(0)
                }
                None => {
                    writeln!(
                        stderr,
                        "error: no diagnostic code {code:?}; `explain` alone lists them"
                    )?;
                    Ok(2)
                }
            },
            (None, _) => {
                write!(stdout, "{}", diagnostics::registry::list())?;
                Ok(0)
            }
        },
    }
}

fn lint_command(
    project: &Project,
    args: LintArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    let spec = (project.spec)();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut diagnostics = if args.paths.is_empty() {
        compile(&spec).diagnostics
    } else {
        let mut files = Vec::new();
        let mut dashboards = Vec::new();
        let mut alertmanager_files = Vec::new();
        for path in rule_file_paths(&args.paths)? {
            let text = fs::read_to_string(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            let shown = path.display().to_string();
            match FileKind::of(&shown, &text) {
                FileKind::Rules => {}
                FileKind::Dashboard => {
                    texts.insert(shown.clone(), text.clone());
                    dashboards.push(SourceFile { path: shown, text });
                    continue;
                }
                FileKind::AlertManager => {
                    texts.insert(shown.clone(), text.clone());
                    alertmanager_files.push(SourceFile { path: shown, text });
                    continue;
                }
                kind @ FileKind::Prometheus => {
                    writeln!(
                        stderr,
                        "error: {shown}: {} is not linted yet; `lint` reads Prometheus rule files, AlertManager configurations and Grafana dashboards",
                        kind.describe()
                    )?;
                    return Ok(2);
                }
                FileKind::Unknown => {
                    writeln!(
                        stderr,
                        "error: {shown}: not a rule file (`groups:`), an AlertManager configuration (`route:`) or a dashboard (`.json`)"
                    )?;
                    return Ok(2);
                }
            }
            texts.insert(shown.clone(), text.clone());
            files.push(SourceFile { path: shown, text });
        }
        let (ir, mut diagnostics) = rulefile::lower(&files);
        diagnostics.extend(lint::run_files(&ir, &spec.catalog, &spec.lints));
        let alerts = crate::alertmanager::file::Alerts {
            rules: &ir,
            catalog: &spec.catalog,
            external: spec.prometheus.as_ref().map(|p| p.alert_labels()),
        };
        let alerts = (!files.is_empty()).then_some(&alerts);
        diagnostics.extend(lint_alertmanager(&alertmanager_files, alerts));
        diagnostics.extend(lint_dashboards(project, &spec, &ir, &dashboards, stderr)?);
        diagnostics.extend(diagnostics::configure::check(&spec.lints));
        diagnostics
    };
    if let Some(url) = &args.live {
        let body = match crate::lint::http::get(url, std::time::Duration::from_secs(10)) {
            Ok(body) => body,
            Err(e) => {
                writeln!(stderr, "error: --live: {e}")?;
                return Ok(2);
            }
        };
        let counts = if lint::live::is_json(&body) {
            match lint::live::parse_tsdb(&body) {
                Ok(counts) => counts,
                Err(e) => {
                    writeln!(stderr, "error: --live {url}: {e}")?;
                    return Ok(2);
                }
            }
        } else {
            lint::live::parse_exposition(&body)
        };
        let targets = args.targets.max(1);
        diagnostics.extend(lint::live::compare(
            &spec.catalog,
            &spec.lints,
            &counts,
            targets,
            url,
        ));
    }
    diagnostics::configure::apply(&spec.lints, &mut diagnostics, &|path| {
        texts.get(path).cloned()
    });
    diagnostics::sort(&mut diagnostics);
    let root = project.root.clone();
    let load = move |file: &str| {
        texts
            .get(file)
            .cloned()
            .or_else(|| fs::read_to_string(root.join(file)).ok())
            .or_else(|| fs::read_to_string(file).ok())
    };
    let rendered = match args.format {
        Format::Human => diagnostics::render(&diagnostics, &load),
        Format::Json => report::json(&diagnostics, &load),
        Format::Github => report::github(&diagnostics, &load),
        Format::Sarif => report::sarif(&diagnostics, &load),
    };
    write!(stdout, "{rendered}")?;
    writeln!(
        stderr,
        "{} errors, {} warnings, {} infos",
        diagnostics::count(&diagnostics, Severity::Error),
        diagnostics::count(&diagnostics, Severity::Warning),
        diagnostics::count(&diagnostics, Severity::Info)
    )?;
    let fail_on = match args.fail_on {
        FailOn::Info => Severity::Info,
        FailOn::Warning => Severity::Warning,
        FailOn::Error => Severity::Error,
    };
    Ok(u8::from(diagnostics.iter().any(|d| d.severity >= fail_on)))
}

/// Lints Grafana dashboard files against the spec and the rule files linted with them (see
/// [`dashfile`]), and against Grafana's official dashboard schema when `shared/reference` sits
/// beside the repository; the schema is Grafana's, not ours, so it is read, never copied in.
fn lint_dashboards(
    project: &Project,
    spec: &Spec,
    rules: &crate::ir::Ir,
    files: &[SourceFile],
    stderr: &mut dyn Write,
) -> io::Result<Vec<diagnostics::Diagnostic>> {
    if files.is_empty() {
        return Ok(Vec::new());
    }
    let context = dashfile::Context::of_spec(spec).recorded_by(rules);
    let path = project
        .root
        .join("../shared/reference/grafana-jsonschema/dashboard.jsonschema.json");
    let schema = match fs::read_to_string(&path) {
        Ok(text) => match dashfile::GrafanaSchema::new(&text) {
            Ok(schema) => Some(schema),
            Err(e) => {
                writeln!(
                    stderr,
                    "warning: {}: {e}; dashboards are not checked against Grafana's schema",
                    path.display()
                )?;
                None
            }
        },
        Err(_) => {
            writeln!(stderr, "note: Grafana's dashboard schema is not at {}: dashboards are checked against Sextant's own schema only", path.display())?;
            None
        }
    };
    Ok(dashfile::lint(files, &context, schema.as_ref()))
}

/// Lints AlertManager configurations, each with the template files its `templates:` globs match
/// (relative to its folder, the glob in the file name only, as AlertManager resolves them).
fn lint_alertmanager(
    files: &[SourceFile],
    alerts: Option<&crate::alertmanager::file::Alerts>,
) -> Vec<diagnostics::Diagnostic> {
    let mut out = Vec::new();
    for file in files {
        let dir = Path::new(&file.path).parent().unwrap_or(Path::new(""));
        let templates = |glob: &str| -> Vec<SourceFile> {
            let pattern = dir.join(glob);
            let (Some(folder), Some(name)) = (pattern.parent(), pattern.file_name()) else {
                return Vec::new();
            };
            let name = name.to_string_lossy();
            let mut found: Vec<PathBuf> = fs::read_dir(folder)
                .into_iter()
                .flatten()
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.file_name().is_some_and(|n| {
                        crate::alertmanager::file::glob_matches(&name, &n.to_string_lossy())
                    })
                })
                .collect();
            found.sort();
            found
                .into_iter()
                .filter_map(|p| {
                    let text = fs::read_to_string(&p).ok()?;
                    let path = p.display().to_string();
                    Some(SourceFile { path, text })
                })
                .collect()
        };
        out.extend(crate::alertmanager::file::lint(file, &templates, alerts));
    }
    out
}

/// The files named, with folders expanded to their `*.yml`, `*.yaml` and `*.json` files, sorted.
fn rule_file_paths(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut found: Vec<PathBuf> = fs::read_dir(path)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| {
                    p.extension()
                        .is_some_and(|e| e == "yml" || e == "yaml" || e == "json")
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(path.clone());
        }
    }
    Ok(out)
}

/// Compiles the spec, prints its diagnostics, and returns the output when there is no error.
fn compile_reporting(
    project: &Project,
    options: &Options,
    stderr: &mut dyn Write,
) -> io::Result<Option<Output>> {
    let compiled = compile_with(&(project.spec)(), options);
    if !compiled.diagnostics.is_empty() {
        let root = project.root.clone();
        let load = move |file: &str| fs::read_to_string(root.join(file)).ok();
        write!(
            stderr,
            "{}",
            diagnostics::render(&compiled.diagnostics, &load)
        )?;
        let errors = diagnostics::count(&compiled.diagnostics, Severity::Error);
        let warnings = diagnostics::count(&compiled.diagnostics, Severity::Warning);
        writeln!(stderr, "{errors} errors, {warnings} warnings")?;
    }
    Ok((!compiled.has_errors()).then_some(compiled.output))
}

fn display(project: &Project, path: &Path) -> String {
    path.strip_prefix(&project.root)
        .unwrap_or(path)
        .display()
        .to_string()
}

/// What a build changed.
struct Summary {
    files: usize,
    changed: usize,
    added: usize,
    removed: usize,
}

impl Summary {
    fn line(&self, out: &str) -> String {
        if self.changed + self.added + self.removed == 0 {
            format!("{out} is up to date ({} files)", self.files)
        } else {
            format!(
                "wrote {} files to {out} ({} changed, {} added, {} removed)",
                self.files, self.changed, self.added, self.removed
            )
        }
    }
}

/// Every file under `dir`, by path relative to it with `/` separators.
fn read_tree(dir: &Path) -> io::Result<BTreeMap<String, String>> {
    let mut files = BTreeMap::new();
    if dir.exists() {
        walk(dir, "", &mut files)?;
    }
    Ok(files)
}

fn walk(dir: &Path, prefix: &str, files: &mut BTreeMap<String, String>) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let name = entry.file_name().to_string_lossy().into_owned();
        let path = format!("{prefix}{name}");
        if entry.file_type()?.is_dir() {
            walk(&entry.path(), &format!("{path}/"), files)?;
        } else {
            let bytes = fs::read(entry.path())?;
            files.insert(path, String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    Ok(())
}

fn diff(output: &Output, on_disk: &BTreeMap<String, String>) -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (path, contents) in output.files() {
        match on_disk.get(path) {
            None => out.push((path.clone(), "missing")),
            Some(existing) if existing != contents => out.push((path.clone(), "differs")),
            Some(_) => {}
        }
    }
    for path in on_disk.keys() {
        if output.get(path).is_none() {
            out.push((path.clone(), "not produced by the spec (stale)"));
        }
    }
    out.sort();
    out
}

/// Replaces `dir` with exactly the files of `output`, atomically as far as the file system
/// allows: the new tree is written beside it, then swapped in with two renames. An unchanged
/// tree is left untouched.
fn write_tree(dir: &Path, output: &Output) -> io::Result<Summary> {
    let on_disk = read_tree(dir)?;
    let mut summary = Summary {
        files: output.len(),
        changed: 0,
        added: 0,
        removed: 0,
    };
    for (path, contents) in output.files() {
        match on_disk.get(path) {
            None => summary.added += 1,
            Some(existing) if existing != contents => summary.changed += 1,
            Some(_) => {}
        }
    }
    summary.removed = on_disk.keys().filter(|p| output.get(p).is_none()).count();
    if summary.changed + summary.added + summary.removed == 0 {
        return Ok(summary);
    }
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "generated".into());
    let parent = dir.parent().unwrap_or(Path::new("."));
    let staging = parent.join(format!(".{name}.new"));
    let old = parent.join(format!(".{name}.old"));
    for leftover in [&staging, &old] {
        if leftover.exists() {
            fs::remove_dir_all(leftover)?;
        }
    }
    fs::create_dir_all(&staging)?;
    for (path, contents) in output.files() {
        let target = staging.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        let mut file = fs::File::create(&target)?;
        file.write_all(contents.as_bytes())?;
        file.sync_all()?;
    }
    if dir.exists() {
        fs::rename(dir, &old)?;
    }
    if let Err(e) = fs::rename(&staging, dir) {
        // Put the previous tree back so a failure leaves things as they were.
        if old.exists() {
            fs::rename(&old, dir)?;
        }
        return Err(e);
    }
    if old.exists() {
        fs::remove_dir_all(&old)?;
    }
    Ok(summary)
}
