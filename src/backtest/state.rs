//! The alerting state machine of Prometheus's rule manager (`rules/alerting.go`,
//! `AlertingRule.Eval`), as a pure function over one label set's evaluations.
//!
//! At each evaluation `t` of the group, a label set the expression returned is *present*:
//!
//! - inactive and present: pending, active since `t`; it fires in the same evaluation when
//!   `t - active_at >= for` (so at once when `for` is zero);
//! - pending and present: fires when `t - active_at >= for`;
//! - pending and absent: inactive again (the `for` clock is lost; no grace for a pending alert);
//! - firing and present: firing (the `keep_firing_for` clock, if any, is reset);
//! - firing and absent: with `keep_firing_for` > 0 the clock starts at the first absent
//!   evaluation (`keep_since = t`, not the last present one) and the alert keeps firing while
//!   `t - keep_since < keep_firing_for`; otherwise, or once that has run out, it is resolved at
//!   `t`. A later present evaluation starts a new pending alert.
//!
//! A firing interval is `[fired_at, resolved_at)`, both evaluation times: Prometheus reports the
//! alert firing at `fired_at` and resolved at `resolved_at`.

/// Evaluation times: `start`, `start + step`, ..., `count` of them, in milliseconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Grid {
    pub start: i64,
    pub step: i64,
    pub count: usize,
}

impl Grid {
    /// The evaluation times from `start` to `end` inclusive, every `step` (all in ms, `step` >
    /// 0): `start` is the first multiple of `step` at or after `start`, as Prometheus's
    /// evaluation times of a group whose offset is zero.
    pub fn aligned(start: i64, end: i64, step: i64) -> Grid {
        assert!(step > 0, "an evaluation interval is positive");
        let first =
            start.div_euclid(step) * step + if start.rem_euclid(step) == 0 { 0 } else { step };
        let last = end.div_euclid(step) * step;
        let count = if last < first {
            0
        } else {
            ((last - first) / step + 1) as usize
        };
        Grid {
            start: first,
            step,
            count,
        }
    }

    /// The `k`-th evaluation time.
    pub fn at(&self, k: usize) -> i64 {
        self.start + self.step * k as i64
    }

    /// The last evaluation time (`start - step` when there is none).
    pub fn last(&self) -> i64 {
        self.start + self.step * (self.count as i64 - 1)
    }
}

/// One period an alert fired for one label set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Firing {
    /// The evaluation at which it fired (ms).
    pub start: i64,
    /// The evaluation at which it was resolved (ms); `None`: still firing at the last one.
    pub end: Option<i64>,
}

#[derive(Clone, Copy)]
enum State {
    Inactive,
    Pending {
        active_at: i64,
    },
    Firing {
        fired_at: i64,
        keep_since: Option<i64>,
    },
}

/// The firing intervals of one label set whose expression returned a sample at the evaluation
/// times `present` (sorted, any time off the grid ignored), over the evaluations of `grid`, for
/// an alert with `for_` and `keep_firing_for` (ms). The alert starts inactive at the first
/// evaluation, as after a restart without restored state.
pub fn firings(grid: Grid, present: &[i64], for_: i64, keep_firing_for: i64) -> Vec<Firing> {
    let mut out = Vec::new();
    let mut state = State::Inactive;
    let mut next = 0;
    for k in 0..grid.count {
        let t = grid.at(k);
        while next < present.len() && present[next] < t {
            next += 1;
        }
        let here = next < present.len() && present[next] == t;
        state = match (state, here) {
            (State::Inactive, false) => State::Inactive,
            (State::Inactive, true) | (State::Pending { .. }, true) => {
                let active_at = match state {
                    State::Pending { active_at } => active_at,
                    _ => t,
                };
                if t - active_at >= for_ {
                    State::Firing {
                        fired_at: t,
                        keep_since: None,
                    }
                } else {
                    State::Pending { active_at }
                }
            }
            (State::Pending { .. }, false) => State::Inactive,
            (State::Firing { fired_at, .. }, true) => State::Firing {
                fired_at,
                keep_since: None,
            },
            (
                State::Firing {
                    fired_at,
                    keep_since,
                },
                false,
            ) => {
                let since = keep_since.unwrap_or(t);
                if keep_firing_for > 0 && t - since < keep_firing_for {
                    State::Firing {
                        fired_at,
                        keep_since: Some(since),
                    }
                } else {
                    out.push(Firing {
                        start: fired_at,
                        end: Some(t),
                    });
                    State::Inactive
                }
            }
        };
    }
    if let State::Firing { fired_at, .. } = state {
        out.push(Firing {
            start: fired_at,
            end: None,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Evaluations every 1 (ms, for short numbers) from 0 to 19; `pattern` marks the present
    /// ones with `#`; returns the intervals as `(start, end)` with `-1` for "still firing".
    #[track_caller]
    fn check(pattern: &str, for_: i64, keep: i64, expect: &[(i64, i64)]) {
        let grid = Grid {
            start: 0,
            step: 1,
            count: pattern.len(),
        };
        let present: Vec<i64> = pattern
            .bytes()
            .enumerate()
            .filter(|(_, b)| *b == b'#')
            .map(|(i, _)| i as i64)
            .collect();
        let got: Vec<(i64, i64)> = firings(grid, &present, for_, keep)
            .iter()
            .map(|f| (f.start, f.end.unwrap_or(-1)))
            .collect();
        assert_eq!(
            got, expect,
            "pattern {pattern}, for {for_}, keep_firing_for {keep}"
        );
    }

    #[test]
    fn without_for_an_alert_fires_at_its_first_evaluation_and_resolves_at_the_first_absence() {
        check("..###...#..", 0, 0, &[(2, 5), (8, 9)]);
        check("###", 0, 0, &[(0, -1)]);
        check("....", 0, 0, &[]);
    }

    #[test]
    fn for_counts_from_the_first_present_evaluation_and_a_gap_resets_it() {
        // for 2: present at 1, 2, 3 fires at 3 (3 - 1 >= 2).
        check(".####..", 2, 0, &[(3, 5)]);
        // Two present evaluations are not enough; the gap at 3 loses the clock.
        check(".##.###.", 2, 0, &[(6, 7)]);
        // for longer than any run: never fires.
        check("###.###.###", 3, 0, &[]);
        // for equal to a whole number of steps fires exactly then.
        check("#####", 4, 0, &[(4, -1)]);
    }

    #[test]
    fn keep_firing_for_counts_from_the_first_absent_evaluation() {
        // Absent from 3: keep_since = 3; still firing at 3 and 4 (t - 3 < 2), resolved at 5.
        check("###.......", 0, 2, &[(0, 5)]);
        // A return within the grace continues the same firing and resets the clock.
        check("###.##.#.....", 0, 2, &[(0, 10)]);
        // keep_firing_for protects a firing alert only: a pending one is lost at the gap.
        check("##.##......", 1, 5, &[(1, 10)]);
        check("#.#.#.", 1, 5, &[]);
        // Still within the grace at the last evaluation: still firing.
        check("..##.", 0, 5, &[(2, -1)]);
    }

    #[test]
    fn after_resolution_a_return_is_a_new_pending_alert() {
        check("##..##", 1, 1, &[(1, 3), (5, -1)]);
    }

    #[test]
    fn grids_are_aligned_to_the_step() {
        assert_eq!(
            Grid::aligned(61_000, 300_000, 60_000),
            Grid {
                start: 120_000,
                step: 60_000,
                count: 4
            }
        );
        assert_eq!(Grid::aligned(120_000, 120_000, 60_000).count, 1);
        assert_eq!(Grid::aligned(121_000, 150_000, 60_000).count, 0);
        let grid = Grid::aligned(0, 600_000, 60_000);
        assert_eq!((grid.at(0), grid.last(), grid.count), (0, 600_000, 11));
    }
}
