//! The routing engine: which receivers an alert with given labels goes to, as AlertManager's
//! dispatcher decides (and `amtool config routes test` prints), and the route tree as
//! `amtool config routes show` prints it.
//!
//! A route matches when all its matchers do (a missing label reads as the empty string). Its
//! children are then tried in order: each matching child contributes its own matches, and the
//! first one that matches without `continue` stops the search. A route none of whose children
//! match is itself the match. Time intervals do not take part: they mute notifications, not
//! routing.

use std::collections::BTreeMap;

use super::ir::{Config, Route};

/// The routes an alert with `labels` ends at, in tree order.
pub fn matching<'a>(config: &'a Config, labels: &BTreeMap<String, String>) -> Vec<&'a Route> {
    fn visit<'a>(route: &'a Route, labels: &BTreeMap<String, String>) -> Option<Vec<&'a Route>> {
        let matches = route
            .matchers
            .iter()
            .all(|m| m.matches(labels.get(&m.name).map(String::as_str).unwrap_or("")));
        if !matches {
            return None;
        }
        let mut all = Vec::new();
        for child in &route.routes {
            if let Some(found) = visit(child, labels) {
                all.extend(found);
                if !child.continue_ {
                    break;
                }
            }
        }
        if all.is_empty() {
            all.push(route);
        }
        Some(all)
    }
    visit(&config.route, labels).unwrap_or_default()
}

/// The receivers an alert with `labels` is sent to, in tree order, one per matching route (a
/// receiver reached by two routes appears twice, as amtool prints it).
pub fn receivers(config: &Config, labels: &BTreeMap<String, String>) -> Vec<String> {
    matching(config, labels)
        .into_iter()
        .map(|route| route.receiver.clone())
        .collect()
}

/// Labels from `name=value` arguments, as `amtool config routes test` takes them (the value
/// may be quoted). An empty value is the same as a missing label.
pub fn parse_labels<S: AsRef<str>>(args: &[S]) -> Result<BTreeMap<String, String>, String> {
    let mut labels = BTreeMap::new();
    for arg in args {
        let arg = arg.as_ref();
        let Some((name, value)) = arg.split_once('=') else {
            return Err(format!(
                "{arg:?} is not a label: labels must be specified as name=value pairs"
            ));
        };
        if !crate::syntax::promql::is_label_name(name) {
            return Err(format!("{name:?} is not a valid label name"));
        }
        let value = value
            .strip_prefix('"')
            .and_then(|v| v.strip_suffix('"'))
            .unwrap_or(value);
        if !value.is_empty() {
            labels.insert(name.to_string(), value.to_string());
        }
    }
    Ok(labels)
}

/// The route tree, drawn as `amtool config routes show` draws it.
pub fn show(config: &Config) -> String {
    let mut out = String::from("Routing tree:\n.\n");
    draw(&config.route, "", true, &mut out);
    // amtool ends the tree with an empty line.
    out.push('\n');
    out
}

fn draw(route: &Route, prefix: &str, last: bool, out: &mut String) {
    out.push_str(prefix);
    out.push_str(if last { "└── " } else { "├── " });
    out.push_str(&slug(route));
    out.push('\n');
    // amtool's tree library continues a branch with a bar and two no-break spaces.
    let child_prefix = format!("{prefix}{}", if last { "    " } else { "│\u{a0}\u{a0} " });
    for (index, child) in route.routes.iter().enumerate() {
        draw(child, &child_prefix, index + 1 == route.routes.len(), out);
    }
}

fn slug(route: &Route) -> String {
    let mut slug = if route.matchers.is_empty() {
        "default-route".to_string()
    } else {
        let matchers: Vec<String> = route.matchers.iter().map(|m| m.text()).collect();
        format!("{{{}}}", matchers.join(","))
    };
    if route.continue_ {
        slug.push_str("  continue: true");
    }
    slug.push_str("  receiver: ");
    slug.push_str(&route.receiver);
    slug
}

/// Whether an alert with labels `alert` is muted while an alert with labels `firing` fires, by
/// any inhibit rule: `alert` matches the target matchers, `firing` the source matchers, and
/// both have the same values of the `equal` labels (missing on both counts as equal). As in
/// AlertManager, an alert matching both sides is not inhibited by one that also does.
pub fn inhibits(
    config: &Config,
    firing: &BTreeMap<String, String>,
    alert: &BTreeMap<String, String>,
) -> bool {
    let all = |matchers: &[super::ir::Matcher], labels: &BTreeMap<String, String>| {
        matchers
            .iter()
            .all(|m| m.matches(labels.get(&m.name).map(String::as_str).unwrap_or("")))
    };
    config.inhibit_rules.iter().any(|rule| {
        let both = |labels| all(&rule.source, labels) && all(&rule.target, labels);
        all(&rule.target, alert)
            && all(&rule.source, firing)
            && rule.equal.iter().all(|l| firing.get(l) == alert.get(l))
            && !(both(alert) && both(firing))
    })
}
