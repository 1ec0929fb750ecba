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
use crate::grafana::file::GrafanaSchema;
use crate::lint;
use crate::output::Output;
use crate::rules::file::SourceFile;
use crate::spec::{compile_with, Options, Spec};

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
    /// Replay alerts over the history of a running Prometheus: how many times, and how long,
    /// each would have fired (range queries at its group's interval, `for` and
    /// `keep_firing_for` applied as the rule manager does).
    Backtest(BacktestArgs),
    /// Create a spec crate for a new service in DIR (a new or empty folder): a metric catalog,
    /// rules, an alert, an SLO, routing, a dashboard, tests that run promtool and amtool, a README.
    Init {
        dir: PathBuf,
        /// The service's name [default: DIR's name].
        #[arg(long)]
        name: Option<String>,
    },
    /// Compare what the spec at BASE and the working tree mean: rules and alerts, SLOs and their
    /// error budgets, the routing of the label sets alerts can carry, dashboards' panels.
    /// BASE is built in a temporary git worktree with its own `cargo run -- build`.
    Diff {
        /// A git revision [default: the merge base of HEAD with main, master or origin/main].
        base: Option<String>,
        #[arg(long, value_enum, default_value = "human")]
        format: DiffFormat,
    },
    /// Import existing configuration (rule files, PrometheusRule resources, Sloth specs) as
    /// Rust modules of the spec crate in DIR (a folder inside the crate's `src/`), wired into
    /// its `spec()`: `cargo run -- build` then emits them. Importing again rewrites DIR.
    Import {
        /// Files, or folders of them (`*.yml`, `*.yaml`, `*.json`), imported together.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// The folder of the imported modules, such as `src/imported`.
        #[arg(long, value_name = "DIR")]
        into: PathBuf,
    },
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
    /// Ask a running Prometheus (http://host:9090) which of the series the rule files read
    /// exist, with which labels and types: unknown metrics and labels outside the catalog are
    /// then reported (as warnings: they rest on that server's recent data).
    #[arg(long, value_name = "URL")]
    prometheus: Option<String>,
    /// With --prometheus: how far back to look for series, in minutes.
    #[arg(long, value_name = "MINUTES", default_value_t = 60)]
    lookback: u64,
    /// Only the spec's findings on the rules, routes, inhibit rules and panels changed since BASE
    /// (a git revision; default: the merge base with main), as `diff` finds them.
    #[arg(long, value_name = "BASE", num_args = 0..=1, default_missing_value = "")]
    changed: Option<String>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum DiffFormat {
    Human,
    Markdown,
    Json,
}

#[derive(clap::Args, Debug)]
struct BacktestArgs {
    /// The Prometheus whose history is replayed (http://host:9090).
    #[arg(long, value_name = "URL")]
    prometheus: String,
    /// How far back to replay, as a Prometheus duration (`7d`, `36h`).
    #[arg(long, value_name = "DURATION", default_value = "7d")]
    since: String,
    /// An alert to replay (repeatable): alone, the current spec's alerts of that name; with
    /// --base, only those of the changed alerts.
    #[arg(long = "alert", value_name = "NAME")]
    alerts: Vec<String>,
    /// Replay the alerts changed since BASE (a git revision), before and after; the default
    /// without --alert, BASE then being the merge base of HEAD with main.
    #[arg(long, value_name = "BASE")]
    base: Option<String>,
    /// How to print the report.
    #[arg(long, value_enum, default_value = "human")]
    format: ReportFormat,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum ReportFormat {
    Human,
    Markdown,
    Json,
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
            let spec = load_spec(project);
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
        Command::Backtest(args) => backtest_command(project, args, stdout, stderr),
        Command::Init { dir, name } => init_command(&dir, name, stdout, stderr),
        Command::Diff { base, format } => diff_command(project, base, format, stdout, stderr),
        Command::Import { paths, into } => import_command(project, &paths, &into, stdout, stderr),
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
    let spec = load_spec(project);
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    let mut diagnostics = if let Some(base) = &args.changed {
        if !args.paths.is_empty() {
            writeln!(
                stderr,
                "error: --changed lints the spec's changes; it takes no PATH"
            )?;
            return Ok(2);
        }
        let compiled = crate::spec::compile(&spec);
        let mut diagnostics = compiled.diagnostics.clone();
        diagnostics::sort(&mut diagnostics);
        // A spec with errors emits nothing to compare: every finding stands.
        if !compiled.has_errors() {
            let before = match base_output(project, base, stderr)? {
                Ok(files) => files,
                Err(e) => {
                    writeln!(stderr, "error: {e}")?;
                    return Ok(2);
                }
            };
            let found = crate::diff::diff(&before, compiled.output.files(), &spec.catalog);
            let old = crate::diff::Side::read(&before);
            let (ir, _) = crate::spec::lower(&spec);
            let touched = crate::diff::touched::touched(&found, old.alertmanager.as_ref(), &ir);
            diagnostics = touched.filter(diagnostics);
        }
        diagnostics
    } else if args.paths.is_empty() {
        lint::files::lint_spec(&spec)
    } else {
        let mut files = Vec::new();
        for path in lint_paths(&args.paths)? {
            let text = fs::read_to_string(&path)
                .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
            let path = path.display().to_string();
            texts.insert(path.clone(), text.clone());
            files.push(SourceFile { path, text });
        }
        let schema = grafana_schema(project, &files, stderr)?;
        let crds = crds(project, &files, stderr)?;
        let env = lint::files::Environment {
            templates: &template_files,
            grafana_schema: schema.as_ref(),
            crds: &crds,
            prometheus: args.prometheus.as_deref().map(|url| {
                (
                    url,
                    std::time::Duration::from_secs(args.lookback.max(1) * 60),
                )
            }),
        };
        match lint::files::lint_files(&files, &spec, &env) {
            Ok(diagnostics) => diagnostics,
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                return Ok(2);
            }
        }
    };
    if let Some(url) = &args.live {
        let body = match lint::live::fetch(url) {
            Ok(body) => body,
            Err(e) => {
                writeln!(stderr, "error: --live: {e}")?;
                return Ok(2);
            }
        };
        match lint::live::check(&spec.catalog, &spec.lints, &body, args.targets, url) {
            Ok(found) => diagnostics.extend(found),
            Err(e) => {
                writeln!(stderr, "error: --live {url}: {e}")?;
                return Ok(2);
            }
        }
        diagnostics::sort(&mut diagnostics);
    }
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

fn backtest_command(
    project: &Project,
    args: BacktestArgs,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    let since = match crate::syntax::duration::Duration::parse(&args.since) {
        Ok(since) if !since.is_zero() => since,
        Ok(_) => {
            writeln!(stderr, "error: --since 0: the window must not be empty")?;
            return Ok(2);
        }
        Err(e) => {
            writeln!(stderr, "error: --since {}: {e}", args.since)?;
            return Ok(2);
        }
    };
    let compared = args.base.is_some() || args.alerts.is_empty();
    let changes = if compared {
        // The alerts changed since BASE, both versions, as `diff` finds them.
        let Some(after) = compile_reporting(project, &Options::default(), stderr)? else {
            writeln!(
                stderr,
                "error: the working tree's spec has errors; nothing to replay"
            )?;
            return Ok(1);
        };
        let base = args.base.as_deref().unwrap_or("");
        let before = match base_output(project, base, stderr)? {
            Ok(files) => files,
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                return Ok(2);
            }
        };
        let changed =
            crate::backtest::changes(&crate::diff::changed_alerts(&before, after.files()));
        match crate::backtest::only(changed, &args.alerts) {
            Ok(changes) => changes,
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                return Ok(2);
            }
        }
    } else {
        let spec = load_spec(project);
        let (ir, diagnostics) = crate::spec::lower(&spec);
        if diagnostics.iter().any(diagnostics::Diagnostic::is_error) {
            compile_reporting(project, &Options::default(), stderr)?;
            return Ok(1);
        }
        match crate::backtest::named(&ir, &args.alerts) {
            Ok(changes) => changes,
            Err(e) => {
                writeln!(stderr, "error: {e}")?;
                return Ok(2);
            }
        }
    };
    if changes.is_empty() {
        writeln!(stderr, "no alert changed; nothing to replay")?;
        return Ok(0);
    }
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_err(io::Error::other)?;
    let window = crate::backtest::Window {
        now: now.as_millis() as i64,
        since,
    };
    let server = crate::backtest::Server::new(&args.prometheus);
    let report = match crate::backtest::run(
        &server,
        &changes,
        window,
        crate::backtest::MAX_POINTS,
        compared,
    ) {
        Ok(report) => report,
        Err(e) => {
            writeln!(stderr, "error: backtest on {}: {e}", server.url())?;
            return Ok(2);
        }
    };
    let rendered = match args.format {
        ReportFormat::Human => report.human(),
        ReportFormat::Markdown => report.markdown(),
        ReportFormat::Json => report.json(),
    };
    write!(stdout, "{rendered}")?;
    Ok(0)
}

fn diff_command(
    project: &Project,
    base: Option<String>,
    format: DiffFormat,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    let spec = load_spec(project);
    let Some(after) = compile_reporting(project, &Options::default(), stderr)? else {
        writeln!(
            stderr,
            "error: the working tree's spec has errors; nothing to compare"
        )?;
        return Ok(1);
    };
    let before = match base_output(project, base.as_deref().unwrap_or(""), stderr)? {
        Ok(files) => files,
        Err(e) => {
            writeln!(stderr, "error: {e}")?;
            return Ok(2);
        }
    };
    let found = crate::diff::diff(&before, after.files(), &spec.catalog);
    let rendered = match format {
        DiffFormat::Human => crate::diff::render::human(&found),
        DiffFormat::Markdown => crate::diff::render::markdown(&found),
        DiffFormat::Json => crate::diff::render::json(&found),
    };
    write!(stdout, "{rendered}")?;
    Ok(0)
}

/// Runs a command; its stdout, or what it said on failure.
fn run_tool(command: &mut std::process::Command) -> io::Result<Result<String, String>> {
    let output = command.output().map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot run {:?}: {e}", command.get_program()),
        )
    })?;
    if output.status.success() {
        Ok(Ok(String::from_utf8_lossy(&output.stdout)
            .trim()
            .to_string()))
    } else {
        Ok(Err(format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        )
        .trim()
        .to_string()))
    }
}

fn git(root: &Path) -> std::process::Command {
    let mut command = std::process::Command::new("git");
    command.arg("-C").arg(root);
    command
}

/// The commit `base` names; for "", the merge base of HEAD with main, master or origin/main.
fn resolve_base(root: &Path, base: &str) -> io::Result<Result<String, String>> {
    if !base.is_empty() {
        let spec = format!("{base}^{{commit}}");
        return Ok(
            run_tool(git(root).args(["rev-parse", "--verify", "--quiet", &spec]))?.map_err(|_| {
                format!(
                    "{base:?} names no commit of the repository at {}",
                    root.display()
                )
            }),
        );
    }
    for branch in ["main", "master", "origin/main"] {
        if let Ok(commit) = run_tool(git(root).args(["merge-base", "HEAD", branch]))? {
            return Ok(Ok(commit));
        }
    }
    Ok(Err(
        "no merge base of HEAD with main, master or origin/main: name the BASE revision".into(),
    ))
}

/// The files the spec at revision `base` builds: it is checked out in a temporary git worktree
/// and built there by its own `cargo run -- build --out`, in a target folder kept between runs
/// (`$SEXTANT_DIFF_TARGET_DIR`, or target/sextant-diff), so later diffs build incrementally.
fn base_output(
    project: &Project,
    base: &str,
    stderr: &mut dyn Write,
) -> io::Result<Result<BTreeMap<String, String>, String>> {
    let root = &project.root;
    let commit = match resolve_base(root, base)? {
        Ok(commit) => commit,
        Err(e) => return Ok(Err(e)),
    };
    let prefix = match run_tool(git(root).args(["rev-parse", "--show-prefix"]))? {
        Ok(prefix) => prefix,
        Err(e) => {
            return Ok(Err(format!(
                "{} is not in a git repository: {e}",
                root.display()
            )))
        }
    };
    let target = std::env::var_os("SEXTANT_DIFF_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join("target").join("sextant-diff"));
    let scratch = target.join(format!("base-{}", std::process::id()));
    let checkout = scratch.join("checkout");
    let out = scratch.join("generated");
    if scratch.exists() {
        fs::remove_dir_all(&scratch)?;
    }
    fs::create_dir_all(&scratch)?;
    let short = &commit[..commit.len().min(12)];
    writeln!(
        stderr,
        "building the spec at {short} in a temporary worktree"
    )?;
    let added = run_tool(
        git(root)
            .arg("worktree")
            .arg("add")
            .arg("--detach")
            .arg(&checkout)
            .arg(&commit),
    )?;
    let result = match added {
        Err(e) => Err(format!("git worktree add failed: {e}")),
        Ok(_) => {
            let built = run_tool(
                std::process::Command::new("cargo")
                    .args(["run", "--quiet", "--", "build", "--out"])
                    .arg(&out)
                    .current_dir(checkout.join(&prefix))
                    .env("CARGO_TARGET_DIR", &target),
            )?;
            match built {
                Ok(_) => read_tree(&out).map(Ok)?,
                Err(e) => Err(format!("the spec at {short} does not build:\n{e}")),
            }
        }
    };
    // Clean up whatever happened: the worktree's registration, then the folders.
    let _ = run_tool(
        git(root)
            .args(["worktree", "remove", "--force"])
            .arg(&checkout),
    )?;
    let _ = fs::remove_dir_all(&scratch);
    let _ = run_tool(git(root).args(["worktree", "prune"]))?;
    Ok(result)
}

fn import_command(
    project: &Project,
    paths: &[PathBuf],
    into: &Path,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    let usage = |stderr: &mut dyn Write, message: String| -> io::Result<u8> {
        writeln!(stderr, "error: {message}")?;
        Ok(2)
    };
    let folder = into
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    if folder.is_empty() || crate::import::rust::ident(&folder) != folder {
        return usage(
            stderr,
            format!(
                "--into {}: the folder's name must be a Rust module name, such as `imported`",
                into.display()
            ),
        );
    }
    let lib_path = into.parent().unwrap_or(Path::new(".")).join("lib.rs");
    let Ok(lib_rs) = fs::read_to_string(&lib_path) else {
        return usage(stderr, format!("--into {}: no lib.rs beside it; give a folder inside a spec crate's `src/`, such as `src/imported`", into.display()));
    };
    let mut files = Vec::new();
    let mut texts: BTreeMap<String, String> = BTreeMap::new();
    for path in lint_paths(paths)? {
        let text = fs::read_to_string(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", path.display())))?;
        let path = path.display().to_string();
        texts.insert(path.clone(), text.clone());
        files.push(SourceFile { path, text });
    }
    let mut existing = BTreeMap::new();
    if into.is_dir() {
        for entry in fs::read_dir(into)? {
            let path = entry?.path();
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            existing.insert(name, fs::read_to_string(&path).unwrap_or_default());
        }
    }
    let spec = load_spec(project);
    let imported = crate::import::import_with(&files, &spec.own_catalog, &template_files);
    let load = move |file: &str| texts.get(file).cloned();
    write!(
        stdout,
        "{}",
        diagnostics::render(&imported.diagnostics, &load)
    )?;
    let errors = diagnostics::count(&imported.diagnostics, Severity::Error);
    let warnings = diagnostics::count(&imported.diagnostics, Severity::Warning);
    let modules = imported.modules.len();
    writeln!(
        stderr,
        "{errors} errors, {warnings} warnings, {modules} modules"
    )?;
    if errors > 0 || imported.modules.is_empty() {
        writeln!(
            stderr,
            "nothing written: {}",
            if errors > 0 {
                "the import has errors"
            } else {
                "nothing could be imported"
            }
        )?;
        return Ok(1);
    }
    let plan = match crate::import::wiring::plan(&imported, &folder, &existing, &lib_rs) {
        Ok(plan) => plan,
        Err(e) => return usage(stderr, e),
    };
    let mut output = Output::default();
    for (name, text) in &plan.files {
        output.add(name.clone(), rustfmt(text));
    }
    let summary = write_tree(into, &output)?;
    if let Some(lib) = &plan.lib_rs {
        let staging = lib_path.with_extension("rs.new");
        fs::write(&staging, rustfmt(lib))?;
        fs::rename(&staging, &lib_path)?;
    }
    writeln!(
        stdout,
        "imported {} files into {} ({} modules: {} added, {} changed, {} removed){}",
        files.len(),
        into.display(),
        output.len(),
        summary.added,
        summary.changed,
        summary.removed,
        if plan.lib_rs.is_some() {
            format!("; wired into {}", lib_path.display())
        } else {
            String::new()
        }
    )?;
    Ok(0)
}

/// `text` through `rustfmt --edition 2021` when rustfmt is installed, as written otherwise (it is
/// generated rustfmt-clean; this keeps it so under the user's rustfmt).
fn rustfmt(text: &str) -> String {
    let child = std::process::Command::new("rustfmt")
        .args(["--edition", "2021", "--emit", "stdout"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn();
    let Ok(mut child) = child else {
        return text.to_string();
    };
    if let Some(mut stdin) = child.stdin.take() {
        let _ = stdin.write_all(text.as_bytes());
    }
    match child.wait_with_output() {
        Ok(out) if out.status.success() => {
            String::from_utf8(out.stdout).unwrap_or_else(|_| text.to_string())
        }
        _ => text.to_string(),
    }
}

fn init_command(
    dir: &Path,
    name: Option<String>,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
) -> io::Result<u8> {
    if dir.exists() && fs::read_dir(dir)?.next().is_some() {
        writeln!(
            stderr,
            "error: {} is not empty; `init` writes into a new or empty folder",
            dir.display()
        )?;
        return Ok(2);
    }
    let name = match name {
        Some(name) => name,
        None => {
            let absolute = std::path::absolute(dir)?;
            absolute
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default()
        }
    };
    let output = match crate::init::scaffold(&name, crate::init::sextant_path()) {
        Ok(output) => output,
        Err(e) => {
            writeln!(stderr, "error: {e}")?;
            return Ok(2);
        }
    };
    for (path, contents) in output.files() {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            fs::create_dir_all(parent)?;
        }
        fs::write(&target, contents)?;
    }
    let shown = dir.display();
    writeln!(
        stdout,
        "created {name}'s monitoring spec in {shown} ({} files); next:\n  cd {shown}\n  cargo run -- build     # compile the spec into generated/\n  bash ci/test.sh        # install promtool/amtool if missing, run the checks and tests",
        output.len()
    )?;
    Ok(0)
}

/// Grafana's official dashboard schema, read from `shared/reference` beside the repository when
/// dashboards are linted; the schema is Grafana's, not ours, so it is read, never copied in.
fn grafana_schema(
    project: &Project,
    files: &[SourceFile],
    stderr: &mut dyn Write,
) -> io::Result<Option<GrafanaSchema>> {
    let dashboards = files
        .iter()
        .any(|f| lint::files::FileKind::of(&f.path, &f.text) == lint::files::FileKind::Dashboard);
    if !dashboards {
        return Ok(None);
    }
    let path = project
        .root
        .join("../shared/reference/grafana-jsonschema/dashboard.jsonschema.json");
    match fs::read_to_string(&path) {
        Ok(text) => match GrafanaSchema::new(&text) {
            Ok(schema) => Ok(Some(schema)),
            Err(e) => {
                writeln!(
                    stderr,
                    "warning: {}: {e}; dashboards are not checked against Grafana's schema",
                    path.display()
                )?;
                Ok(None)
            }
        },
        Err(_) => {
            writeln!(stderr, "note: Grafana's dashboard schema is not at {}: dashboards are checked against Sextant's own schema only", path.display())?;
            Ok(None)
        }
    }
}

/// prometheus-operator's CRDs, read from `shared/reference` beside the repository when
/// Kubernetes manifests are linted (they are prometheus-operator's, not ours: read, never copied).
fn crds(
    project: &Project,
    files: &[SourceFile],
    stderr: &mut dyn Write,
) -> io::Result<Vec<crate::kubernetes::schema::Crd>> {
    let manifests = files
        .iter()
        .any(|f| lint::files::FileKind::of(&f.path, &f.text) == lint::files::FileKind::Kubernetes);
    if !manifests {
        return Ok(Vec::new());
    }
    let dir = project
        .root
        .join("../shared/reference/prometheus-operator-crds");
    let mut paths: Vec<PathBuf> = match fs::read_dir(&dir) {
        Ok(entries) => entries.filter_map(|e| e.ok().map(|e| e.path())).collect(),
        Err(_) => {
            writeln!(stderr, "note: prometheus-operator's CRDs are not at {}: manifests are checked as plain Kubernetes objects only", dir.display())?;
            return Ok(Vec::new());
        }
    };
    paths.sort();
    let mut crds = Vec::new();
    for path in paths {
        let text = fs::read_to_string(&path)?;
        match crate::kubernetes::schema::Crd::parse(&text) {
            Ok(crd) => crds.push(crd),
            Err(e) => writeln!(stderr, "warning: {}: {e}", path.display())?,
        }
    }
    Ok(crds)
}

/// The template files an AlertManager configuration's glob matches: relative to its folder,
/// the glob in the file name only, as AlertManager resolves them.
fn template_files(config: &SourceFile, glob: &str) -> Vec<SourceFile> {
    let dir = Path::new(&config.path).parent().unwrap_or(Path::new(""));
    let pattern = dir.join(glob);
    let (Some(folder), Some(name)) = (pattern.parent(), pattern.file_name()) else {
        return Vec::new();
    };
    let Some(matcher) = alertmanager::file::template_glob(&name.to_string_lossy()) else {
        return Vec::new();
    };
    let mut found: Vec<PathBuf> = fs::read_dir(folder)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_name().is_some_and(|n| matcher.is_match(n)))
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
}

/// The files named, with folders expanded to their `*.yml`, `*.yaml` and `*.json` files, sorted.
fn lint_paths(paths: &[PathBuf]) -> io::Result<Vec<PathBuf>> {
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

/// The stack a spec is built on: reserved, not committed, so memory is used only as deep as the
/// spec goes. A spec is ordinary Rust, and a debug build keeps every element of a `vec![...]`
/// literal on the stack before moving it: 10,000 alerts in one literal need more than the main
/// thread's 8 MiB.
const SPEC_STACK: usize = 512 << 20;

/// Builds the spec on a thread of its own with a stack of [`SPEC_STACK`], so that its size cannot
/// overflow the caller's stack (a panic in the spec goes on unwinding in the caller).
pub fn load_spec(project: &Project) -> Spec {
    let build = project.spec;
    std::thread::Builder::new()
        .name("spec".into())
        .stack_size(SPEC_STACK)
        .spawn(build)
        .expect("the operating system refused a thread for the spec")
        .join()
        .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

/// Compiles the spec, prints its diagnostics, and returns the output when there is no error.
fn compile_reporting(
    project: &Project,
    options: &Options,
    stderr: &mut dyn Write,
) -> io::Result<Option<Output>> {
    let compiled = compile_with(&load_spec(project), options);
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
