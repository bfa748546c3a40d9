//! gonogo-promql: what the embedded metrics engine needs without a network: the Prometheus text
//! format 0.0.4 and OpenMetrics 1.0 exposition parser ([`exposition`]), a bounded in-memory series
//! store ([`store`]), and an evaluator for a subset of PromQL with Prometheus 2.42 semantics
//! ([`eval`]); anything outside the subset is refused with a pointer to `--prometheus`.

pub mod eval;
pub mod exposition;
pub mod store;
