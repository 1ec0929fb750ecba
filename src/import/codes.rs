//! The codes of `sextant import`: what an imported file holds that the DSL cannot express, and
//! what is not imported at all. Each is reported at the file's place; nothing is dropped silently.

use crate::diagnostics::registry::codes;

codes! {
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

    /// A field of an imported file that the DSL cannot express; the rest of the item is
    /// imported without it.
    ///
    /// ## Why
    /// An import is meant to give back the same configuration when built. A field the DSL has
    /// no place for (Thanos's `partial_response_strategy`, Mimir's `source_tenants`, a
    /// `PrometheusRule` group's `labels`, a Sloth SLI plugin; in an alertmanager.yml, an
    /// integration whose secret AlertManager 0.25 reads only inline, an `http_config`'s proxy
    /// or TLS settings, an email config's own `smarthost`) would be lost: it is reported so
    /// that someone decides what becomes of it. An alertmanager.yml is compared field by field
    /// with what its imported module emits, so none goes unreported.
    ///
    /// ## Example
    /// ```text
    /// groups:
    ///   - name: api
    ///     partial_response_strategy: warn
    /// ```
    ///
    /// ## Fix
    /// Set the equivalent in the spec by hand (here: `ThanosRuler`'s view of the group), or
    /// accept that it is gone.
    UNSUPPORTED = ("import/unsupported", Warning);

    /// A file of a kind `sextant import` does not read (yet): a Prometheus server
    /// configuration, another Kubernetes resource, or a kind not known at all.
    ///
    /// ## Why
    /// Nothing of the file is imported; saying so keeps the import honest about what it left.
    ///
    /// ## Example
    /// ```text
    /// sextant import prometheus.yml --into spec/src/imported
    /// ```
    ///
    /// ## Fix
    /// Write that part of the spec by hand, or leave the file out of the import.
    UNSUPPORTED_FILE = ("import/unsupported-file", Warning);

    /// A rule group, or an SLO, whose name another imported file already uses; the second is
    /// not imported.
    ///
    /// ## Why
    /// A spec writes each rule group to a file named after it (`prometheus/rules/<name>.yml`)
    /// and each SLO's series under its name: two of the same name cannot both be built. A spec
    /// also has one AlertManager configuration: a second alertmanager.yml is not imported.
    ///
    /// ## Example
    /// ```text
    /// a.yml:  groups: [{name: node, rules: [...]}]
    /// b.yml:  groups: [{name: node, rules: [...]}]
    /// ```
    ///
    /// ## Fix
    /// Rename one group in its file and import again, or import only one of them.
    DUPLICATE = ("import/duplicate", Warning);

    /// A file with errors (what `promtool check rules`, or Sloth, rejects) is not imported.
    ///
    /// ## Why
    /// The spec would not build from it: an imported file must build as it stands. The
    /// errors themselves are reported beside this diagnostic.
    ///
    /// ## Example
    /// ```text
    /// groups:
    ///   - name: api
    ///     rules:
    ///       - alert: Down
    ///         expr: up ==
    /// ```
    ///
    /// ## Fix
    /// Correct the file (the errors reported with it say where) and import it again.
    NOT_IMPORTED = ("import/not-imported", Error);
}
