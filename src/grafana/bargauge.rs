//! The bar gauge panel (`bargauge`): one bar per series, for comparing a value across a label
//! (failure ratio per critic, say).

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, Calc, PanelCommon};

/// How the bars are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BarStyle {
    Basic,
    Gradient,
    Lcd,
}

/// Which way the bars run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Orientation {
    Horizontal,
    Vertical,
}

#[derive(Clone, Debug, PartialEq)]
pub struct BarGauge {
    pub(crate) common: PanelCommon,
    pub(crate) calc: Calc,
    pub(crate) style: BarStyle,
    pub(crate) orientation: Orientation,
}

impl BarGauge {
    /// A bar gauge, 12 columns by 8 lines, horizontal gradient bars of the last values.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> BarGauge {
        BarGauge {
            common: PanelCommon::new(title.into(), 12, 8, Place::caller()),
            calc: Calc::Last,
            style: BarStyle::Gradient,
            orientation: Orientation::Horizontal,
        }
    }

    pub fn calc(mut self, calc: Calc) -> BarGauge {
        self.calc = calc;
        self
    }

    pub fn style(mut self, style: BarStyle) -> BarGauge {
        self.style = style;
        self
    }

    pub fn orientation(mut self, orientation: Orientation) -> BarGauge {
        self.orientation = orientation;
        self
    }

    pub(crate) fn options(&self) -> Value {
        let style = match self.style {
            BarStyle::Basic => "basic",
            BarStyle::Gradient => "gradient",
            BarStyle::Lcd => "lcd",
        };
        let orientation = match self.orientation {
            Orientation::Horizontal => "horizontal",
            Orientation::Vertical => "vertical",
        };
        json!({
            "displayMode": style,
            "legend": {"calcs": [], "displayMode": "list", "placement": "bottom", "showLegend": false},
            "maxVizHeight": 300,
            "minVizHeight": 16,
            "minVizWidth": 8,
            "namePlacement": "auto",
            "orientation": orientation,
            "reduceOptions": {"calcs": [self.calc.as_str()], "fields": "", "values": false},
            "showUnfilled": true,
            "sizing": "auto",
            "valueMode": "color",
        })
    }
}

panel_common!(BarGauge);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;

    #[test]
    fn options_match_grafana_schema() {
        for panel in [
            BarGauge::new("plain"),
            BarGauge::new("all")
                .calc(Calc::Sum)
                .style(BarStyle::Lcd)
                .orientation(Orientation::Vertical),
        ] {
            assert_eq!(
                official_errors("bargauge", "Options", &panel.options()),
                Vec::<String>::new()
            );
        }
    }
}
