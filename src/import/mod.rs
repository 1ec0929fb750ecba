//! `sextant import`: existing configuration into Rust modules written with Sextant's DSL, in the
//! style a person would write (builders, one function per group, receiver or dashboard).
//!
//! Each importer reads one kind of file into a [`Module`]: its Rust source, the call `spec()`
//! makes to use it, the series its queries read (so metrics the catalog lacks get a catalog
//! module of their own), and a diagnostic for everything the DSL cannot express yet, which is
//! reported, never silently dropped. [`import`] puts the modules of every file together; the CLI
//! writes them and wires them into the spec crate.
//!
//! Kinds: rule files and `PrometheusRule` resources ([`rules`]), alertmanager.yml
//! ([`alertmanager`]), Grafana dashboards ([`grafana`]), Sloth SLO specs ([`sloth`]).

pub mod alertmanager;
pub mod catalog;
pub mod codes;
pub mod grafana;
pub mod layout;
pub mod rules;
pub mod rust;
pub mod selectors;
pub mod sloth;
pub mod wiring;

use std::collections::{BTreeMap, BTreeSet};

use crate::diagnostics::Diagnostic;
use crate::lint::files::FileKind;
use crate::rules::file::SourceFile;
use sextant_catalog::Catalog;

/// What `spec()` calls to use a module, by the module's function path.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Entry {
    /// `fn groups() -> Vec<RuleGroup>`: `.rule_groups(<module>::groups())`.
    RuleGroups,
    /// `fn alertmanager() -> AlertManager`: `.alertmanager(<module>::alertmanager())`.
    AlertManager,
    /// `fn dashboards() -> Vec<Dashboard>` and `fn datasources() -> Vec<Datasource>` (the
    /// datasources they use): `.datasources(<module>::datasources())
    /// .dashboards(<module>::dashboards())`, in either order and before or after `.grafana(..)`;
    /// a datasource whose uid the spec already declares is skipped.
    Dashboards,
    /// `fn slos() -> Vec<Slo>` and `const SEVERITIES: &[&str]`:
    /// `.more_severities(<module>::SEVERITIES.iter().copied()).slos(<module>::slos())`.
    Slos,
    /// `static CATALOG: Catalog`, the metrics the spec's catalog lacks:
    /// `.metrics(<module>::CATALOG)`.
    Metrics,
}

impl Entry {
    /// The call `apply` makes for a module of this entry.
    pub fn call(&self, module: &str) -> String {
        match self {
            Entry::RuleGroups => format!(".rule_groups({module}::groups())"),
            Entry::AlertManager => format!(".alertmanager({module}::alertmanager())"),
            Entry::Dashboards => format!(
                ".datasources({module}::datasources())\n        .dashboards({module}::dashboards())"
            ),
            Entry::Slos => format!(
                ".more_severities({module}::SEVERITIES.iter().copied())\n        .slos({module}::slos())"
            ),
            Entry::Metrics => format!(".metrics({module}::CATALOG)"),
        }
    }
}

/// One imported file as a Rust module.
#[derive(Clone, Debug)]
pub struct Module {
    /// The module's name: a Rust identifier, unique in the import.
    pub name: String,
    /// The file it was imported from, as given.
    pub source_path: String,
    /// The module's Rust source, complete (`use` lines included).
    pub source: String,
    pub entry: Entry,
    /// Every series name the module's queries select, with the label names seen on it and how
    /// it is used (for the kind the imported catalog gives it).
    pub series: BTreeMap<String, SeenSeries>,
    /// Writes the source again once the catalog module's statics are known, so its selectors
    /// of imported metrics name them; `None` when `source` is final.
    pub render: Option<Render>,
}

/// A module's source as a function of the catalog module's statics: the second pass of an
/// import, since that catalog is made from every module's series.
#[derive(Clone)]
pub struct Render(std::sync::Arc<dyn Fn(&catalog::Statics) -> String + Send + Sync>);

impl Render {
    pub fn new(render: impl Fn(&catalog::Statics) -> String + Send + Sync + 'static) -> Render {
        Render(std::sync::Arc::new(render))
    }

    /// The module's source for the catalog module of `statics`.
    pub fn source(&self, statics: &catalog::Statics) -> String {
        (self.0)(statics)
    }
}

impl std::fmt::Debug for Render {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Render")
    }
}

/// A series name as the imported queries use it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SeenSeries {
    /// Label names matched on it, grouped by, or read from it.
    pub labels: std::collections::BTreeSet<String>,
    /// Used inside `rate`, `increase` or similar: a counter.
    pub as_counter: bool,
    /// Its `_bucket` series are read by `histogram_quantile`: a histogram.
    pub as_histogram: bool,
}

/// The result of importing files: modules, and a diagnostic for what could not be imported
/// (warnings: the DSL cannot express it yet; errors: the file could not be read).
#[derive(Clone, Debug, Default)]
pub struct Imported {
    pub modules: Vec<Module>,
    pub diagnostics: Vec<Diagnostic>,
}

/// The first line of every file `sextant import` writes: how the import recognises its own
/// files in the `--into` folder (it rewrites those, and refuses to touch any other).
pub const HEADER: &str = "//! Imported by `sextant import`";

/// The opening of a module imported from `path`.
pub fn header(path: &str, _entry: Entry) -> String {
    format!("{HEADER} from `{path}`; importing it again rewrites this file.\n\n")
}

/// Imports `files` (in the order given: the same inputs give the same modules and names), with
/// the metrics they read that `catalog` (the spec's) lacks as a module of their own
/// ([`catalog::CATALOG_MODULE`]). Every file kind is one arm of the dispatch.
pub fn import(files: &[SourceFile], catalog: &Catalog) -> Imported {
    import_with(files, catalog, &|_, _| Vec::new())
}

/// [`import`], with the template files a glob of an AlertManager configuration's `templates:`
/// matches (the CLI reads them, relative to the configuration's folder): the templates they
/// define are imported with the configuration.
pub fn import_with(
    files: &[SourceFile],
    catalog: &Catalog,
    templates: &dyn Fn(&SourceFile, &str) -> Vec<SourceFile>,
) -> Imported {
    let mut imported = Imported::default();
    let mut names: BTreeSet<String> =
        [catalog::CATALOG_MODULE.to_string(), "mod".to_string()].into();
    let mut groups = BTreeSet::new();
    let mut recorded = BTreeSet::new();
    let mut alertmanager_from: Option<String> = None;
    let mut slos = BTreeSet::new();
    for file in files {
        let stem = std::path::Path::new(&file.path)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = rust::unique(rust::ident(&stem), &mut names.clone());
        let (module, diagnostics) = match FileKind::of(&file.path, &file.text) {
            FileKind::Rules => rules::module(file, name, &mut groups, &mut recorded),
            FileKind::Sloth => sloth::module(file, name, &mut slos),
            FileKind::AlertManager => match &alertmanager_from {
                Some(first) => {
                    let d = Diagnostic::warning(
                        codes::DUPLICATE,
                        format!(
                            "{}: a spec has one AlertManager configuration, imported from {first}",
                            file.path
                        ),
                    )
                    .with_file(&file.path, 0..0)
                    .note("import the configurations one at a time, into different spec crates");
                    (None, vec![d])
                }
                None => {
                    let imported = alertmanager::module_with_templates(file, name, &|glob| {
                        templates(file, glob)
                    });
                    if imported.0.is_some() {
                        alertmanager_from = Some(file.path.clone());
                    }
                    imported
                }
            },
            FileKind::Dashboard => {
                let (module, diagnostics) = grafana::module(file);
                let module = module.map(|mut m| {
                    m.name = name.clone();
                    m
                });
                (module, diagnostics)
            }
            kind => unsupported(file, kind),
        };
        imported.diagnostics.extend(diagnostics);
        if let Some(module) = module {
            names.insert(module.name.clone());
            imported.modules.push(module);
        }
    }
    let statics = catalog::statics(&imported.modules, &recorded, catalog);
    for module in &mut imported.modules {
        if let Some(render) = &module.render {
            module.source = render.source(&statics);
        }
    }
    if let Some(module) = catalog::module(&statics) {
        imported.modules.push(module);
    }
    crate::diagnostics::sort(&mut imported.diagnostics);
    imported
}

fn unsupported(file: &SourceFile, kind: FileKind) -> (Option<Module>, Vec<Diagnostic>) {
    let diagnostic = Diagnostic::warning(
        codes::UNSUPPORTED_FILE,
        format!("{}: {} is not imported", file.path, kind.describe()),
    )
    .with_file(&file.path, 0..0)
    .note("`sextant import` reads rule files, PrometheusRule resources, Sloth specs, AlertManager configurations and Grafana dashboards");
    (None, vec![diagnostic])
}
