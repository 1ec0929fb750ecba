//! The checks a spec's dashboards and a linted dashboard file share, written once over the
//! values both build: the DSL's lowering ([`crate::grafana::lower`]) and the file reader
//! ([`crate::grafana::file`]) turn their panels into [`PanelFacts`] and their variables into
//! [`Variable`]s at their [`Place`] (a Rust call site, or the item of the file where the value
//! stands), then call these. What differs between the two is said by the place itself: a note
//! tells a spec's author to use the DSL and a file's author to edit the JSON, and a fault that
//! Grafana repairs when it loads a foreign dashboard (overlapping panels) is a warning there.
//!
//! The query checks (`check_query`, `unknown_label`) are shared the same way, from
//! [`crate::grafana::lower`].

use std::collections::BTreeMap;

use crate::diagnostics::{Diagnostic, Place, Severity};
use crate::grafana::codes;
use crate::grafana::layout::{GridPos, COLUMNS};
use crate::grafana::lower::Scope;
use crate::grafana::Variable;

/// A panel as the id and layout checks see it.
pub(crate) struct PanelFacts {
    /// How its own diagnostics name it: `dashboard x: stat panel "Errors"`, `stat panel "Errors"`.
    pub(crate) what: String,
    /// How another panel's diagnostics name it: `stat panel "Errors"`.
    pub(crate) name: String,
    /// Where its layout is declared: the panel's call, or its `gridPos` in a file.
    pub(crate) place: Place,
    /// Where it stands; `None` when that cannot be told (an invalid `gridPos`, already
    /// reported, or a legacy `rows` panel, which Grafana lays out itself).
    pub(crate) grid: Option<GridPos>,
    /// Panels are compared for overlap within one group: the dashboard's top level (every row
    /// open), or one collapsed row's panels in a file.
    pub(crate) group: usize,
    pub(crate) id: Option<PanelId>,
}

/// A panel's id: written in a file, or derived from the panel's key in the DSL.
pub(crate) struct PanelId {
    pub(crate) value: i64,
    /// Where the id is written (a file's `id`), or the panel's call.
    pub(crate) place: Place,
    /// The key the id derives from (the DSL's).
    pub(crate) key: Option<String>,
}

/// Ids unique across the dashboard, panels within the 24 columns, and no two panels of a group
/// sharing a cell.
pub(crate) fn panels(panels: &[PanelFacts], diagnostics: &mut Vec<Diagnostic>) {
    let mut ids: BTreeMap<i64, &PanelFacts> = BTreeMap::new();
    for panel in panels {
        let Some(id) = &panel.id else { continue };
        let Some(first) = ids.get(&id.value) else {
            ids.insert(id.value, panel);
            continue;
        };
        let first_id = first.id.as_ref().expect("has an id");
        let d = match (&id.key, &first_id.key) {
            (Some(key), Some(other)) => Diagnostic::error(
                codes::DUPLICATE_PANEL,
                format!(
                    "{}: the keys {key:?} and {other:?} hash to the same panel id {}",
                    panel.what, id.value
                ),
            )
            .at(&id.place)
            .note("give this panel another `.key(..)`"),
            _ => Diagnostic::error(
                codes::DUPLICATE_PANEL,
                format!("{} has the id {}, as another panel does", panel.what, id.value),
            )
            .at(&id.place)
            .related(&first_id.place, format!("{} has it", first.name))
            .note("Grafana finds a panel by its id (`viewPanel=` links, embeds, panel menus): give each panel its own"),
        };
        diagnostics.push(d);
    }
    for (index, panel) in panels.iter().enumerate() {
        let Some(pos) = panel.grid else { continue };
        if pos.x + pos.w > COLUMNS {
            let d = Diagnostic::error(
                codes::LAYOUT,
                format!(
                    "{} is placed at column {} with width {}: it ends past column 24",
                    panel.what, pos.x, pos.w
                ),
            )
            .at(&panel.place);
            diagnostics.push(if panel.place.is_file() {
                d.note("Grafana's grid is 24 columns wide: x + w must be at most 24")
            } else {
                d
            });
        }
        for other in &panels[..index] {
            let Some(other_pos) = other.grid else {
                continue;
            };
            if other.group != panel.group || !other_pos.overlaps(&pos) {
                continue;
            }
            // Grafana moves overlapping panels of a dashboard it loads: a foreign dashboard
            // still shows, though not as written; a spec's must be laid out as declared.
            let (severity, fix) = if panel.place.is_file() {
                (
                    Severity::Warning,
                    "Grafana pushes one of them down when it loads the dashboard: move one so they do not share a cell",
                )
            } else {
                (
                    Severity::Error,
                    "move one by hand with `.at(x, y)`, or let both be placed automatically",
                )
            };
            diagnostics.push(
                Diagnostic::new(
                    severity,
                    codes::OVERLAP,
                    format!("{} overlaps the {}", panel.what, other.name),
                )
                .at(&panel.place)
                .note(format!("this panel: {}", describe(pos)))
                .related(&other.place, format!("the other: {}", describe(other_pos)))
                .note(fix),
            );
        }
    }
}

fn describe(pos: GridPos) -> String {
    format!(
        "columns {}..{}, lines {}..{}",
        pos.x,
        pos.x + pos.w,
        pos.y,
        pos.y + pos.h
    )
}

/// The variables queries may use, each name once: a name declared twice is reported and the
/// first declaration kept; a spec's names must also be usable in a query (`$name`). `dashboard`
/// names the dashboard in a spec's messages.
pub(crate) fn variables<'a>(
    dashboard: Option<&str>,
    variables: &'a [Variable],
    diagnostics: &mut Vec<Diagnostic>,
) -> Scope<'a> {
    let mut scope = Scope {
        variables: BTreeMap::new(),
        tags: false,
        rate_interval: true,
    };
    let in_dashboard = dashboard.map(|d| format!(" in {d}")).unwrap_or_default();
    for variable in variables {
        // A foreign dashboard's names are Grafana's business: it accepts any.
        let valid = variable.origin.is_file()
            || (!variable.name.is_empty()
                && !variable.name.starts_with("__")
                && variable
                    .name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'));
        if !valid {
            diagnostics.push(
                Diagnostic::error(codes::VARIABLE, format!("invalid variable name {:?}{in_dashboard}", variable.name))
                    .at(&variable.origin)
                    .snippet("variable", variable.name.as_str(), 0..variable.name.len(), "not a variable name")
                    .note("a variable name is letters, digits and `_`, not starting with `__` (Grafana's own)"),
            );
        }
        match scope.variables.get(variable.name.as_str()) {
            Some(first) => {
                let d = Diagnostic::error(
                    codes::VARIABLE,
                    if variable.origin.is_file() {
                        format!("variable `{}` is defined twice", variable.name)
                    } else {
                        format!(
                            "variable `{}` is declared twice{in_dashboard}",
                            variable.name
                        )
                    },
                )
                .at(&variable.origin);
                diagnostics.push(if variable.origin.is_file() {
                    d.related(&first.origin, "first defined here")
                } else {
                    d
                });
            }
            None => {
                scope.variables.insert(&variable.name, variable);
            }
        }
    }
    scope
}
