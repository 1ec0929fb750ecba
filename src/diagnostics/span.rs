//! Positions as data: where an item was declared ([`Place`]) and where a diagnostic points
//! ([`Span`]).
//!
//! A DSL value is declared at a Rust call site (captured with `#[track_caller]`) or, when a file
//! reader built it, at an item of a linted file. A file item knows where each value written in it
//! stands ([`Value`]), so a fault at a byte of a value (a PromQL expression, a label name) is
//! turned into a range of the file when it is reported: lowering reports at the place it was
//! given, and nothing is mapped back afterwards.
//!
//! Architecture Invariant: a position is never written into a message or a note to be parsed
//! back; a related place is a secondary [`Label`] with its own span. Line and column are computed
//! only when rendering, from a line index built once per file.

use std::fmt;
use std::ops::Range;
use std::sync::Arc;

use crate::diagnostics::Origin;

/// Where a DSL value or an IR item was declared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Place {
    /// A Rust call site.
    Rust(Origin),
    /// An item of a linted file (a rule, a route, a receiver, a query).
    File(Arc<FileItem>),
}

impl Place {
    /// The caller of the `#[track_caller]` function this is called from.
    #[track_caller]
    pub fn caller() -> Place {
        Place::Rust(Origin::caller())
    }

    /// The Rust call site, when the item was declared in Rust.
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Place::Rust(origin) => Some(*origin),
            Place::File(_) => None,
        }
    }

    /// The file the item was declared in: a Rust source or a linted file.
    pub fn file(&self) -> &str {
        match self {
            Place::Rust(origin) => origin.file,
            Place::File(item) => &item.path,
        }
    }

    pub fn is_file(&self) -> bool {
        matches!(self, Place::File(_))
    }

    /// Whether a `# sextant: disable=...` comment turned `code` off here.
    pub fn disables(&self, code: &str) -> bool {
        match self {
            Place::Rust(_) => false,
            Place::File(item) => item.disabled.iter().any(|d| d == code || d == "all"),
        }
    }

    /// The span of the item as a whole.
    pub fn span(&self) -> Span {
        match self {
            Place::Rust(origin) => Span::Rust {
                origin: *origin,
                literal: None,
            },
            Place::File(item) => Span::File {
                path: item.path.clone(),
                range: item.range.clone(),
            },
        }
    }

    /// The span of bytes `range` of `text`, a value of this item: in Rust, the literal as the
    /// renderer finds it in the source; in a file, where the value stands (the item as a whole
    /// when no value of the item holds `text`).
    pub fn span_of(&self, literal: Literal) -> Span {
        match self {
            Place::Rust(origin) => Span::Rust {
                origin: *origin,
                literal: Some(literal),
            },
            Place::File(item) => Span::File {
                path: item.path.clone(),
                range: item
                    .locate(&literal.text, literal.range.clone())
                    .unwrap_or_else(|| item.range.clone()),
            },
        }
    }

    /// The file range of bytes `range` of the value `key` (`expr`, `labels.team`), when the item
    /// is in a file and has that value.
    pub fn value_range(&self, key: &str, range: Range<usize>) -> Option<Range<usize>> {
        let Place::File(item) = self else {
            return None;
        };
        let value = item.values.iter().find(|v| v.key == key)?;
        Some(value.at.map(&value.text, range))
    }
}

impl From<Origin> for Place {
    fn from(origin: Origin) -> Place {
        Place::Rust(origin)
    }
}

impl From<&Place> for Place {
    fn from(place: &Place) -> Place {
        place.clone()
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Rust(origin) => write!(f, "{origin}"),
            Place::File(item) => {
                write!(f, "{}[{}..{}]", item.path, item.range.start, item.range.end)
            }
        }
    }
}

/// An item of a linted file: where it stands and where the values written in it stand.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FileItem {
    pub path: Arc<str>,
    /// What a diagnostic about the item as a whole points at (a rule's name, a route's first key).
    pub range: Range<usize>,
    /// The values written in the item, in file order.
    pub values: Vec<Value>,
    /// Lints turned off for this item by a `# sextant: disable=CODE` comment.
    pub disabled: Vec<String>,
}

impl FileItem {
    pub fn new(path: Arc<str>, range: Range<usize>) -> FileItem {
        FileItem {
            path,
            range,
            values: Vec::new(),
            disabled: Vec::new(),
        }
    }

    /// Adds a value of the item.
    pub fn value(
        mut self,
        key: impl Into<String>,
        text: impl Into<String>,
        at: TextMap,
    ) -> FileItem {
        self.values.push(Value {
            key: key.into(),
            text: text.into(),
            at,
        });
        self
    }

    pub fn place(self) -> Place {
        Place::File(Arc::new(self))
    }

    /// Where bytes `range` of `text` stand in the file: in the value equal to `text`, else in the
    /// first value containing it.
    pub fn locate(&self, text: &str, range: Range<usize>) -> Option<Range<usize>> {
        if text.is_empty() {
            return None;
        }
        if let Some(value) = self.values.iter().find(|v| v.text == text) {
            return Some(value.at.map(&value.text, range));
        }
        self.values.iter().find_map(|v| {
            let at = v.text.find(text)?;
            Some(v.at.map(&v.text, at + range.start..at + range.end))
        })
    }
}

/// A value written in a file item: the text the DSL value holds, and where it stands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Value {
    /// Its name in the item (`expr`, `labels.team`, `annotations.summary`); empty when unnamed.
    pub key: String,
    /// The text as decoded (without quotes, escapes or a block's indentation).
    pub text: String,
    pub at: TextMap,
}

/// Where each byte of a decoded text stands in its file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextMap {
    /// Verbatim from this offset (a plain scalar, a quoted one without escapes).
    Verbatim(usize),
    /// Line `k` of the text stands verbatim from offset `k` (a literal block without its
    /// indentation).
    Lines(Vec<usize>),
    /// Byte `i` of the text (and its end) stands at offset `i` (a JSON string with escapes).
    Offsets(Vec<usize>),
    /// Not verbatim: any part of the text is shown as this range, its written form.
    Whole(Range<usize>),
}

impl TextMap {
    /// The file range of bytes `range` of `text`.
    pub fn map(&self, text: &str, range: Range<usize>) -> Range<usize> {
        match self {
            TextMap::Whole(whole) => whole.clone(),
            _ => self.offset(text, range.start)..self.offset(text, range.end),
        }
    }

    fn offset(&self, text: &str, offset: usize) -> usize {
        let offset = offset.min(text.len());
        match self {
            TextMap::Verbatim(start) => start + offset,
            TextMap::Lines(starts) => {
                let before = text.get(..offset).unwrap_or(text);
                let line = before.matches('\n').count();
                let line_start = before.rfind('\n').map_or(0, |i| i + 1);
                match starts.get(line).or(starts.last()) {
                    Some(start) => start + offset - line_start,
                    None => offset,
                }
            }
            TextMap::Offsets(offsets) => {
                offsets.get(offset).or(offsets.last()).copied().unwrap_or(0)
            }
            TextMap::Whole(whole) => whole.start,
        }
    }
}

/// A text a diagnostic is about (a PromQL expression, a template, a name) and the bytes at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Literal {
    /// What the text is, used as its file name when it cannot be found in the Rust source:
    /// `alert AppCriticHighFailureRate: expr`.
    pub name: String,
    pub text: String,
    pub range: Range<usize>,
}

/// Where a diagnostic, or one of its labels, points.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Span {
    /// A Rust call site; with a literal, the bytes of it at fault, which rendering finds in the
    /// source from the call site on (or shows on their own when a `format!` built them).
    Rust {
        origin: Origin,
        literal: Option<Literal>,
    },
    /// A byte range of a named file that is not Rust (a linted YAML or JSON file).
    File { path: Arc<str>, range: Range<usize> },
    /// A text with no place of its own, shown under its name.
    Text(Literal),
}

impl Span {
    pub fn file(path: &str, range: Range<usize>) -> Span {
        Span::File {
            path: path.into(),
            range,
        }
    }
}

impl From<Origin> for Span {
    fn from(origin: Origin) -> Span {
        Span::Rust {
            origin,
            literal: None,
        }
    }
}

impl From<&Place> for Span {
    fn from(place: &Place) -> Span {
        place.span()
    }
}

impl From<Place> for Span {
    fn from(place: Place) -> Span {
        place.span()
    }
}

/// A secondary label: a related place and what it is ("first declared here").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    pub span: Span,
    pub message: String,
}
