//! Sextant: monitoring stacks as code.
//!
//! A spec written with this crate's typed DSL ([`rules`]) and a metric catalog
//! ([`sextant_catalog`]) is lowered into a validated IR ([`lower`], [`ir`]), linted against the
//! catalog ([`lint`]), and emitted as files ([`emit`]). [`spec::compile`] runs the whole
//! pipeline; [`cli`] is the command line around it.

pub mod cli;
pub mod diag;
pub mod duration;
pub mod emit;
pub mod gotmpl;
pub mod http;
pub mod ir;
pub mod lint;
pub mod lower;
pub mod output;
pub mod promql;
pub mod report;
pub mod rulefile;
pub mod rules;
pub mod spec;
pub mod yaml;

pub use sextant_catalog as catalog;

/// What a spec file needs: `use sextant::prelude::*;`.
pub mod prelude {
    pub use crate::diag::Severity;
    pub use crate::duration::{days, hours, mins, secs, Duration};
    pub use crate::lint::LintConfig;
    pub use crate::rules::{
        select, Alert, AlertSeverity, PromQl, Record, Rule, RuleGroup, Selector,
    };
    pub use crate::spec::{compile, Compiled, Spec};
}
