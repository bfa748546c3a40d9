//! Parsing what a `/metrics` endpoint serves: OpenMetrics 1.0 (strictly, as its conformance
//! suite demands: metadata, grouping, histogram and counter rules, exemplars, `# EOF`) and the
//! Prometheus text format 0.0.4 (leniently, as Prometheus scrapes it).

use std::collections::HashSet;

#[derive(Debug, Clone, PartialEq)]
pub struct Exemplar {
    pub labels: Vec<(String, String)>,
    pub value: f64,
    pub timestamp: Option<f64>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Sample {
    pub name: String,
    pub labels: Vec<(String, String)>,
    pub value: f64,
    /// Seconds since the epoch, when the exposition gives one.
    pub timestamp: Option<f64>,
    pub exemplar: Option<Exemplar>,
}

impl Sample {
    pub fn label(&self, name: &str) -> Option<&str> {
        self.labels.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Family {
    pub name: String,
    pub typ: String,
    pub help: String,
    pub unit: String,
    pub samples: Vec<Sample>,
}

/// Why an exposition was refused, with the 1-based line.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct ParseError {
    pub line: usize,
    pub message: String,
}

fn err<T>(line: usize, message: impl Into<String>) -> Result<T, ParseError> {
    Err(ParseError { line, message: message.into() })
}

const TYPES: &[&str] = &["counter", "gauge", "histogram", "gaugehistogram", "stateset", "info", "summary", "unknown"];

fn suffixes(typ: &str) -> &'static [&'static str] {
    match typ {
        "counter" => &["_total", "_created"],
        "summary" => &["", "_count", "_sum", "_created"],
        "histogram" => &["_count", "_sum", "_bucket", "_created"],
        "gaugehistogram" => &["_gcount", "_gsum", "_bucket"],
        "info" => &["_info"],
        _ => &[""],
    }
}

pub fn valid_metric_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_' || ch == ':')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_' || ch == ':')
}

pub fn valid_label_name(s: &str) -> bool {
    let mut c = s.chars();
    matches!(c.next(), Some(ch) if ch.is_ascii_alphabetic() || ch == '_')
        && c.all(|ch| ch.is_ascii_alphanumeric() || ch == '_')
}

/// A number as OpenMetrics writes values: Go/Python float syntax, no spaces, no `_`.
fn number(s: &str) -> Option<f64> {
    if s.is_empty() || s.trim() != s || s.contains('_') {
        return None;
    }
    let lower = s.to_ascii_lowercase();
    // Rust accepts "infinity" and "nan" like Python; it also accepts "inf", as Python does.
    if lower.starts_with("0x") || lower.starts_with("+0x") || lower.starts_with("-0x") {
        return None;
    }
    s.parse::<f64>().ok()
}

fn timestamp(s: &str) -> Option<f64> {
    let v = number(s)?;
    v.is_finite().then_some(v)
}

/// Parses `{a="1",b="2"}`'s inside; OpenMetrics allows no spaces, escapes `\\ \" \n` only.
fn labels(text: &str, line: usize) -> Result<Vec<(String, String)>, ParseError> {
    let mut out: Vec<(String, String)> = Vec::new();
    if text.is_empty() {
        return Ok(out);
    }
    let b = text.as_bytes();
    let mut i = 0;
    loop {
        let start = i;
        while i < b.len() && b[i] != b'=' {
            i += 1;
        }
        let name = &text[start..i];
        if !valid_label_name(name) {
            return err(line, format!("invalid label name `{name}`"));
        }
        if i + 1 >= b.len() || b[i + 1] != b'"' {
            return err(line, format!("label `{name}` needs a quoted value"));
        }
        i += 2;
        let mut value = String::new();
        loop {
            let Some(&c) = b.get(i) else { return err(line, "unterminated label value") };
            match c {
                b'"' => break,
                b'\\' => {
                    // `\\`, `\"` and `\n` are escapes; any other backslash stands for itself.
                    match b.get(i + 1) {
                        Some(b'\\') => value.push('\\'),
                        Some(b'"') => value.push('"'),
                        Some(b'n') => value.push('\n'),
                        _ => {
                            value.push('\\');
                            i += 1;
                            continue;
                        }
                    }
                    i += 2;
                }
                _ => {
                    let ch = text[i..].chars().next().expect("in bounds");
                    value.push(ch);
                    i += ch.len_utf8();
                }
            }
        }
        i += 1;
        if out.iter().any(|(k, _)| k == name) {
            return err(line, format!("label `{name}` twice"));
        }
        out.push((name.to_string(), value));
        match b.get(i) {
            None => return Ok(out),
            Some(b',') if i + 1 < b.len() => i += 1,
            _ => return err(line, "labels are separated by single commas, with nothing else between"),
        }
    }
}

/// Where the labels' closing brace is, honouring quotes and escapes.
fn closing_brace(text: &str, from: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = from;
    let mut quoted = false;
    while i < b.len() {
        match b[i] {
            b'\\' if quoted => i += 1,
            b'"' => quoted = !quoted,
            b'}' if !quoted => return Some(i),
            _ => {}
        }
        i += 1;
    }
    None
}

/// `name{labels} value [timestamp] [# {labels} value [timestamp]]`.
fn sample(text: &str, line: usize) -> Result<Sample, ParseError> {
    let (name, labels_, rest) = match text.find(['{', ' ']) {
        Some(i) if text.as_bytes()[i] == b'{' => {
            let close = closing_brace(text, i + 1).ok_or(ParseError { line, message: "unclosed `{`".into() })?;
            let l = labels(&text[i + 1..close], line)?;
            let rest = text[close + 1..]
                .strip_prefix(' ')
                .ok_or(ParseError { line, message: "a space must follow the labels".into() })?;
            (&text[..i], l, rest)
        }
        Some(i) => (&text[..i], Vec::new(), &text[i + 1..]),
        None => return err(line, "a sample needs a value"),
    };
    if !valid_metric_name(name) {
        return err(line, format!("invalid metric name `{name}`"));
    }
    let (main, exemplar) = match rest.find(" # ") {
        Some(i) => (&rest[..i], Some(&rest[i + 3..])),
        None => (rest, None),
    };
    let mut parts = main.split(' ');
    let value_text = parts.next().unwrap_or("");
    let value = number(value_text).ok_or(ParseError { line, message: format!("invalid value `{value_text}`") })?;
    let timestamp = match parts.next() {
        None => None,
        Some(t) => Some(timestamp(t).ok_or(ParseError { line, message: format!("invalid timestamp `{t}`") })?),
    };
    if parts.next().is_some() {
        return err(line, "unexpected text after the timestamp");
    }
    let exemplar = match exemplar {
        None => None,
        Some(ex) => Some(parse_exemplar(ex, line)?),
    };
    Ok(Sample { name: name.to_string(), labels: labels_, value, timestamp, exemplar })
}

fn parse_exemplar(text: &str, line: usize) -> Result<Exemplar, ParseError> {
    let inner = text.strip_prefix('{').ok_or(ParseError { line, message: "an exemplar starts with `{`".into() })?;
    let close = closing_brace(inner, 0).ok_or(ParseError { line, message: "unclosed exemplar labels".into() })?;
    let labels_ = labels(&inner[..close], line)?;
    let len: usize = labels_.iter().map(|(k, v)| k.chars().count() + v.chars().count()).sum();
    if len > 128 {
        return err(line, "exemplar labels longer than 128 characters");
    }
    let rest =
        inner[close + 1..].strip_prefix(' ').ok_or(ParseError { line, message: "an exemplar needs a value".into() })?;
    let mut parts = rest.split(' ');
    let v = parts.next().unwrap_or("");
    let value = number(v).ok_or(ParseError { line, message: format!("invalid exemplar value `{v}`") })?;
    let ts = match parts.next() {
        None => None,
        Some(t) => Some(timestamp(t).ok_or(ParseError { line, message: format!("invalid exemplar timestamp `{t}`") })?),
    };
    if parts.next().is_some() {
        return err(line, "unexpected text after the exemplar");
    }
    Ok(Exemplar { labels: labels_, value, timestamp: ts })
}

fn help_text(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            match it.next() {
                Some('\\') => out.push('\\'),
                Some('n') => out.push('\n'),
                Some('"') => out.push('"'),
                Some(other) => {
                    out.push('\\');
                    out.push(other);
                }
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// The group a sample belongs to: its labels without the ones that vary inside a metric
/// point (`quantile`, `le`, the stateset's own label).
fn group_of(s: &Sample, name: &str, typ: &str) -> Vec<(String, String)> {
    let drop = match typ {
        "info" => return Vec::new(),
        "summary" if s.name == name => Some("quantile"),
        "stateset" => Some(name),
        "histogram" | "gaugehistogram" if s.name == format!("{name}_bucket") => Some("le"),
        _ => None,
    };
    let mut l: Vec<(String, String)> = s.labels.iter().filter(|(k, _)| Some(k.as_str()) != drop).cloned().collect();
    l.sort();
    l
}

struct Building {
    name: String,
    typ: Option<String>,
    help: Option<String>,
    unit: Option<String>,
    samples: Vec<Sample>,
    allowed: Vec<String>,
    group: Option<Vec<(String, String)>>,
    group_ts: Option<Option<f64>>,
    seen_groups: HashSet<Vec<(String, String)>>,
}

impl Building {
    fn new(name: &str, typ: Option<&str>) -> Building {
        let allowed = match typ {
            Some(t) => suffixes(t).iter().map(|s| format!("{name}{s}")).collect(),
            None => vec![name.to_string()],
        };
        Building {
            name: name.to_string(),
            typ: typ.map(str::to_string),
            help: None,
            unit: None,
            samples: Vec::new(),
            allowed,
            group: None,
            group_ts: None,
            seen_groups: HashSet::new(),
        }
    }
}

fn is_integer(v: f64) -> bool {
    v.is_finite() && v.fract() == 0.0
}

/// `le` and `quantile` must be written canonically: `+Inf`, not `+INF` or `inf`.
fn uncanonical(s: &str) -> bool {
    match number(s) {
        Some(f) if f.is_infinite() => s != "+Inf" && s != "-Inf",
        Some(f) if f.is_nan() => true,
        Some(_) => false,
        None => true,
    }
}

/// Parses an OpenMetrics 1.0 exposition, enforcing its rules.
pub fn parse_openmetrics(text: &str) -> Result<Vec<Family>, ParseError> {
    let mut families: Vec<Family> = Vec::new();
    let mut seen_names: HashSet<String> = HashSet::new();
    let mut cur: Option<Building> = None;
    let mut eof = false;
    let body = text.strip_suffix('\n').unwrap_or(text);
    let mut last_line = 0;
    for (i, raw) in body.split('\n').enumerate() {
        let line = i + 1;
        last_line = line;
        if eof {
            return err(line, "text after # EOF");
        }
        if raw.is_empty() {
            return err(line, "a blank line");
        }
        if raw == "# EOF" {
            eof = true;
            continue;
        }
        if raw.starts_with('#') {
            let parts: Vec<&str> = raw.splitn(4, ' ').collect();
            if parts.len() < 4 || parts[0] != "#" {
                return err(line, format!("invalid line `{raw}`"));
            }
            let (kind, name, rest) = (parts[1], parts[2], parts[3]);
            if !valid_metric_name(name) {
                return err(line, format!("invalid metric name `{name}`"));
            }
            let same = cur.as_ref().is_some_and(|c| c.name == name);
            if same && cur.as_ref().is_some_and(|c| !c.samples.is_empty()) {
                return err(line, format!("metadata for `{name}` after its samples"));
            }
            if !same {
                if let Some(c) = cur.take() {
                    families.push(finish(c, &mut seen_names, line)?);
                }
                cur = Some(Building::new(name, None));
            }
            let c = cur.as_mut().expect("set above");
            match kind {
                "HELP" => {
                    if c.help.is_some() {
                        return err(line, format!("a second HELP for `{name}`"));
                    }
                    c.help = Some(help_text(rest));
                }
                "TYPE" => {
                    if c.typ.is_some() {
                        return err(line, format!("a second TYPE for `{name}`"));
                    }
                    if !TYPES.contains(&rest) {
                        return err(line, format!("unknown type `{rest}`"));
                    }
                    c.typ = Some(rest.to_string());
                    c.allowed = suffixes(rest).iter().map(|s| format!("{name}{s}")).collect();
                }
                "UNIT" => {
                    if c.unit.is_some() {
                        return err(line, format!("a second UNIT for `{name}`"));
                    }
                    c.unit = Some(rest.to_string());
                }
                _ => return err(line, format!("invalid line `{raw}`")),
            }
            continue;
        }
        let s = sample(raw, line)?;
        if !cur.as_ref().is_some_and(|c| c.allowed.contains(&s.name)) {
            if let Some(c) = cur.take() {
                families.push(finish(c, &mut seen_names, line)?);
            }
            let mut b = Building::new(&s.name, Some("unknown"));
            b.allowed = vec![s.name.clone()];
            cur = Some(b);
        }
        let c = cur.as_mut().expect("set above");
        let (name, typ) = (c.name.clone(), c.typ.clone().unwrap_or_else(|| "unknown".into()));
        let suffix = &s.name[name.len()..];
        if typ == "stateset" && s.label(&name).is_none() {
            return err(line, "a stateset sample needs its label");
        }
        if suffix == "_bucket" && matches!(typ.as_str(), "histogram" | "gaugehistogram") {
            match s.label("le") {
                Some(le) if !uncanonical(le) => {}
                _ => return err(line, "invalid `le` label"),
            }
            if !is_integer(s.value) {
                return err(line, "bucket values are whole numbers");
            }
        }
        if matches!(suffix, "_count" | "_gcount") && !is_integer(s.value) {
            return err(line, "counts are whole numbers");
        }
        if typ == "summary" && suffix.is_empty() {
            let ok = s
                .label("quantile")
                .is_some_and(|q| !uncanonical(q) && number(q).is_some_and(|v| (0.0..=1.0).contains(&v)));
            if !ok {
                return err(line, "invalid `quantile` label");
            }
        }
        let g = group_of(&s, &name, &typ);
        if let Some(prev) = &c.group
            && *prev != g
            && c.seen_groups.contains(&g)
        {
            return err(line, "samples of one metric point must be together");
        }
        if c.group.as_ref() == Some(&g) {
            let gts = c.group_ts.flatten();
            if s.timestamp.is_none() != gts.is_none() {
                return err(line, "some samples of a group have timestamps and some do not");
            }
            if let (Some(a), Some(b)) = (gts, s.timestamp)
                && a > b
                && typ != "info"
            {
                return err(line, "timestamps go backwards within a group");
            }
        }
        c.group = Some(g.clone());
        c.group_ts = Some(s.timestamp);
        c.seen_groups.insert(g);
        if typ == "stateset" && s.value != 0.0 && s.value != 1.0 {
            return err(line, "stateset values are 0 or 1");
        }
        if typ == "info" && s.value != 1.0 {
            return err(line, "info values are 1");
        }
        if typ == "summary" && suffix.is_empty() && s.value < 0.0 {
            return err(line, "quantile values cannot be negative");
        }
        let counter_like = matches!(suffix, "_total" | "_sum" | "_count" | "_bucket" | "_gcount" | "_gsum");
        if counter_like && s.value.is_nan() {
            return err(line, "counter-like samples cannot be NaN");
        }
        if counter_like && s.value < 0.0 && !(suffix == "_gsum" || (suffix == "_sum" && typ == "gaugehistogram")) {
            return err(line, "counter-like samples cannot be negative");
        }
        if s.exemplar.is_some() {
            let ok = (matches!(typ.as_str(), "histogram" | "gaugehistogram") && suffix == "_bucket")
                || (typ == "counter" && suffix == "_total");
            if !ok {
                return err(line, "only histogram buckets and counter totals carry exemplars");
            }
        }
        c.samples.push(s);
    }
    if let Some(c) = cur.take() {
        families.push(finish(c, &mut seen_names, last_line)?);
    }
    if !eof {
        return err(last_line.max(1), "missing `# EOF` at the end");
    }
    Ok(families)
}

fn finish(c: Building, seen: &mut HashSet<String>, line: usize) -> Result<Family, ParseError> {
    let typ = c.typ.unwrap_or_else(|| "unknown".into());
    let mut names: Vec<&str> = suffixes(&typ).to_vec();
    if !names.contains(&"") {
        names.push("");
    }
    for suffix in names {
        let n = format!("{}{suffix}", c.name);
        if !seen.insert(n.clone()) {
            return err(line, format!("the name `{n}` clashes with an earlier metric"));
        }
    }
    let unit = c.unit.unwrap_or_default();
    if !unit.is_empty() && !c.name.ends_with(&format!("_{unit}")) {
        return err(line, format!("`{}` does not end with its unit `{unit}`", c.name));
    }
    if !unit.is_empty() && matches!(typ.as_str(), "info" | "stateset") {
        return err(line, format!("a {typ} has no unit"));
    }
    if matches!(typ.as_str(), "histogram" | "gaugehistogram") {
        check_histogram(&c.samples, &c.name, line)?;
    }
    Ok(Family { name: c.name, typ, help: c.help.unwrap_or_default(), unit, samples: c.samples })
}

fn check_histogram(samples: &[Sample], name: &str, line: usize) -> Result<(), ParseError> {
    struct Point {
        count: Option<f64>,
        bucket: Option<f64>,
        value: f64,
        negative_buckets: bool,
        sum: bool,
        gsum: bool,
        negative_gsum: bool,
    }
    let fresh = || Point {
        count: None,
        bucket: None,
        value: 0.0,
        negative_buckets: false,
        sum: false,
        gsum: false,
        negative_gsum: false,
    };
    let check = |p: &Point| -> Result<(), ParseError> {
        if p.bucket != Some(f64::INFINITY) {
            return err(line, format!("histogram `{name}` has no +Inf bucket"));
        }
        if let Some(c) = p.count
            && c != p.value
        {
            return err(line, format!("histogram `{name}`: the count is not the +Inf bucket"));
        }
        if p.sum && p.count.is_none() {
            return err(line, format!("histogram `{name}`: _sum without _count"));
        }
        if p.gsum && p.count.is_none() {
            return err(line, format!("histogram `{name}`: _gsum without _gcount"));
        }
        if !(p.sum || p.gsum) && p.count.is_some() {
            return err(line, format!("histogram `{name}`: a count without a sum"));
        }
        if p.negative_buckets && p.sum {
            return err(line, format!("histogram `{name}`: _sum with negative buckets"));
        }
        if !p.negative_buckets && p.negative_gsum {
            return err(line, format!("histogram `{name}`: a negative _gsum without negative buckets"));
        }
        Ok(())
    };
    let mut group: Option<Vec<(String, String)>> = None;
    let mut ts: Option<Option<f64>> = None;
    let mut p = fresh();
    for s in samples {
        let suffix = &s.name[name.len()..];
        if suffix.is_empty() {
            continue;
        }
        let g = group_of(s, name, "histogram");
        if group.as_ref() != Some(&g) || ts != Some(s.timestamp) {
            if group.is_some() {
                check(&p)?;
            }
            p = fresh();
        }
        group = Some(g);
        ts = Some(s.timestamp);
        match suffix {
            "_bucket" => {
                let b = s.label("le").and_then(number).unwrap_or(f64::NAN);
                if b < 0.0 {
                    p.negative_buckets = true;
                }
                if p.bucket.is_some_and(|prev| b <= prev) {
                    return err(line, format!("histogram `{name}`: buckets out of order"));
                }
                if s.value < p.value {
                    return err(line, format!("histogram `{name}`: bucket counts go down"));
                }
                p.bucket = Some(b);
                p.value = s.value;
            }
            "_count" | "_gcount" => p.count = Some(s.value),
            "_sum" => p.sum = true,
            "_gsum" => {
                p.gsum = true;
                if s.value < 0.0 {
                    p.negative_gsum = true;
                }
            }
            _ => {}
        }
    }
    if group.is_some() {
        check(&p)?;
    }
    Ok(())
}

/// Parses the Prometheus text format 0.0.4 as Prometheus scrapes it: `#` comments, optional
/// HELP and TYPE, blank lines, optional spaces between tokens, a trailing comma in labels,
/// timestamps in milliseconds.
pub fn parse_text(text: &str) -> Result<Vec<Family>, ParseError> {
    let mut families: Vec<Family> = Vec::new();
    let mut types: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    let mut helps: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let t = raw.trim();
        if t.is_empty() {
            continue;
        }
        if let Some(rest) = t.strip_prefix('#') {
            let mut parts = rest.trim_start().splitn(3, [' ', '\t']);
            match (parts.next(), parts.next(), parts.next()) {
                (Some("TYPE"), Some(name), Some(typ)) => {
                    let typ = typ.trim();
                    let typ = if typ == "untyped" { "unknown" } else { typ };
                    if !valid_metric_name(name) || !TYPES.contains(&typ) {
                        return err(line, format!("invalid TYPE line `{t}`"));
                    }
                    types.insert(name.to_string(), typ.to_string());
                }
                (Some("HELP"), Some(name), help) => {
                    helps.insert(name.to_string(), help_text(help.unwrap_or("")));
                }
                _ => {}
            }
            continue;
        }
        let s = text_sample(t, line)?;
        let family = family_name(&s.name, &types);
        match families.last_mut() {
            Some(f) if f.name == family => f.samples.push(s),
            _ => families.push(Family {
                typ: types.get(&family).cloned().unwrap_or_else(|| "unknown".into()),
                help: helps.get(&family).cloned().unwrap_or_default(),
                unit: String::new(),
                name: family,
                samples: vec![s],
            }),
        }
    }
    Ok(families)
}

/// The family a sample belongs to: `x_bucket` of a histogram `x` belongs to `x`.
fn family_name(sample: &str, types: &std::collections::HashMap<String, String>) -> String {
    for suffix in ["_bucket", "_count", "_sum", "_total", "_created", "_gcount", "_gsum", "_info"] {
        if let Some(base) = sample.strip_suffix(suffix)
            && types.contains_key(base)
        {
            return base.to_string();
        }
    }
    sample.to_string()
}

fn text_sample(t: &str, line: usize) -> Result<Sample, ParseError> {
    let name_end = t.find(|c: char| c == '{' || c.is_whitespace()).unwrap_or(t.len());
    let name = &t[..name_end];
    if !valid_metric_name(name) {
        return err(line, format!("invalid metric name `{name}`"));
    }
    let mut rest = t[name_end..].trim_start();
    let mut labels_ = Vec::new();
    if let Some(after) = rest.strip_prefix('{') {
        let close = closing_brace(after, 0).ok_or(ParseError { line, message: "unclosed `{`".into() })?;
        labels_ = text_labels(&after[..close], line)?;
        rest = after[close + 1..].trim_start();
    }
    let mut parts = rest.split_whitespace();
    let v = parts.next().ok_or(ParseError { line, message: "a sample needs a value".into() })?;
    let value = go_float(v).ok_or(ParseError { line, message: format!("invalid value `{v}`") })?;
    let timestamp = match parts.next() {
        None => None,
        Some(ts) => Some(
            ts.parse::<i64>()
                .map_err(|_| ParseError { line, message: format!("invalid timestamp `{ts}` (milliseconds)") })?
                as f64
                / 1000.0,
        ),
    };
    if parts.next().is_some() {
        return err(line, "unexpected text after the timestamp");
    }
    Ok(Sample { name: name.to_string(), labels: labels_, value, timestamp, exemplar: None })
}

/// Go's `strconv.ParseFloat` spellings that Prometheus accepts: `NaN`, `+Inf`, `-Inf`, `Inf`.
fn go_float(s: &str) -> Option<f64> {
    match s {
        "NaN" | "nan" => Some(f64::NAN),
        "+Inf" | "Inf" | "+inf" | "inf" => Some(f64::INFINITY),
        "-Inf" | "-inf" => Some(f64::NEG_INFINITY),
        _ => number(s),
    }
}

/// Labels of the 0.0.4 format: spaces around tokens and a trailing comma are allowed.
fn text_labels(text: &str, line: usize) -> Result<Vec<(String, String)>, ParseError> {
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = text.trim();
    while !rest.is_empty() {
        let eq = rest.find('=').ok_or(ParseError { line, message: "a label needs `=`".into() })?;
        let name = rest[..eq].trim();
        if !valid_label_name(name) {
            return err(line, format!("invalid label name `{name}`"));
        }
        let after = rest[eq + 1..].trim_start();
        let body = after
            .strip_prefix('"')
            .ok_or(ParseError { line, message: format!("label `{name}` needs a quoted value") })?;
        let mut value = String::new();
        let mut chars = body.char_indices();
        let end = loop {
            match chars.next() {
                None => return err(line, "unterminated label value"),
                Some((i, '"')) => break i,
                Some((_, '\\')) => match chars.next() {
                    Some((_, 'n')) => value.push('\n'),
                    Some((_, c)) => value.push(c),
                    None => return err(line, "unterminated label value"),
                },
                Some((_, c)) => value.push(c),
            }
        };
        if out.iter().any(|(k, _)| k == name) {
            return err(line, format!("label `{name}` twice"));
        }
        out.push((name.to_string(), value));
        rest = body[end + 1..].trim_start();
        if let Some(r) = rest.strip_prefix(',') {
            rest = r.trim_start();
        } else if !rest.is_empty() {
            return err(line, "labels are separated by commas");
        }
    }
    Ok(out)
}

/// Either format: OpenMetrics when the content type says so or the text ends with `# EOF`.
pub fn parse(text: &str, content_type: Option<&str>) -> Result<Vec<Family>, ParseError> {
    let om = content_type.is_some_and(|c| c.starts_with("application/openmetrics-text"))
        || text.trim_end().ends_with("# EOF");
    if om { parse_openmetrics(text) } else { parse_text(text) }
}
