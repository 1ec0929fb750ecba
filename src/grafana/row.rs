//! The row (`row`): a full-width title that groups the panels after it, up to the next row.
//!
//! A collapsed row holds its panels inside it (Grafana's model) and shows them when opened; an
//! open row is followed by its panels. Either way the panels are laid out as if the row were open.

use crate::diagnostics::Place;

#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    pub(crate) title: String,
    pub(crate) collapsed: bool,
    /// The grid line it stands on, when placed by hand.
    pub(crate) line: Option<u32>,
    pub(crate) origin: Place,
}

impl Row {
    #[track_caller]
    pub fn new(title: impl Into<String>) -> Row {
        Row {
            title: title.into(),
            collapsed: false,
            line: None,
            origin: Place::caller(),
        }
    }

    /// Starts closed: its panels load only when it is opened.
    pub fn collapsed(mut self) -> Row {
        self.collapsed = true;
        self
    }

    /// Places the row by hand on grid line `y` (it takes the full width, as every row).
    pub fn at(mut self, y: u32) -> Row {
        self.line = Some(y);
        self
    }
}

impl From<Row> for crate::grafana::Panel {
    fn from(row: Row) -> crate::grafana::Panel {
        crate::grafana::Panel::Row(row)
    }
}
