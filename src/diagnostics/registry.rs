//! Every diagnostic code the compiler and the linter can emit, with its documentation and its
//! default severity: the lints ([`crate::lint::REGISTRY`]) and the checks each target makes while
//! it lowers or reads a file (`src/<target>/codes.rs`, declared with [`codes!`]).
//!
//! A code is `group/name`. Its docs are a doc comment in fixed sections (what it finds on the
//! first paragraph, `## Why`, `## Example`, `## Fix`); `explain CODE` prints them and
//! `docs/diagnostics.md` lists them all ([`super::docs`]). Every code is configured the same way
//! ([`super::configure`]): a spec's `LintConfig::allow`/`set` and a file's
//! `# sextant: disable=CODE` comment, except that a check's error is fixed (see [`Code::fixed`]).
//!
//! Architecture Invariant: a diagnostic's code is registered here. `Diagnostic::new` asserts it
//! in debug builds, and `tests/registry.rs` fails on a code-shaped literal in `src/` that is not
//! registered, on a registered code nothing emits, and on one no fixture triggers.

use std::sync::LazyLock;

use super::Severity;

/// Declares a file's diagnostic codes: each doc comment becomes the code's docs, each name a
/// constant holding the code (what emitting sites pass to `Diagnostic::error`), and `CODES` lists
/// them in order.
macro_rules! codes {
    ($($(#[doc = $doc:literal])* $name:ident = ($code:literal, $severity:ident);)*) => {
        $(
            $(#[doc = $doc])*
            pub const $name: &str = $code;
        )*
        /// Every code this file declares, in order.
        pub static CODES: &[$crate::diagnostics::registry::Code] = &[$(
            $crate::diagnostics::registry::Code {
                code: $code,
                default: $crate::diagnostics::Severity::$severity,
                docs: concat!($($doc, "\n"),*),
                kind: $crate::diagnostics::registry::Kind::Check,
            },
        )*];
    };
}
pub(crate) use codes;

/// What emits a code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A check made while lowering a spec or reading a file: what the engine (Prometheus,
    /// AlertManager, Grafana) rejects, what cannot work, and what Sextant cannot emit.
    Check,
    /// A lint ([`crate::lint`]): advice on the validated form, against the catalog.
    Lint,
}

/// One diagnostic code.
#[derive(Clone, Copy, Debug)]
pub struct Code {
    /// `group/name`.
    pub code: &'static str,
    pub default: Severity,
    /// The doc comment, in Markdown.
    pub docs: &'static str,
    pub kind: Kind,
}

impl Code {
    /// The group: `promql` of `promql/syntax`.
    pub fn group(&self) -> &'static str {
        self.code.split_once('/').map_or(self.code, |(g, _)| g)
    }

    /// Whether the code's severity is fixed: a check's error (what the engine rejects or what
    /// cannot work) can be neither turned off nor lowered, since the emitters only ever see a
    /// valid form. Lints, and checks' warnings and infos, are configurable.
    pub fn fixed(&self) -> bool {
        self.kind == Kind::Check && self.default == Severity::Error
    }

    /// The first paragraph of the docs, on one line.
    pub fn summary(&self) -> String {
        self.docs
            .lines()
            .map(str::trim)
            .skip_while(|l| l.is_empty())
            .take_while(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The docs without rustdoc's leading space.
    pub fn explain(&self) -> String {
        self.docs
            .lines()
            .map(|l| l.strip_prefix(' ').unwrap_or(l))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// The checks' codes, a table per target.
static CHECKS: &[&[Code]] = &[
    super::codes::CODES,
    crate::rules::codes::CODES,
    crate::slo::codes::CODES,
    crate::prometheus::codes::CODES,
    crate::alertmanager::codes::CODES,
    crate::grafana::codes::CODES,
    crate::kubernetes::codes::CODES,
    crate::rulers::codes::CODES,
    crate::import::codes::CODES,
];

static ALL: LazyLock<Vec<Code>> = LazyLock::new(|| {
    let mut all: Vec<Code> = CHECKS.iter().flat_map(|t| t.iter().copied()).collect();
    all.extend(crate::lint::REGISTRY.iter().map(|l| l.as_code()));
    all.sort_by_key(|c| c.code);
    all
});

/// Every code, sorted by code (so grouped by group).
pub fn all() -> &'static [Code] {
    &ALL
}

pub fn find(code: &str) -> Option<Code> {
    let all = all();
    all.binary_search_by_key(&code, |c| c.code)
        .ok()
        .map(|i| all[i])
}

/// What `explain` prints without a code: a line per code, starting with it, then its default
/// severity (`error*` when fixed) and its summary.
pub fn list() -> String {
    let mut out = String::new();
    for code in all() {
        let default = format!("{}{}", code.default, if code.fixed() { "*" } else { "" });
        out.push_str(&format!(
            "{:<38} {:<8} {}\n",
            code.code,
            default,
            code.summary()
        ));
    }
    out.push_str(
        "\n* fixed: an error a check reports cannot be turned off or lowered; every other code can (`explain CODE` for one code's docs)\n",
    );
    out
}

/// What `explain CODE` prints: the code's default severity and how it is configured, then its
/// docs. `None` when no such code is registered.
pub fn explain(code: &str) -> Option<String> {
    let code = find(code)?;
    let what = match code.kind {
        Kind::Lint => "lint",
        Kind::Check => "check",
    };
    let setting = if code.fixed() {
        "fixed: it cannot be turned off or lowered"
    } else {
        "configurable: `LintConfig::allow`/`set`, `# sextant: disable=CODE`"
    };
    Some(format!(
        "{} ({what}, default: {}; {setting})\n\n{}",
        code.code,
        code.default,
        code.explain()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_grouped_and_documented() {
        let mut seen = std::collections::BTreeSet::new();
        for code in all() {
            assert!(seen.insert(code.code), "{} registered twice", code.code);
            let (group, name) = code.code.split_once('/').expect("code is group/name");
            for part in [group, name] {
                assert!(
                    !part.is_empty()
                        && part
                            .chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{}",
                    code.code
                );
            }
            assert!(!code.summary().is_empty(), "{} has no summary", code.code);
            for section in ["## Why", "## Example", "## Fix"] {
                assert!(
                    code.docs.contains(section),
                    "{} docs lack {section}",
                    code.code
                );
            }
        }
    }

    #[test]
    fn explain_knows_every_code_and_list_names_each() {
        let list = list();
        for code in all() {
            assert!(explain(code.code).is_some());
            assert!(list.lines().any(|l| l.split(' ').next() == Some(code.code)));
        }
        assert!(explain("nope/nope").is_none());
    }
}
