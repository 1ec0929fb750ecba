//! Diagnostics: what every stage returns beside its output, and their rendering with
//! codespan-reporting.
//!
//! A diagnostic points at one [`Span`]: a Rust call site (captured with `#[track_caller]`),
//! with the literal at fault and the byte range of the fault in it, or a byte range of a named
//! file. Related places are secondary [`Label`]s; notes are plain text. Rendering needs the
//! sources, so it takes a loader (the library never reads files itself), loads each file once and
//! indexes its lines once, so a report costs time in proportion to its findings.

pub mod codes;
pub mod configure;
pub mod docs;
pub mod registry;
pub mod report;
mod span;
pub mod suggest;

pub use span::{FileItem, Label, Literal, Place, Span, TextMap, Value};

use std::fmt;
use std::ops::Range;
use std::panic::Location;

use std::collections::HashMap;

use codespan_reporting::diagnostic::{Diagnostic as CsDiagnostic, Label as CsLabel};
use codespan_reporting::files::{Files, SimpleFiles};
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

#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// `group/name`, such as `promql/syntax`.
    pub code: &'static str,
    pub message: String,
    /// Where it points; `None` for a finding about the catalog or a running system.
    pub span: Option<Span>,
    /// What the label under the span says (empty: a plain marker).
    pub label: String,
    /// Related places: "first declared here", "the route that shadows it".
    pub labels: Vec<Label>,
    /// Plain text; never a position.
    pub notes: Vec<String>,
    /// The place it was reported at, which a literal given afterwards is located in.
    place: Option<Place>,
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
            span: None,
            label: String::new(),
            labels: Vec::new(),
            notes: Vec::new(),
            place: None,
        }
    }

    pub fn error(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Error, code, message)
    }

    pub fn warning(code: &'static str, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(Severity::Warning, code, message)
    }

    /// Reports at the place an item was declared: a Rust call site or an item of a linted file.
    pub fn at(mut self, place: impl Into<Place>) -> Diagnostic {
        let place = place.into();
        self.span = Some(match self.literal() {
            Some(literal) => place.span_of(literal),
            None => place.span(),
        });
        self.place = Some(place);
        self
    }

    /// [`Diagnostic::at`] when there is a place and the diagnostic has none yet.
    pub fn at_opt(self, place: Option<impl Into<Place>>) -> Diagnostic {
        match place {
            Some(place) if self.place.is_none() => self.at(place),
            _ => self,
        }
    }

    /// Points at a byte range of a file that is not Rust (a linted YAML file).
    pub fn with_file(mut self, path: &str, range: Range<usize>) -> Diagnostic {
        self.span = Some(Span::file(path, range));
        self.place = None;
        self
    }

    /// Points at bytes `range` of `text`, a value of the item the diagnostic is at, with `label`
    /// under them. `name` says what the text is, for when it is shown on its own.
    pub fn snippet(
        mut self,
        name: impl Into<String>,
        text: impl Into<String>,
        range: Range<usize>,
        label: impl Into<String>,
    ) -> Diagnostic {
        let literal = Literal {
            name: name.into(),
            text: text.into(),
            range,
        };
        self.label = label.into();
        self.span = Some(match (&self.place, self.span.take()) {
            (Some(place), _) => place.span_of(literal),
            // A range of a linted file already says where the text stands.
            (None, Some(span @ Span::File { .. })) => span,
            (None, _) => Span::Text(literal),
        });
        self
    }

    /// A related place, shown with `message` beside the primary one.
    pub fn related(mut self, span: impl Into<Span>, message: impl Into<String>) -> Diagnostic {
        self.labels.push(Label {
            span: span.into(),
            message: message.into(),
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

    /// Whether the diagnostic was reported at an item of a linted file (not a Rust call site).
    pub fn in_file(&self) -> bool {
        matches!(self.span, Some(Span::File { .. }))
    }

    fn literal(&self) -> Option<Literal> {
        match &self.span {
            Some(Span::Rust { literal, .. }) => literal.clone(),
            Some(Span::Text(literal)) => Some(literal.clone()),
            _ => None,
        }
    }

    /// One line: `spec/src/alerts.rs:42:9: error[promql/syntax]: unclosed left parenthesis`.
    pub fn short(&self) -> String {
        let place = match &self.span {
            Some(Span::File { path, .. }) => format!("{path}: "),
            Some(Span::Rust { origin, .. }) => format!("{origin}: "),
            _ => String::new(),
        };
        format!("{place}{}[{}]: {}", self.severity, self.code, self.message)
    }

    fn sort_key(&self) -> (Option<(&str, usize)>, Option<Origin>, &'static str, &str) {
        let (file, origin) = match &self.span {
            Some(Span::File { path, range }) => (Some((&**path, range.start)), None),
            Some(Span::Rust { origin, .. }) => (None, Some(*origin)),
            _ => (None, None),
        };
        (file, origin, self.code, &self.message)
    }
}

/// Sorts diagnostics by place, then code, so output does not depend on check order.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
}

pub fn count(diagnostics: &[Diagnostic], severity: Severity) -> usize {
    diagnostics
        .iter()
        .filter(|d| d.severity == severity)
        .count()
}

/// The files diagnostics point into, each loaded once and its lines indexed once
/// (codespan-reporting's `SimpleFiles` keeps each file's line starts), shared by every
/// diagnostic of a report.
pub struct Sources<'a> {
    load: &'a dyn Fn(&str) -> Option<String>,
    files: SimpleFiles<String, String>,
    ids: HashMap<String, Option<usize>>,
}

impl<'a> Sources<'a> {
    /// `load` returns the text of a file named as in a span (a Rust source as in
    /// [`Origin::file`], a linted file by its path), or `None` when it cannot be read.
    pub fn new(load: &'a dyn Fn(&str) -> Option<String>) -> Sources<'a> {
        Sources {
            load,
            files: SimpleFiles::new(),
            ids: HashMap::new(),
        }
    }

    /// The id of file `name`, loading it the first time.
    fn id(&mut self, name: &str) -> Option<usize> {
        if let Some(id) = self.ids.get(name) {
            return *id;
        }
        let id = (self.load)(name).map(|text| self.files.add(name.to_string(), text));
        self.ids.insert(name.to_string(), id);
        id
    }

    /// A text with no file of its own (a snippet), shown under `name`.
    fn add_text(&mut self, name: &str, text: &str) -> usize {
        self.files.add(name.to_string(), text.to_string())
    }

    fn text(&self, id: usize) -> &str {
        self.files.get(id).expect("ids come from add").source()
    }

    /// The 1-based line and column (in characters) of byte `offset` of file `id`.
    fn line_column(&self, id: usize, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text(id).len());
        self.files
            .location(id, offset)
            .map(|l| (l.line_number, l.column_number))
            .unwrap_or((1, 1))
    }

    /// Where a Rust call site's line continues from its column, and the range of `literal` in
    /// the source when it is found there.
    fn rust(&mut self, origin: Origin, literal: Option<&Literal>) -> Option<RustSpan> {
        let id = self.id(origin.file)?;
        let call = self.call_range(id, origin);
        let found = literal.and_then(|l| {
            let offsets = find_in_source(self.text(id), call.start, &l.text)?;
            let start = offsets[l.range.start.min(offsets.len() - 1)];
            let end = offsets[l.range.end.min(offsets.len() - 1)];
            Some(start..end)
        });
        Some(RustSpan { id, call, found })
    }

    /// From the call site's column to the end of its line (an empty range at the end when past
    /// it).
    fn call_range(&self, id: usize, origin: Origin) -> Range<usize> {
        let text = self.text(id);
        let Ok(lines) = self
            .files
            .line_range(id, (origin.line as usize).saturating_sub(1))
        else {
            return text.len()..text.len();
        };
        let line = text[lines].trim_end_matches(['\n', '\r']);
        let start = line.as_ptr() as usize - text.as_ptr() as usize;
        let column = line
            .char_indices()
            .nth(origin.column.saturating_sub(1) as usize)
            .map_or(line.len(), |(i, _)| i);
        start + column..start + line.len()
    }

    /// The file and byte range a span points at, as [`render`] shows it: the range in a linted
    /// file, the literal found in the Rust source, or the Rust call site. `None` for a text of
    /// its own or a file that cannot be loaded.
    pub fn resolve(&mut self, span: &Span) -> Option<(usize, Range<usize>)> {
        match span {
            Span::File { path, range } => {
                let id = self.id(path)?;
                Some((id, clamp(range.clone(), self.text(id))))
            }
            Span::Rust { origin, literal } => {
                let rust = self.rust(*origin, literal.as_ref())?;
                Some((rust.id, rust.found.unwrap_or(rust.call)))
            }
            Span::Text(_) => None,
        }
    }

    /// Where `span` points, 1-based, as the machine formats report it.
    pub fn location(&mut self, span: &Span) -> Option<report::Location> {
        let (id, range) = self.resolve(span)?;
        let (line, column) = self.line_column(id, range.start);
        let (end_line, end_column) = self.line_column(id, range.end);
        Some(report::Location {
            file: self
                .files
                .get(id)
                .expect("ids come from add")
                .name()
                .clone(),
            line,
            column,
            end_line,
            end_column,
        })
    }
}

struct RustSpan {
    id: usize,
    call: Range<usize>,
    found: Option<Range<usize>>,
}

/// Renders diagnostics as codespan-reporting does, without colour. `load` returns the text of a
/// file named as in a span, or `None` when it cannot be read (a Rust span is then shown against
/// its literal alone, or as a note).
pub fn render(diagnostics: &[Diagnostic], load: &dyn Fn(&str) -> Option<String>) -> String {
    let mut out = NoColor::new(Vec::new());
    let config = Config::default();
    let mut sources = Sources::new(load);
    for diagnostic in diagnostics {
        let rendered = to_codespan(diagnostic, &mut sources);
        term::emit_to_write_style(&mut out, &config, &sources.files, &rendered)
            .expect("writing to a Vec cannot fail");
    }
    String::from_utf8(out.into_inner()).expect("codespan writes UTF-8")
}

fn to_codespan(d: &Diagnostic, sources: &mut Sources) -> CsDiagnostic<usize> {
    let severity = match d.severity {
        Severity::Error => codespan_reporting::diagnostic::Severity::Error,
        Severity::Warning => codespan_reporting::diagnostic::Severity::Warning,
        Severity::Info => codespan_reporting::diagnostic::Severity::Note,
    };
    let mut labels = Vec::new();
    let mut notes = d.notes.clone();
    match &d.span {
        None => {}
        Some(Span::File { path, range }) => {
            if let Some(id) = sources.id(path) {
                let range = clamp(range.clone(), sources.text(id));
                labels.push(CsLabel::primary(id, range).with_message(d.label.clone()));
            }
        }
        Some(Span::Text(literal)) => {
            let id = sources.add_text(&literal.name, &literal.text);
            let range = clamp(literal.range.clone(), &literal.text);
            labels.push(CsLabel::primary(id, range).with_message(d.label.clone()));
        }
        Some(Span::Rust { origin, literal }) => {
            match (sources.rust(*origin, literal.as_ref()), literal) {
                (Some(rust), Some(literal)) => {
                    let declared = CsLabel::secondary(rust.id, rust.call.clone())
                        .with_message("declared here".to_string());
                    match rust.found {
                        Some(found) => {
                            let line = sources.files.line_index(rust.id, found.start);
                            labels.push(
                                CsLabel::primary(rust.id, found).with_message(d.label.clone()),
                            );
                            if line.map_or(true, |index| index + 1 != origin.line as usize) {
                                labels.push(declared);
                            }
                        }
                        None => {
                            let id = sources.add_text(&literal.name, &literal.text);
                            let range = clamp(literal.range.clone(), &literal.text);
                            labels.push(CsLabel::primary(id, range).with_message(d.label.clone()));
                            labels.push(declared);
                        }
                    }
                }
                (Some(rust), None) => {
                    labels.push(
                        CsLabel::primary(rust.id, rust.call)
                            .with_message("declared here".to_string()),
                    );
                }
                (None, Some(literal)) => {
                    let id = sources.add_text(&literal.name, &literal.text);
                    let range = clamp(literal.range.clone(), &literal.text);
                    labels.push(CsLabel::primary(id, range).with_message(d.label.clone()));
                    notes.push(format!("declared at {origin}"));
                }
                (None, None) => notes.push(format!("declared at {origin}")),
            }
        }
    }
    for label in &d.labels {
        match sources.resolve(&label.span) {
            Some((id, range)) => {
                labels.push(CsLabel::secondary(id, range).with_message(label.message.clone()))
            }
            None => match &label.span {
                Span::Rust { origin, .. } => notes.push(format!("{}: {origin}", label.message)),
                Span::File { path, .. } => notes.push(format!("{}: {path}", label.message)),
                Span::Text(_) => {}
            },
        }
    }
    CsDiagnostic::new(severity)
        .with_code(d.code)
        .with_message(d.message.clone())
        .with_labels(labels)
        .with_notes(notes)
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
