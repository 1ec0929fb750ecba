//! Automatic layout on Grafana's 24-column grid (see the module docs of [`crate::grafana`]).

use crate::grafana::Placement;

/// Grafana's grid width in columns.
pub const COLUMNS: u32 = 24;

/// A panel's place and size on the grid.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GridPos {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl GridPos {
    pub fn overlaps(&self, other: &GridPos) -> bool {
        self.x < other.x + other.w
            && other.x < self.x + self.w
            && self.y < other.y + other.h
            && other.y < self.y + self.h
    }
}

/// What layout needs of a panel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Item {
    pub placement: Placement,
    pub w: u32,
    pub h: u32,
    /// A row: full width, one line high, always on a line of its own.
    pub row: bool,
}

/// Places `items` in order: automatic ones left to right, wrapping to a new line below the
/// tallest panel of the current one; rows on a line of their own; hand-placed ones where they
/// say, without moving the cursor. Widths over 24 are clamped (lowering reports them).
pub fn place(items: &[Item]) -> Vec<GridPos> {
    let (mut x, mut y, mut bottom) = (0, 0, 0);
    items
        .iter()
        .map(|item| {
            if item.row {
                let pos = match item.placement {
                    Placement::At { x, y } => GridPos {
                        x,
                        y,
                        w: COLUMNS,
                        h: 1,
                    },
                    Placement::Auto => {
                        let pos = GridPos {
                            x: 0,
                            y: bottom.max(y),
                            w: COLUMNS,
                            h: 1,
                        };
                        y = pos.y + 1;
                        bottom = y;
                        x = 0;
                        pos
                    }
                };
                return pos;
            }
            let w = item.w.clamp(1, COLUMNS);
            let h = item.h.max(1);
            match item.placement {
                Placement::At { x, y } => GridPos { x, y, w, h },
                Placement::Auto => {
                    if x + w > COLUMNS {
                        x = 0;
                        y = bottom;
                    }
                    let pos = GridPos { x, y, w, h };
                    x += w;
                    bottom = bottom.max(y + h);
                    pos
                }
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auto(w: u32, h: u32) -> Item {
        Item {
            placement: Placement::Auto,
            w,
            h,
            row: false,
        }
    }

    fn row() -> Item {
        Item {
            placement: Placement::Auto,
            w: 24,
            h: 1,
            row: true,
        }
    }

    #[track_caller]
    fn check(items: &[Item], expect: &str) {
        let got: Vec<String> = place(items)
            .iter()
            .map(|p| format!("{},{} {}x{}", p.x, p.y, p.w, p.h))
            .collect();
        assert_eq!(got.join(" | "), expect);
    }

    #[test]
    fn panels_flow_and_wrap_below_the_tallest() {
        check(
            &[auto(12, 8), auto(6, 4), auto(6, 4), auto(12, 8)],
            "0,0 12x8 | 12,0 6x4 | 18,0 6x4 | 0,8 12x8",
        );
        check(
            &[auto(6, 4), auto(6, 9), auto(24, 3)],
            "0,0 6x4 | 6,0 6x9 | 0,9 24x3",
        );
    }

    #[test]
    fn rows_take_a_line_of_their_own() {
        check(
            &[row(), auto(12, 8), row(), auto(6, 4)],
            "0,0 24x1 | 0,1 12x8 | 0,9 24x1 | 0,10 6x4",
        );
    }

    #[test]
    fn hand_placed_panels_keep_their_place_and_the_cursor() {
        let manual = Item {
            placement: Placement::At { x: 18, y: 20 },
            w: 6,
            h: 2,
            row: false,
        };
        check(
            &[auto(12, 8), manual, auto(12, 8)],
            "0,0 12x8 | 18,20 6x2 | 12,0 12x8",
        );
    }

    #[test]
    fn overlap_is_strict() {
        let a = GridPos {
            x: 0,
            y: 0,
            w: 12,
            h: 8,
        };
        assert!(!a.overlaps(&GridPos {
            x: 12,
            y: 0,
            w: 12,
            h: 8
        }));
        assert!(!a.overlaps(&GridPos {
            x: 0,
            y: 8,
            w: 12,
            h: 8
        }));
        assert!(a.overlaps(&GridPos {
            x: 11,
            y: 7,
            w: 2,
            h: 2
        }));
    }
}
