//! The text panel (`text`): Markdown, for what a dashboard is for and how to read it.
//!
//! It has no queries; a text panel given one is reported.

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, PanelCommon};

#[derive(Clone, Debug, PartialEq)]
pub struct Text {
    pub(crate) common: PanelCommon,
    pub(crate) content: String,
}

impl Text {
    /// A Markdown panel, 24 columns by 3 lines.
    #[track_caller]
    pub fn new(title: impl Into<String>, markdown: impl Into<String>) -> Text {
        Text {
            common: PanelCommon::new(title.into(), 24, 3, Place::caller()),
            content: markdown.into(),
        }
    }

    pub(crate) fn options(&self) -> Value {
        json!({
            "code": {"language": "plaintext", "showLineNumbers": false, "showMiniMap": false},
            "content": self.content,
            "mode": "markdown",
        })
    }
}

panel_common!(Text);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;

    #[test]
    fn options_match_grafana_schema() {
        let panel = Text::new("About", "# EJE\n\nWhat this shows.");
        assert_eq!(
            official_errors("text", "Options", &panel.options()),
            Vec::<String>::new()
        );
    }
}
