//! The in-memory series store: samples per series, bounded by a retention window and a series limit,
//! selected by Prometheus label matchers.

use std::collections::HashMap;

use regex::Regex;

/// A series' identity: label pairs sorted by name, `__name__` included.
pub type Labels = Vec<(String, String)>;

/// Prometheus' staleness marker: a NaN with this exact bit pattern (not any NaN).
pub const STALE_NAN_BITS: u64 = 0x7ff0000000000002;

/// The staleness marker as a value.
pub fn stale_nan() -> f64 {
    f64::from_bits(STALE_NAN_BITS)
}

/// Whether `v` is the staleness marker; decided by bit pattern because an ordinary NaN is a value.
pub fn is_stale(v: f64) -> bool {
    v.to_bits() == STALE_NAN_BITS
}

#[derive(Debug, thiserror::Error, Clone, PartialEq)]
pub enum StoreError {
    /// Appending would create a series beyond the configured limit.
    #[error("series limit of {limit} reached: refusing a new series (raise the limit or select fewer series)")]
    SeriesLimit { limit: usize },
    /// A label matcher's regular expression does not compile.
    #[error("invalid regular expression {re:?} in a label matcher: {message}")]
    BadRegex { re: String, message: String },
    /// An exposition could not be loaded; `line` is 1-based (0 when unknown).
    #[error("line {line}: {message}")]
    Load { line: usize, message: String },
}

/// How a matcher compares a label's value (a missing label has the value "").
#[derive(Debug, Clone)]
pub enum MatchOp {
    /// `=`
    Equal(String),
    /// `!=`
    NotEqual(String),
    /// `=~`, compiled fully anchored as Prometheus does.
    Regex(Regex),
    /// `!~`, compiled fully anchored.
    NotRegex(Regex),
}

/// One label matcher of a selector.
#[derive(Debug, Clone)]
pub struct Matcher {
    pub name: String,
    pub op: MatchOp,
}

impl Matcher {
    pub fn equal(name: &str, value: &str) -> Matcher {
        Matcher { name: name.to_string(), op: MatchOp::Equal(value.to_string()) }
    }

    pub fn not_equal(name: &str, value: &str) -> Matcher {
        Matcher { name: name.to_string(), op: MatchOp::NotEqual(value.to_string()) }
    }

    /// `=~`: `re` is anchored as `^(?:re)$`, Prometheus' semantics.
    pub fn regex(name: &str, re: &str) -> Result<Matcher, StoreError> {
        Ok(Matcher { name: name.to_string(), op: MatchOp::Regex(anchored(re)?) })
    }

    /// `!~`, anchored like [`Matcher::regex`].
    pub fn not_regex(name: &str, re: &str) -> Result<Matcher, StoreError> {
        Ok(Matcher { name: name.to_string(), op: MatchOp::NotRegex(anchored(re)?) })
    }

    pub fn matches(&self, value: &str) -> bool {
        match &self.op {
            MatchOp::Equal(v) => v == value,
            MatchOp::NotEqual(v) => v != value,
            MatchOp::Regex(r) => r.is_match(value),
            MatchOp::NotRegex(r) => !r.is_match(value),
        }
    }

    fn matches_labels(&self, labels: &[(String, String)]) -> bool {
        self.matches(label_value(labels, &self.name).unwrap_or(""))
    }
}

fn anchored(re: &str) -> Result<Regex, StoreError> {
    Regex::new(&format!("^(?:{re})$")).map_err(|e| StoreError::BadRegex { re: re.to_string(), message: e.to_string() })
}

/// The value of label `name` in sorted `labels`.
pub fn label_value<'a>(labels: &'a [(String, String)], name: &str) -> Option<&'a str> {
    labels.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}

#[derive(Debug)]
struct Series {
    labels: Labels,
    /// Sorted by time, no two with the same time.
    samples: Vec<(i64, f64)>,
}

/// Series and their samples, in memory, with bounded size.
#[derive(Debug)]
pub struct Store {
    retention_ms: i64,
    max_series: usize,
    series: Vec<Series>,
    by_labels: HashMap<Labels, usize>,
    /// Metric name → series ids, so a selector with a name looks at only its series.
    by_name: HashMap<String, Vec<usize>>,
    newest_t: Option<i64>,
    /// Bumped whenever series ids change (a trim dropped a series): ids kept from before are stale.
    generation: u64,
}

/// A selected series: its labels and the samples in the requested window.
#[derive(Debug, Clone, Copy)]
pub struct Selected<'a> {
    pub labels: &'a Labels,
    pub samples: &'a [(i64, f64)],
}

impl Store {
    pub fn new(retention_ms: i64, max_series: usize) -> Store {
        Store {
            retention_ms,
            max_series,
            series: Vec::new(),
            by_labels: HashMap::new(),
            by_name: HashMap::new(),
            newest_t: None,
            generation: 0,
        }
    }

    /// Whether the store holds this series (labels as `append` takes them).
    pub fn contains(&self, labels: &[(String, String)]) -> bool {
        let mut key: Labels = labels.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
        key.sort();
        key.dedup_by(|a, b| a.0 == b.0);
        self.by_labels.contains_key(&key)
    }

    /// The most series the store takes.
    pub fn max_series(&self) -> usize {
        self.max_series
    }

    /// Appends one sample. Samples not newer than the series' last are dropped (`Ok(false)`), as
    /// Prometheus refuses out-of-order samples; a new series beyond `max_series` is an error.
    pub fn append(&mut self, labels: &[(String, String)], t_ms: i64, v: f64) -> Result<bool, StoreError> {
        let id = self.series_id(labels)?;
        Ok(self.append_to(id, t_ms, v))
    }

    /// What [`Store::series_id`] gave stays valid while this is unchanged.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The id of the series with these labels (as `append` takes them), created if new; a new
    /// series beyond `max_series` is an error. Valid until [`Store::generation`] changes.
    pub fn series_id(&mut self, labels: &[(String, String)]) -> Result<usize, StoreError> {
        let mut key: Labels = labels.iter().filter(|(_, v)| !v.is_empty()).cloned().collect();
        key.sort();
        key.dedup_by(|a, b| a.0 == b.0);
        Ok(match self.by_labels.get(&key) {
            Some(&id) => id,
            None => {
                if self.series.len() >= self.max_series {
                    return Err(StoreError::SeriesLimit { limit: self.max_series });
                }
                let id = self.series.len();
                let name = label_value(&key, "__name__").unwrap_or("").to_string();
                self.by_name.entry(name).or_default().push(id);
                self.by_labels.insert(key.clone(), id);
                self.series.push(Series { labels: key, samples: Vec::new() });
                id
            }
        })
    }

    /// Appends one sample to a series by id; `false` when it is not newer than the series' last
    /// (or the id is unknown).
    pub fn append_to(&mut self, id: usize, t_ms: i64, v: f64) -> bool {
        let Some(series) = self.series.get_mut(id) else { return false };
        let samples = &mut series.samples;
        if let Some(&(last, _)) = samples.last()
            && t_ms <= last
        {
            return false;
        }
        samples.push((t_ms, v));
        self.newest_t = Some(self.newest_t.map_or(t_ms, |n| n.max(t_ms)));
        true
    }

    /// Drops samples older than `max(now_ms, newest sample) - retention_ms`, and series left empty.
    pub fn trim(&mut self, now_ms: i64) {
        let newest = self.newest_t.map_or(now_ms, |n| n.max(now_ms));
        let cutoff = newest.saturating_sub(self.retention_ms);
        for s in &mut self.series {
            let keep_from = s.samples.partition_point(|&(t, _)| t < cutoff);
            s.samples.drain(..keep_from);
        }
        if self.series.iter().any(|s| s.samples.is_empty()) {
            self.series.retain(|s| !s.samples.is_empty());
            self.reindex();
            self.generation += 1;
        }
    }

    fn reindex(&mut self) {
        self.by_labels.clear();
        self.by_name.clear();
        for (id, s) in self.series.iter().enumerate() {
            self.by_labels.insert(s.labels.clone(), id);
            let name = label_value(&s.labels, "__name__").unwrap_or("").to_string();
            self.by_name.entry(name).or_default().push(id);
        }
    }

    pub fn series_count(&self) -> usize {
        self.series.len()
    }

    pub fn sample_count(&self) -> usize {
        self.series.iter().map(|s| s.samples.len()).sum()
    }

    /// Removes every series.
    pub fn clear(&mut self) {
        self.series.clear();
        self.by_labels.clear();
        self.by_name.clear();
        self.newest_t = None;
        self.generation += 1;
    }

    /// The ids of the series matching all `matchers`, sorted by labels: what a query selects
    /// once and then reads at every step through [`Store::samples`].
    pub fn select_ids(&self, matchers: &[Matcher]) -> Vec<usize> {
        let name_eq = matchers.iter().find_map(|m| match &m.op {
            MatchOp::Equal(v) if m.name == "__name__" => Some(v.as_str()),
            _ => None,
        });
        let mut ids: Vec<usize> = match name_eq {
            Some(name) => self.by_name.get(name).cloned().unwrap_or_default(),
            None => (0..self.series.len()).collect(),
        };
        ids.retain(|&id| self.series.get(id).is_some_and(|s| matchers.iter().all(|m| m.matches_labels(&s.labels))));
        ids.sort_by(|&a, &b| self.series[a].labels.cmp(&self.series[b].labels));
        ids
    }

    /// The labels of a series from [`Store::select_ids`].
    pub fn labels_of(&self, id: usize) -> &Labels {
        static EMPTY: Labels = Vec::new();
        self.series.get(id).map_or(&EMPTY, |s| &s.labels)
    }

    /// All of a series' samples, in time order.
    pub fn samples(&self, id: usize) -> &[(i64, f64)] {
        self.series.get(id).map_or(&[], |s| &s.samples)
    }

    /// Series matching all `matchers` that have samples in `[mint, maxt]`, with those samples, sorted
    /// by labels.
    pub fn select(&self, matchers: &[Matcher], mint: i64, maxt: i64) -> Vec<Selected<'_>> {
        self.select_ids(matchers)
            .into_iter()
            .filter_map(|id| {
                let s = &self.series[id];
                let lo = s.samples.partition_point(|&(t, _)| t < mint);
                let hi = s.samples.partition_point(|&(t, _)| t <= maxt);
                (lo < hi).then(|| Selected { labels: &s.labels, samples: &s.samples[lo..hi] })
            })
            .collect()
    }
}

/// Loads an OpenMetrics exposition with timestamps (seconds, as `promtool tsdb
/// create-blocks-from openmetrics` reads them) into `store`, as milliseconds. Samples without a
/// timestamp are refused, since a backfill has no "now" to give them.
pub fn load_openmetrics(text: &str, store: &mut Store) -> Result<(), StoreError> {
    let families = crate::exposition::parse_openmetrics(text)
        .map_err(|e| StoreError::Load { line: e.line, message: e.message })?;
    for fam in &families {
        for s in &fam.samples {
            // Found only for an error: a scan of the text per sample would make loading quadratic.
            let line = || sample_line(text, s);
            let Some(ts) = s.timestamp else {
                return Err(StoreError::Load {
                    line: line(),
                    message: format!("sample of {} has no timestamp, which a backfill needs", s.name),
                });
            };
            let t_ms = (ts * 1000.0).round();
            if !t_ms.is_finite() || t_ms.abs() > 9.0e15 {
                return Err(StoreError::Load { line: line(), message: format!("timestamp {ts} is out of range") });
            }
            let mut labels: Labels = s.labels.clone();
            labels.push(("__name__".to_string(), s.name.clone()));
            store.append(&labels, t_ms as i64, s.value).map_err(|e| match e {
                StoreError::SeriesLimit { .. } => StoreError::Load { line: line(), message: e.to_string() },
                other => other,
            })?;
        }
    }
    Ok(())
}

/// The 1-based line of the first line starting with the sample's name (0 if not found): the parser's
/// samples carry no line, and an error message should still point somewhere useful.
fn sample_line(text: &str, s: &crate::exposition::Sample) -> usize {
    text.lines()
        .position(|l| {
            l.strip_prefix(s.name.as_str()).is_some_and(|rest| rest.starts_with([' ', '{']))
                && s.labels.iter().all(|(_, v)| l.contains(v.as_str()))
        })
        .map_or(0, |i| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Labels {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn append_select_trim_limit() {
        let mut st = Store::new(10_000, 2);
        let a = l(&[("__name__", "up"), ("job", "a")]);
        let b = l(&[("job", "b"), ("__name__", "up")]);
        assert!(st.append(&a, 1000, 1.0).unwrap());
        assert!(!st.append(&a, 1000, 2.0).unwrap());
        assert!(st.append(&b, 2000, 1.0).unwrap());
        let e = st.append(&l(&[("__name__", "x")]), 0, 1.0).unwrap_err();
        assert_eq!(e, StoreError::SeriesLimit { limit: 2 });
        assert!(e.to_string().contains("series limit of 2"));
        let sel = st.select(&[Matcher::equal("__name__", "up"), Matcher::regex("job", "a|b").unwrap()], 0, 5000);
        assert_eq!(sel.len(), 2);
        assert_eq!(st.select(&[Matcher::regex("job", "b.").unwrap()], 0, 5000).len(), 0);
        assert_eq!(st.select(&[Matcher::not_regex("job", "a").unwrap()], 0, 5000).len(), 1);
        assert_eq!(st.select(&[Matcher::equal("nope", "")], 0, 5000).len(), 2);
        st.append(&a, 12_001, 3.0).unwrap();
        st.trim(12_001);
        assert_eq!((st.series_count(), st.sample_count()), (1, 1));
        assert!(is_stale(stale_nan()) && !is_stale(f64::NAN));
    }

    #[test]
    fn openmetrics_backfill() {
        let mut st = Store::new(i64::MAX, 10);
        load_openmetrics("# TYPE a counter\na_total{x=\"1\"} 1 10.5\na_total{x=\"1\"} 2 11\n# EOF\n", &mut st).unwrap();
        assert_eq!(st.sample_count(), 2);
        let sel = st.select(&[Matcher::equal("__name__", "a_total")], 0, i64::MAX);
        assert_eq!(sel[0].samples, &[(10_500, 1.0), (11_000, 2.0)]);
        let e = load_openmetrics("a 1\nb 2\n# EOF\n", &mut st).unwrap_err();
        assert!(e.to_string().starts_with("line 1:"), "{e}");
    }
}
