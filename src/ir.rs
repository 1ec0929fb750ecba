//! The validated intermediate form: what lowering produces and emitters and lints read.
//!
//! Architecture Invariant: every value here has been checked. A rule's expression parsed, its
//! names are valid, its templates parse; emitters never validate again.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::diag::Origin;
use crate::duration::Duration;
use crate::promql::{Analysis, Expr};

/// Where an item came from: a Rust call site, or a place in a file being linted.
#[derive(Clone, Debug, PartialEq)]
pub enum Place {
    Rust(Origin),
    File {
        path: String,
        /// The rule's (or item's) range in the file.
        range: Range<usize>,
        /// Where the expression's text starts in the file, when it stands there verbatim.
        expr_start: Option<usize>,
        /// Where each further line of the expression starts, for a literal block (`expr: |`)
        /// whose lines stand in the file verbatim after their indentation.
        expr_lines: Vec<usize>,
        /// Where other values stand (`alert`, `record`, `for`, `labels.<name>`,
        /// `annotations.<name>`), by key.
        values: BTreeMap<String, Range<usize>>,
        /// Lints turned off for this item by a `# sextant: disable=CODE` comment.
        disabled: Vec<String>,
    },
}

impl Place {
    pub fn origin(&self) -> Option<Origin> {
        match self {
            Place::Rust(origin) => Some(*origin),
            Place::File { .. } => None,
        }
    }

    /// Whether a `# sextant: disable=...` comment turned `code` off here.
    pub fn disables(&self, code: &str) -> bool {
        match self {
            Place::Rust(_) => false,
            Place::File { disabled, .. } => disabled.iter().any(|d| d == code || d == "all"),
        }
    }

    /// The file offset of byte `offset` of the expression, when the expression stands in the
    /// file verbatim (line by line for a literal block).
    pub fn expr_offset(&self, expr: &str, offset: usize) -> Option<usize> {
        let Place::File {
            expr_start: Some(start),
            expr_lines,
            ..
        } = self
        else {
            return None;
        };
        let offset = offset.min(expr.len());
        let line = expr[..offset].matches('\n').count();
        let line_start = expr[..offset].rfind('\n').map_or(0, |i| i + 1);
        let file_line = if line == 0 {
            *start
        } else {
            *expr_lines.get(line - 1)?
        };
        Some(file_line + offset - line_start)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleKind {
    Record,
    Alert,
}

#[derive(Clone, Debug)]
pub struct Rule {
    pub kind: RuleKind,
    /// The recorded series' name, or the alert's name.
    pub name: String,
    pub expr: String,
    pub parsed: Expr,
    pub analysis: Analysis,
    pub for_: Duration,
    pub keep_firing_for: Duration,
    pub labels: BTreeMap<String, String>,
    pub annotations: BTreeMap<String, String>,
    pub place: Place,
}

impl Rule {
    pub fn describe(&self) -> String {
        match self.kind {
            RuleKind::Record => format!("recording rule {}", self.name),
            RuleKind::Alert => format!("alert {}", self.name),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Group {
    pub name: String,
    pub interval: Option<Duration>,
    pub limit: Option<u32>,
    pub rules: Vec<Rule>,
    pub place: Place,
}

/// Everything a spec declares, validated.
#[derive(Clone, Debug, Default)]
pub struct Ir {
    pub groups: Vec<Group>,
}

impl Ir {
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.groups.iter().flat_map(|g| g.rules.iter())
    }

    /// The names of the series recording rules produce.
    pub fn recorded(&self) -> BTreeMap<&str, &Rule> {
        self.rules()
            .filter(|r| r.kind == RuleKind::Record)
            .map(|r| (r.name.as_str(), r))
            .collect()
    }
}
