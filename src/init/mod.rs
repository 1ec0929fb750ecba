//! `sextant init DIR`: a working spec crate for a new service, so a team starts from something
//! that builds and passes its tests, not from a blank page: a metric catalog, a recording rule
//! group, an alert, an SLO, AlertManager routing, the Prometheus server configuration, a
//! dashboard, the binary (`cargo run -- build`), tests that run promtool and amtool on what it
//! generates, `ci/test.sh` and a README. The files are the templates in `template/`, with the
//! service's name put in.
//!
//! Architecture Invariant: this returns files as data ([`Output`]); the CLI writes them.

use std::path::Path;

use crate::output::Output;

/// The templates, by the path they are written to.
const TEMPLATES: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("template/Cargo.toml.txt")),
    (".gitignore", include_str!("template/gitignore.txt")),
    ("README.md", include_str!("template/README.md.txt")),
    ("ci/test.sh", include_str!("template/ci/test.sh")),
    ("src/main.rs", include_str!("template/src/main.rs")),
    ("src/lib.rs", include_str!("template/src/lib.rs")),
    ("src/catalog.rs", include_str!("template/src/catalog.rs")),
    (
        "src/recording.rs",
        include_str!("template/src/recording.rs"),
    ),
    ("src/alerts.rs", include_str!("template/src/alerts.rs")),
    ("src/slos.rs", include_str!("template/src/slos.rs")),
    ("src/routing.rs", include_str!("template/src/routing.rs")),
    (
        "src/prometheus.rs",
        include_str!("template/src/prometheus.rs"),
    ),
    (
        "src/dashboards.rs",
        include_str!("template/src/dashboards.rs"),
    ),
    ("tests/stack.rs", include_str!("template/tests/stack.rs")),
];

/// The folder of this crate's sources, which the new crate depends on by path.
pub fn sextant_path() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Whether `name` can name a service: lowercase ASCII letters, digits and `-`, starting with a
/// letter (it becomes a crate name, a metric namespace and a rule group prefix).
pub fn valid_service_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !name.ends_with('-')
        && !name.contains("--")
}

/// The files of a new spec crate for `service`, depending on Sextant at `sextant` (a path).
pub fn scaffold(service: &str, sextant: &Path) -> Result<Output, String> {
    if !valid_service_name(service) {
        return Err(format!(
            "{service:?} cannot name a service: use lowercase letters, digits and single `-`, starting with a letter (such as `checkout` or `search-api`); name it with --name"
        ));
    }
    let krate = format!("{service}-monitoring");
    let prefix: String = service
        .split('-')
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map(|first| first.to_ascii_uppercase().to_string() + chars.as_str())
                .unwrap_or_default()
        })
        .collect();
    let sextant = sextant.display().to_string();
    let values = [
        ("@service@", service.to_string()),
        ("@crate@", krate.clone()),
        ("@crate_ident@", krate.replace('-', "_")),
        ("@namespace@", service.replace('-', "_")),
        ("@alert_prefix@", prefix),
        ("@sextant_path@", sextant.replace('\\', "/")),
    ];
    let mut output = Output::default();
    for (path, template) in TEMPLATES {
        let mut text = template.to_string();
        for (key, value) in &values {
            text = text.replace(key, value);
        }
        output.add(*path, text);
    }
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_put_in_everywhere() {
        let output = scaffold("search-api", Path::new("/src/sextant")).unwrap();
        for (path, text) in output.files() {
            for key in [
                "@service@",
                "@crate@",
                "@crate_ident@",
                "@namespace@",
                "@alert_prefix@",
                "@sextant_path@",
            ] {
                assert!(!text.contains(key), "{path} keeps {key}");
            }
        }
        let cargo = output.get("Cargo.toml").unwrap();
        assert!(cargo.contains("name = \"search-api-monitoring\""));
        assert!(cargo.contains("sextant = { path = \"/src/sextant\" }"));
        assert!(output
            .get("src/main.rs")
            .unwrap()
            .contains("search_api_monitoring::spec"));
        assert!(output
            .get("src/catalog.rs")
            .unwrap()
            .contains("\"search_api_http_requests_total\""));
        assert!(output
            .get("src/alerts.rs")
            .unwrap()
            .contains("\"SearchApiHighErrorRate\""));
    }

    #[test]
    fn bad_names_are_refused() {
        for name in ["", "Search", "9lives", "a_b", "a--b", "a-", "a b"] {
            assert!(scaffold(name, Path::new("/x")).is_err(), "{name:?}");
        }
    }
}
