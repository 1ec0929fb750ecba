//! The time series panel (`timeseries`): values over time, as lines or bars.
//!
//! The workhorse of every dashboard: one metric per panel, by a few labels at most, with its unit
//! and, when the value has a limit, thresholds drawn as lines or areas.

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, Legend, PanelCommon};

/// How series are drawn.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DrawStyle {
    Line,
    Bars,
}

/// How thresholds show on the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdsStyle {
    Off,
    Line,
    Dashed,
    Area,
}

/// What the tooltip shows when hovering the graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TooltipMode {
    /// The hovered series only.
    Single,
    /// Every series at that time, highest first.
    Multi,
    Hidden,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TimeSeries {
    pub(crate) common: PanelCommon,
    pub(crate) legend: Legend,
    pub(crate) draw: DrawStyle,
    pub(crate) fill_opacity: u32,
    pub(crate) stacked: bool,
    pub(crate) thresholds_style: ThresholdsStyle,
    pub(crate) tooltip: TooltipMode,
}

impl TimeSeries {
    /// A time series panel, 12 columns by 8 lines.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> TimeSeries {
        TimeSeries {
            common: PanelCommon::new(title.into(), 12, 8, Place::caller()),
            legend: Legend::default(),
            draw: DrawStyle::Line,
            fill_opacity: 10,
            stacked: false,
            thresholds_style: ThresholdsStyle::Off,
            tooltip: TooltipMode::Multi,
        }
    }

    pub fn legend(mut self, legend: Legend) -> TimeSeries {
        self.legend = legend;
        self
    }

    pub fn bars(mut self) -> TimeSeries {
        self.draw = DrawStyle::Bars;
        self
    }

    /// Stacks the series on each other (shares of a whole).
    pub fn stacked(mut self) -> TimeSeries {
        self.stacked = true;
        self.fill_opacity = 60;
        self
    }

    /// The opacity of the area under the lines, 0 to 100 [default: 10; 60 when stacked]. Set
    /// it after [`TimeSeries::stacked`], which sets its own.
    pub fn fill_opacity(mut self, percent: u32) -> TimeSeries {
        self.fill_opacity = percent.min(100);
        self
    }

    /// How the thresholds show [default: not at all].
    pub fn thresholds_style(mut self, style: ThresholdsStyle) -> TimeSeries {
        self.thresholds_style = style;
        self
    }

    /// What the tooltip shows [default: every series, highest first].
    pub fn tooltip(mut self, mode: TooltipMode) -> TimeSeries {
        self.tooltip = mode;
        self
    }

    pub(crate) fn options(&self) -> Value {
        let mode = match self.tooltip {
            TooltipMode::Single => "single",
            TooltipMode::Multi => "multi",
            TooltipMode::Hidden => "none",
        };
        json!({
            "legend": self.legend.to_json(),
            "tooltip": {"mode": mode, "sort": "desc"},
        })
    }

    pub(crate) fn custom(&self) -> Value {
        let draw = match self.draw {
            DrawStyle::Line => "line",
            DrawStyle::Bars => "bars",
        };
        let thresholds = match self.thresholds_style {
            ThresholdsStyle::Off => "off",
            ThresholdsStyle::Line => "line",
            ThresholdsStyle::Dashed => "dashed",
            ThresholdsStyle::Area => "area",
        };
        let stacking = if self.stacked { "normal" } else { "none" };
        json!({
            "axisPlacement": "auto",
            "drawStyle": draw,
            "fillOpacity": self.fill_opacity,
            "gradientMode": "none",
            "lineInterpolation": "linear",
            "lineWidth": 1,
            "showPoints": "never",
            "spanNulls": false,
            "stacking": {"group": "A", "mode": stacking},
            "thresholdsStyle": {"mode": thresholds},
        })
    }
}

panel_common!(TimeSeries);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;
    use crate::grafana::{Calc, Color, Thresholds};

    #[test]
    fn options_and_field_config_match_grafana_schema() {
        for panel in [
            TimeSeries::new("plain"),
            TimeSeries::new("all")
                .legend(Legend::table([Calc::Mean, Calc::Max]).right())
                .bars()
                .stacked()
                .thresholds(Thresholds::new(Color::Green).step(1.0, Color::Red))
                .thresholds_style(ThresholdsStyle::Area)
                .tooltip(TooltipMode::Single),
        ] {
            assert_eq!(
                official_errors("timeseries", "Options", &panel.options()),
                Vec::<String>::new()
            );
            assert_eq!(
                official_errors("timeseries", "FieldConfig", &panel.custom()),
                Vec::<String>::new()
            );
        }
    }
}
