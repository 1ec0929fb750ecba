//! The stat panel (`stat`): one big number, reduced from a series, coloured by thresholds.
//!
//! For the few values a reader must see at a glance: the current error ratio, the budget left.

use serde_json::{json, Value};

use crate::diagnostics::Place;
use crate::grafana::{panel_common, Calc, PanelCommon};

/// What is drawn behind the number.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GraphMode {
    None,
    Area,
}

/// What the thresholds colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorMode {
    Value,
    Background,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Stat {
    pub(crate) common: PanelCommon,
    pub(crate) calc: Calc,
    pub(crate) graph: GraphMode,
    pub(crate) color: ColorMode,
}

impl Stat {
    /// A stat panel, 6 columns by 4 lines, showing the last value with a sparkline.
    #[track_caller]
    pub fn new(title: impl Into<String>) -> Stat {
        Stat {
            common: PanelCommon::new(title.into(), 6, 4, Place::caller()),
            calc: Calc::Last,
            graph: GraphMode::Area,
            color: ColorMode::Value,
        }
    }

    /// How the series is reduced to one value [default: the last].
    pub fn calc(mut self, calc: Calc) -> Stat {
        self.calc = calc;
        self
    }

    pub fn graph(mut self, graph: GraphMode) -> Stat {
        self.graph = graph;
        self
    }

    pub fn color_mode(mut self, color: ColorMode) -> Stat {
        self.color = color;
        self
    }

    pub(crate) fn options(&self) -> Value {
        let graph = match self.graph {
            GraphMode::None => "none",
            GraphMode::Area => "area",
        };
        let color = match self.color {
            ColorMode::Value => "value",
            ColorMode::Background => "background",
        };
        json!({
            "colorMode": color,
            "graphMode": graph,
            "justifyMode": "auto",
            "orientation": "auto",
            "percentChangeColorMode": "standard",
            "reduceOptions": {"calcs": [self.calc.as_str()], "fields": "", "values": false},
            "showPercentChange": false,
            "textMode": "auto",
            "wideLayout": true,
        })
    }
}

panel_common!(Stat);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana::test_support::official_errors;

    #[test]
    fn options_match_grafana_schema() {
        for panel in [
            Stat::new("plain"),
            Stat::new("all")
                .calc(Calc::Mean)
                .graph(GraphMode::None)
                .color_mode(ColorMode::Background),
        ] {
            assert_eq!(
                official_errors("stat", "Options", &panel.options()),
                Vec::<String>::new()
            );
        }
    }
}
