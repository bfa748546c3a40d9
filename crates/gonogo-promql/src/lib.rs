//! gonogo-promql: what the embedded metrics engine needs without a network. Now: the
//! Prometheus text format 0.0.4 and OpenMetrics 1.0 exposition parser.

pub mod exposition;
