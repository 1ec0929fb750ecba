//! The codes of `sextant import`: what an imported file holds that the module written for it
//! does not carry, or that must be provided before the imported spec is deployed.

use crate::diagnostics::registry::codes;

codes! {
    /// A field of an imported alertmanager.yml that the AlertManager DSL cannot express yet:
    /// the imported module leaves it out.
    ///
    /// ## Why
    /// `sextant import` writes a module whose emitted configuration routes every alert as the
    /// imported file does; a field the DSL has no place for (an integration without a DSL type,
    /// a Slack `color`, an email config's own `smarthost`, a time interval's `location`) would
    /// be lost without a word. Each is reported at the field, so nothing is dropped silently.
    ///
    /// ## Example
    /// ```text
    /// receivers:
    /// - name: team
    ///   slack_configs:
    ///   - channel: '#alerts'
    ///     color: danger
    /// ```
    ///
    /// ## Fix
    /// Decide whether the field matters: keep deploying the original file for it, or write it
    /// into the spec by hand once the DSL has it.
    ALERTMANAGER_NOT_EXPRESSIBLE = ("import/alertmanager-not-expressible", Warning);

    /// Secrets an imported alertmanager.yml wrote inline, now read from files the deployment
    /// must provide.
    ///
    /// ## Why
    /// A spec can only name the file a secret is read from (`SecretFile::at`), so the secret
    /// never enters the repository. The import leaves the value where it was and names a file
    /// under `/etc/alertmanager/secrets/` for each; until those files exist, AlertManager
    /// refuses the emitted configuration.
    ///
    /// ## Example
    /// ```text
    /// global:
    ///   slack_api_url: https://hooks.slack.com/services/T000/B000/XXXX
    /// ```
    ///
    /// ## Fix
    /// Write each secret to the file the note names (a Kubernetes Secret mounted there, or a
    /// file only AlertManager can read), or change the path in the imported module.
    ALERTMANAGER_SECRET_FILES = ("import/alertmanager-secret-files", Warning);
}
