//! The configuration every diagnostic gets, whatever emitted it: the spec's severity settings
//! (`LintConfig::allow`, `LintConfig::set`) and `# sextant: disable=CODE` comments in linted YAML
//! files, applied once to the collected diagnostics by [`apply`], where the spec is compiled and
//! where files are linted.
//!
//! One rule holds for both: a check's error ([`Code::fixed`]: what the engine rejects, or what
//! certainly fails) is never turned off or lowered. A setting that tries is reported
//! (`config/fixed-error`) and ignored; a disable comment that tries leaves a note on the error.

use std::collections::BTreeMap;
use std::ops::Range;

use super::registry::{self, Code};
use super::{codes, Diagnostic, Severity};
use crate::diagnostics::Span;
use crate::lint::LintConfig;

/// Applies `config` and the disable comments of the files the diagnostics point into
/// (`text_of` reads a file by the path diagnostics give; `None` for Rust sources and unknown
/// files) to every diagnostic: drops those turned off, re-levels those set to another severity.
pub fn apply(
    config: &LintConfig,
    diagnostics: &mut Vec<Diagnostic>,
    text_of: &dyn Fn(&str) -> Option<String>,
) {
    let mut disables: BTreeMap<String, Vec<Disable>> = BTreeMap::new();
    diagnostics.retain_mut(|d| {
        let Some(code) = registry::find(d.code) else {
            return true;
        };
        let disabled = match &d.span {
            Some(Span::File { path, range }) => disables
                .entry(path.to_string())
                .or_insert_with(|| text_of(path).map_or_else(Vec::new, |t| disable_comments(&t)))
                .iter()
                .any(|x| x.range.contains(&range.start) && x.covers(d.code)),
            _ => false,
        };
        if code.fixed() {
            if disabled {
                d.notes.push(format!(
                    "a `# sextant: disable` comment cannot turn this off: {} is an error the engine rejects or that certainly fails (`explain {}`)",
                    d.code,
                    codes::FIXED_ERROR
                ));
            }
            return true;
        }
        if disabled {
            return false;
        }
        match config.overrides.get(d.code) {
            Some(None) => false,
            Some(Some(severity)) => {
                d.severity = *severity;
                true
            }
            None => true,
        }
    });
}

/// Diagnostics about the settings themselves: a code that does not exist, an error a check
/// reports that a setting tries to turn off or lower.
pub fn check(config: &LintConfig) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    for (name, setting) in &config.overrides {
        let origin = config.origins.get(name).copied();
        let d = match registry::find(name) {
            None => {
                let near = crate::diagnostics::suggest::closest(
                    name,
                    registry::all().iter().map(|c| c.code.to_string()),
                );
                let d = Diagnostic::warning(
                    codes::UNKNOWN_CODE,
                    format!("the setting for {name:?} does nothing: no diagnostic has that code"),
                );
                match near {
                    Some(near) => d.note(format!("did you mean {near:?}?")),
                    None => d.note("`cargo run -- explain` lists every code"),
                }
            }
            Some(code) if code.fixed() && *setting != Some(Severity::Error) => fixed(&code),
            Some(_) => continue,
        };
        out.push(d.at_opt(origin));
    }
    out
}

fn fixed(code: &Code) -> Diagnostic {
    Diagnostic::warning(
        codes::FIXED_ERROR,
        format!(
            "{} is an error the engine rejects or that certainly fails: it cannot be turned off or lowered, and the setting is ignored",
            code.code
        ),
    )
    .note("fix what it reports instead")
}

/// What one `# sextant: disable=A,B` comment turns off, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
struct Disable {
    /// The item the comment belongs to: the line it ends (or the first line below the comment
    /// lines it stands in) and every line nested under it.
    range: Range<usize>,
    codes: Vec<String>,
}

impl Disable {
    fn covers(&self, code: &str) -> bool {
        self.codes.iter().any(|c| c == code || c == "all")
    }
}

/// The disable comments of a YAML file. A comment on an item's line, or on the comment lines just
/// above it, covers the item: a list entry (`- name: ...`) with everything indented under it, or
/// a key with its nested block.
fn disable_comments(text: &str) -> Vec<Disable> {
    let mut lines = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        lines.push((offset, line.trim_end_matches(['\n', '\r'])));
        offset += line.len();
    }
    let mut out = Vec::new();
    for (index, (_, line)) in lines.iter().enumerate() {
        let Some(codes) = disabled_codes(line) else {
            continue;
        };
        let is_comment = |l: &str| l.trim_start().starts_with('#');
        let item = if is_comment(line) {
            match (index + 1..lines.len())
                .find(|&i| !is_comment(lines[i].1) && !lines[i].1.trim().is_empty())
            {
                Some(item) => item,
                None => continue,
            }
        } else {
            index
        };
        let (start, item_line) = lines[item];
        let indent = item_line.len() - item_line.trim_start().len();
        let entry = item_line.trim_start().starts_with("- ");
        let end = lines[item + 1..]
            .iter()
            .find(|(_, l)| {
                let own = l.len() - l.trim_start().len();
                !l.trim().is_empty()
                    && !is_comment(l)
                    && (own < indent + 2 && entry || own <= indent && !entry)
            })
            .map_or(text.len(), |(at, _)| *at);
        out.push(Disable {
            range: start..end,
            codes,
        });
    }
    out
}

/// The codes of a `# sextant: disable=A,B` comment on `line`.
fn disabled_codes(line: &str) -> Option<Vec<String>> {
    let at = line.find("# sextant:")?;
    let rest = line[at + "# sextant:".len()..].trim_start();
    let codes = rest.strip_prefix("disable=")?;
    let codes = codes.split_whitespace().next().unwrap_or("");
    Some(
        codes
            .split(',')
            .filter(|c| !c.is_empty())
            .map(str::to_string)
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn covered(text: &str, needle: &str) -> Vec<String> {
        let at = text.find(needle).unwrap();
        disable_comments(text)
            .into_iter()
            .filter(|d| d.range.contains(&at))
            .flat_map(|d| d.codes)
            .collect()
    }

    #[test]
    fn a_comment_covers_its_item_and_what_is_nested_under_it() {
        let text = "\
receivers:
  # sextant: disable=alertmanager/unused-receiver
  - name: old
    webhook_configs:
      - url: http://a
  - name: new  # sextant: disable=x,y
route:
  receiver: new
";
        assert_eq!(covered(text, "old"), ["alertmanager/unused-receiver"]);
        assert_eq!(covered(text, "http://a"), ["alertmanager/unused-receiver"]);
        assert_eq!(covered(text, "new  #"), ["x", "y"]);
        assert!(covered(text, "route").is_empty());
        assert!(covered(text, "receiver: new").is_empty());
    }

    #[test]
    fn a_top_level_key_covers_its_block_only() {
        let text = "route:  # sextant: disable=all\n  receiver: a\nreceivers: []\n";
        assert_eq!(covered(text, "receiver: a"), ["all"]);
        assert!(covered(text, "receivers").is_empty());
    }
}
