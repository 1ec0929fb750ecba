//! The codes about the settings themselves ([`super::configure`]): a spec's `LintConfig` that
//! names an unknown code, or tries to turn off or lower an error a check reports.

use crate::diagnostics::registry::codes;

codes! {
    /// A severity setting (`LintConfig::allow`, `LintConfig::set`) for a code that does not
    /// exist.
    ///
    /// ## Why
    /// The setting does nothing: usually a typo, or a code that was renamed, and the diagnostic
    /// it was meant to silence or raise is reported as before. A warning: nothing else changes.
    ///
    /// ## Example
    /// ```text
    /// LintConfig::default().allow("alerts/for_duration")
    /// ```
    ///
    /// ## Fix
    /// Use a code `cargo run -- explain` lists (`alerts/for`), or remove the setting.
    UNKNOWN_CODE = ("config/unknown-code", Warning);

    /// A severity setting that would turn off, or lower, an error a check reports.
    ///
    /// ## Why
    /// A check's error is what Prometheus, AlertManager or Grafana rejects, or what certainly
    /// fails at run time; the emitters only ever see a form without them. Such errors are fixed:
    /// the setting is ignored, and the error stands. Lints, and checks' warnings and infos, can
    /// be turned off or re-levelled.
    ///
    /// ## Example
    /// ```text
    /// LintConfig::default().allow("promql/syntax")
    /// ```
    ///
    /// ## Fix
    /// Fix what the error reports, and remove the setting.
    FIXED_ERROR = ("config/fixed-error", Warning);
}
