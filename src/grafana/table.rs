//! The table panel (`table`): the latest value of each series as a row, its labels as columns.
//!
//! Its queries are instant and ask Prometheus for the `table` format; the time column is hidden.

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, PanelCommon};

#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    pub(crate) common: PanelCommon,
    pub(crate) sort_by: Option<(String, bool)>,
}

impl Table {
    /// A table, 24 columns by 8 lines.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> Table {
        Table {
            common: PanelCommon::new(title.into(), 24, 8, Place::caller()),
            sort_by: None,
        }
    }

    /// Sorts the rows by the column `column`, descending when `desc`.
    pub fn sort_by(mut self, column: impl Into<String>, desc: bool) -> Table {
        self.sort_by = Some((column.into(), desc));
        self
    }

    pub(crate) fn options(&self) -> Value {
        let mut options = json!({
            "cellHeight": "sm",
            "frameIndex": 0,
            "showHeader": true,
        });
        if let Some((column, desc)) = &self.sort_by {
            options["sortBy"] = json!([{"desc": desc, "displayName": column}]);
        }
        options
    }

    pub(crate) fn custom(&self) -> Value {
        // No `cellOptions`: Grafana's schema lets `{"type": "auto"}` match two branches of its
        // `oneOf`, so the official check rejects it; leaving it out means the same to Grafana.
        json!({
            "align": "auto",
            "inspect": false,
        })
    }

    /// Hides the time column an instant query brings.
    pub(crate) fn transformations(&self) -> Value {
        json!([{"id": "organize", "options": {"excludeByName": {"Time": true}}}])
    }
}

panel_common!(Table);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;

    #[test]
    fn options_and_field_config_match_grafana_schema() {
        for panel in [
            Table::new("plain"),
            Table::new("sorted").sort_by("Value", true),
        ] {
            assert_eq!(
                official_errors("table", "Options", &panel.options()),
                Vec::<String>::new()
            );
            assert_eq!(
                official_errors("table", "FieldConfig", &panel.custom()),
                Vec::<String>::new()
            );
        }
    }
}
