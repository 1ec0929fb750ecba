//! Diagnostics: what every stage returns beside its output, and their rendering with
//! codespan-reporting.
//!
//! A diagnostic knows the Rust call site that declared the faulty item (captured with
//! `#[track_caller]`) and, where there is one, the text at fault (a PromQL expression, a
//! template) with the byte range of the fault in it. Rendering needs the Rust source, so it takes
//! a loader: the library never reads files itself.

pub mod codes;
pub mod configure;
pub mod docs;
pub mod registry;
pub mod report;
pub mod suggest;

use std::fmt;
use std::ops::Range;
use std::panic::Location;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term::{self, termcolor::NoColor, Config};

/// How bad a finding is, in order: `Info < Warning < Error`. Only errors stop a build.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Info,
    Warning,
    Error,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    pub fn parse(text: &str) -> Option<Severity> {
        match text {
            "info" => Some(Severity::Info),
            "warning" => Some(Severity::Warning),
            "error" => Some(Severity::Error),
            _ => None,
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where in Rust source an item was declared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Origin {
    pub file: &'static str,
    pub line: u32,
    pub column: u32,
}

impl Origin {
    /// The caller of the `#[track_caller]` function this is called from.
    #[track_caller]
    pub fn caller() -> Origin {
        Origin::from(Location::caller())
    }
}

impl From<&'static Location<'static>> for Origin {
    fn from(loc: &'static Location<'static>) -> Origin {
        Origin {
            file: loc.file(),
            line: loc.line(),
            column: loc.column(),
        }
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// The text a diagnostic is about (a PromQL expression, an annotation) and the range at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// What the text is, used as its file name when it cannot be found in the Rust source:
    /// `alert EJECriticHighFailureRate: expr`.
    pub name: String,
    pub text: String,
    pub range: Range<usize>,
    /// The label under the range.
    pub label: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// `group/name`, such as `promql/syntax`.
    pub code: &'static str,
    pub message: String,
    pub origin: Option<Origin>,
    pub snippet: Option<Snippet>,
    /// A file that is not Rust (a linted YAML file) and the byte range at fault in it.
    pub file: Option<(String, Range<usize>)>,
    pub notes: Vec<String>,
}

impl Diagnostic {
    pub fn new(severity: Severity, code: &'static str, message: impl Into<String>) -> Diagnostic {
        debug_assert!(
            registry::find(code).is_some(),
            "diagnostic code {code} is not registered: declare it in its target's codes.rs"
        );
        Diagnostic {
            severity,
            code,
            message: message.into(),
            origin: None,
            snippet: None,
            file: None,
            notes: Vec::new(),
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    pub fn at(mut self, origin: Origin) -> Diagnostic {
        self.origin = Some(origin);
        self
    }

    /// Places the diagnostic at a byte range of a file that is not Rust (a linted YAML file).
    pub fn with_file(mut self, path: &str, range: Range<usize>) -> Diagnostic {
        self.file = Some((path.to_string(), range));
        self
    }

    pub fn at_opt(mut self, origin: Option<Origin>) -> Diagnostic {
        self.origin = self.origin.or(origin);
        self
    }

    pub fn snippet(
        mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> Diagnostic {
        self.snippet = Some(Snippet {
            name: name.into(),
            text: text.into(),
            range,
            label: label.into(),
        });
        self
    }

    pub fn note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// One line: `spec/src/alerts.rs:42:9: error[promql/syntax]: unclosed left parenthesis`.
    pub fn short(&self) -> String {
        let place = match (&self.file, &self.origin) {
            (Some((file, _)), _) => format!("{file}: "),
            (None, Some(origin)) => format!("{origin}: "),
            (None, None) => String::new(),
        };
        format!("{place}{}[{}]: {}", self.severity, self.code, self.message)
    }
}

/// Sorts diagnostics by place, then code, so output does not depend on check order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        let key = |d: &Diagnostic| {
            let file = d
                .file
                .as_ref()
                .map(|(path, range)| (path.clone(), range.start));
            (file, d.origin, d.code, d.message.clone())
        };
        key(a).cmp(&key(b))
    });
}

pub fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// Renders diagnostics as codespan-reporting does, without colour. `load` returns the text of a
/// Rust source file named as in [`Origin::file`], or `None` when it cannot be read (the
/// diagnostic is then shown against the snippet alone).
pub fn render(diagnostics: &[Diagnostic], load: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = NoColor::new(Vec::new());
    let config = Config::default();
    for diagnostic in diagnostics {
        let mut files = SimpleFiles::new();
        let rendered = to_codespan(diagnostic, &mut files, load);
        term::emit_to_write_style(&mut out, &config, &files, &rendered)
            .expect("writing to a Vec cannot fail");
    }
    String::from_utf8(out.into_inner()).expect("codespan writes UTF-8")
}

fn to_codespan(
    d: &Diagnostic,
    files: &mut SimpleFiles<String, String>,
    load: &dyn Fn(&str) -> Option<String>,
) -> CsDiagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => codespan_reporting::diagnostic::Severity::Error,
        Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        Severity::Info => codespan_reporting::diagnostic::Severity::Note,
    };
    let mut labels = Vec::new();
    let mut notes = d.notes.clone();
    if let Some((name, range)) = &d.file {
        if let Some(text) = load(name) {
            let range = clamp(range.clone(), &text);
            let id = files.add(name.clone(), text);
            let label = d
                .snippet
                .as_ref()
                .map(|s| s.label.clone())
                .unwrap_or_default();
            labels.push(Label::primary(id, range).with_message(label));
        }
    }
    let rust = d
        .origin
        .and_then(|origin| load(origin.file).map(|text| (origin, text)));
    match (&d.snippet, rust) {
        (Some(snippet), Some((origin, text))) if d.file.is_none() => {
            let call = call_range(&text, origin);
            match find_in_source(&text, call.start, &snippet.text) {
                Some(offsets) => {
                    let start = offsets[snippet.range.start.min(offsets.len() - 1)];
                    let end = offsets[snippet.range.end.min(offsets.len() - 1)];
                    let id = files.add(origin.file.to_string(), text);
                    let range = start..end;
                    labels.push(Label::primary(id, range).with_message(snippet.label.clone()));
                    if !contains_line(files, id, origin.line, start) {
                        labels.push(
                            Label::secondary(id, call).with_message("declared here".to_string()),
                        );
                    }
                }
                None => {
                    let rust_id = files.add(origin.file.to_string(), text);
                    let snippet_id = files.add(snippet.name.clone(), snippet.text.clone());
                    let range = clamp(snippet.range.clone(), &snippet.text);
                    labels.push(
                        Label::primary(snippet_id, range).with_message(snippet.label.clone()),
                    );
                    labels.push(
                        Label::secondary(rust_id, call).with_message("declared here".to_string()),
                    );
                }
            }
        }
        (None, Some((origin, text))) if d.file.is_none() => {
            let call = call_range(&text, origin);
            let id = files.add(origin.file.to_string(), text);
            labels.push(Label::primary(id, call).with_message("declared here".to_string()));
        }
        (Some(snippet), rust) if d.file.is_none() => {
            let id = files.add(snippet.name.clone(), snippet.text.clone());
            let range = clamp(snippet.range.clone(), &snippet.text);
            labels.push(Label::primary(id, range).with_message(snippet.label.clone()));
            if rust.is_none() {
                if let Some(origin) = d.origin {
                    notes.push(format!("declared at {origin}"));
                }
            }
        }
        (_, _) => {
            if let (None, Some(origin)) = (&d.file, d.origin) {
                notes.push(format!("declared at {origin}"));
            }
        }
    }
    CsDiagnostic::new(severity)
        .with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
}

/// The file and byte range a diagnostic points at, as [`render`] shows it: the range in a linted
/// file, the literal found in the Rust source, or the Rust call site. `None` when it has no place
/// (a finding about the catalog) or the file cannot be loaded.
pub fn primary(
    d: &Diagnostic,
    load: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, String, Range<usize>)> {
    if let Some((name, range)) = &d.file {
        let text = load(name)?;
        let range = clamp(range.clone(), &text);
        return Some((name.clone(), text, range));
    }
    let origin = d.origin?;
    let text = load(origin.file)?;
    let call = call_range(&text, origin);
    let range = d
        .snippet
        .as_ref()
        .and_then(|s| {
            let offsets = find_in_source(&text, call.start, &s.text)?;
            let start = offsets[s.range.start.min(offsets.len() - 1)];
            let end = offsets[s.range.end.min(offsets.len() - 1)];
            Some(start..end)
        })
        .unwrap_or(call);
    Some((origin.file.to_string(), text, range))
}

/// From the call site's column to the end of its line (an empty range at the end when past it).
fn call_range(text: &str, origin: Origin) -> Range<usize> {
    let mut start = 0;
    for (index, l) in text.split_inclusive('\n').enumerate() {
        if index + 1 == origin.line as usize {
            let line = l.trim_end_matches(['\n', '\r']);
            let column = line
                .char_indices()
                .nth(origin.column.saturating_sub(1) as usize)
                .map_or(line.len(), |(i, _)| i);
            return start + column..start + line.len();
        }
        start += l.len();
    }
    text.len()..text.len()
}

fn contains_line(files: &SimpleFiles<String, String>, id: usize, line: u32, offset: usize) -> bool {
    use codespan_reporting::files::Files;
    files
        .line_index(id, offset)
        .map(|index| index + 1 == line as usize)
        .unwrap_or(false)
}

/// Finds `needle` in `source` at or after `from`, within the next 80 lines: the text of a
/// literal as written in the Rust file that declared it, verbatim (a raw string) or with Rust's
/// escapes (`\"`, `\\`, `\n`). Returns the map from each byte offset of `needle` (and its end)
/// to an offset in `source`. A `format!`-built text is not found and is shown on its own.
fn find_in_source(source: &str, from: usize, needle: &str) -> Option<Vec<usize>> {
    if needle.is_empty() {
        return None;
    }
    let window_end = source[from..]
        .match_indices('\n')
        .nth(80)
        .map(|(i, _)| from + i)
        .unwrap_or(source.len());
    let window = &source[from..window_end];
    if let Some(at) = window.find(needle) {
        return Some((0..=needle.len()).map(|i| from + at + i).collect());
    }
    let mut escaped = String::new();
    let mut offsets = Vec::with_capacity(needle.len() + 1);
    for (i, c) in needle.char_indices() {
        while offsets.len() <= i {
            offsets.push(escaped.len());
        }
        match c {
            '"' => escaped.push_str("\\\""),
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\t' => escaped.push_str("\\t"),
            c => escaped.push(c),
        }
    }
    offsets.push(escaped.len());
    let at = window.find(&escaped)?;
    Some(offsets.into_iter().map(|o| from + at + o).collect())
}

fn clamp(range: Range<usize>, text: &str) -> Range<usize> {
    let end = range.end.min(text.len());
    range.start.min(end)..end
}
