//! The gauge panel (`gauge`): one value on a dial between min and max, coloured by thresholds.
//!
//! For a value with natural bounds: utilisation (0..1), the share of file descriptors in use.

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, Calc, PanelCommon};

#[derive(Clone, Debug, PartialEq)]
pub struct Gauge {
    pub(crate) common: PanelCommon,
    pub(crate) calc: Calc,
    pub(crate) threshold_markers: bool,
}

impl Gauge {
    /// A gauge, 6 columns by 6 lines, showing the last value with threshold markers.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> Gauge {
        Gauge {
            common: PanelCommon::new(title.into(), 6, 6, Place::caller()),
            calc: Calc::Last,
            threshold_markers: true,
        }
    }

    pub fn calc(mut self, calc: Calc) -> Gauge {
        self.calc = calc;
        self
    }

    pub fn no_threshold_markers(mut self) -> Gauge {
        self.threshold_markers = false;
        self
    }

    pub(crate) fn options(&self) -> Value {
        json!({
            "minVizHeight": 75,
            "minVizWidth": 75,
            "orientation": "auto",
            "reduceOptions": {"calcs": [self.calc.as_str()], "fields": "", "values": false},
            "showThresholdLabels": false,
            "showThresholdMarkers": self.threshold_markers,
            "sizing": "auto",
        })
    }
}

panel_common!(Gauge);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;

    #[test]
    fn options_match_grafana_schema() {
        for panel in [
            Gauge::new("plain"),
            Gauge::new("all").calc(Calc::Max).no_threshold_markers(),
        ] {
            assert_eq!(
                official_errors("gauge", "Options", &panel.options()),
                Vec::<String>::new()
            );
        }
    }
}
