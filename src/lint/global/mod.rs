//! Lints on rules that are right on one Prometheus and wrong on a ruler of a distributed engine
//! (Thanos Ruler, the Mimir ruler), which sees many Prometheus servers' series at once, told
//! apart by their external labels, deduplicated across HA replicas, and downsampled with age.
//! They look at the groups a ruler of [`crate::lint::LintConfig::rulers`] evaluates.

pub mod absent_per_cluster;
pub mod aggregation_drops_label;
pub mod downsampled_range;

use crate::ir::Ir;
use crate::lint::{Context, RulerView, Target};
use crate::rules::ir::Rule;

/// Every rule a ruler evaluates, with its target and the ruler, and whether on a global view.
pub(crate) fn evaluated<'a>(
    cx: &'a Context,
    ir: &'a Ir,
) -> impl Iterator<Item = (Target, &'a Rule, &'a RulerView, bool)> + 'a {
    cx.config.rulers.iter().flat_map(move |ruler| {
        ir.groups.iter().enumerate().flat_map(move |(g, group)| {
            let global = ruler.evaluates(&group.name);
            group.rules.iter().enumerate().filter_map(move |(r, rule)| {
                global.map(|global| (Target::Rule(g, r), rule, ruler, global))
            })
        })
    })
}
