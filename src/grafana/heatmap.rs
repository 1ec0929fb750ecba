//! The heatmap panel (`heatmap`): a histogram's buckets over time, the best view of a latency
//! distribution.
//!
//! Its queries read a histogram's `_bucket` series by `le` and ask Prometheus for the `heatmap`
//! format, so Grafana draws Prometheus's buckets as they are instead of bucketing again. The
//! panel's unit is the unit of the buckets' bounds (the y axis).

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, PanelCommon};

#[derive(Clone, Debug, PartialEq)]
pub struct Heatmap {
    pub(crate) common: PanelCommon,
    pub(crate) scheme: &'static str,
}

impl Heatmap {
    /// A heatmap, 12 columns by 8 lines, in oranges.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> Heatmap {
        Heatmap {
            common: PanelCommon::new(title.into(), 12, 8, Place::caller()),
            scheme: "Oranges",
        }
    }

    pub(crate) fn options(&self) -> Value {
        let mut y_axis = json!({"axisPlacement": "left", "reverse": false});
        if let Some(unit) = self.common.unit {
            y_axis["unit"] = json!(unit.as_str());
        }
        json!({
            "calculate": false,
            "cellGap": 1,
            "color": {
                "exponent": 0.5,
                "fill": "dark-orange",
                "mode": "scheme",
                "reverse": false,
                "scale": "exponential",
                "scheme": self.scheme,
                "steps": 64,
            },
            "exemplars": {"color": "rgba(255,0,255,0.7)"},
            "filterValues": {"le": 1e-9},
            "legend": {"show": true},
            "rowsFrame": {"layout": "auto"},
            "showValue": "never",
            "tooltip": {"mode": "single", "showColorScale": false, "yHistogram": true},
            "yAxis": y_axis,
        })
    }

    pub(crate) fn custom(&self) -> Value {
        json!({
            "hideFrom": {"legend": false, "tooltip": false, "viz": false},
            "scaleDistribution": {"type": "linear"},
        })
    }
}

panel_common!(Heatmap);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;
    use crate::grafana::Unit;

    #[test]
    fn options_and_field_config_match_grafana_schema() {
        for panel in [
            Heatmap::new("plain"),
            Heatmap::new("seconds").unit(Unit::Seconds),
        ] {
            assert_eq!(
                official_errors("heatmap", "Options", &panel.options()),
                Vec::<String>::new()
            );
            assert_eq!(
                official_errors("heatmap", "FieldConfig", &panel.custom()),
                Vec::<String>::new()
            );
        }
    }
}
