//! Durations as reviews and Prometheus write them: `30s`, `5m`, `1h30m`, `7d`.

use std::fmt;

/// A non-negative duration with millisecond precision.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Duration {
    pub millis: u64,
}

const UNITS: &[(&str, u64)] = &[
    ("y", 365 * 86_400_000),
    ("w", 7 * 86_400_000),
    ("d", 86_400_000),
    ("h", 3_600_000),
    ("m", 60_000),
    ("s", 1_000),
    ("ms", 1),
];

impl Duration {
    pub const ZERO: Duration = Duration { millis: 0 };

    pub fn from_secs(s: u64) -> Self {
        Duration { millis: s * 1000 }
    }

    pub fn as_secs_f64(self) -> f64 {
        self.millis as f64 / 1000.0
    }

    /// Parses `1h30m`-style text: one or more number-unit pairs, largest unit first, units
    /// `ms s m h d w y`. A bare `0` is zero.
    pub fn parse(text: &str) -> Result<Duration, String> {
        let s = text.trim();
        if s == "0" {
            return Ok(Duration::ZERO);
        }
        if s.is_empty() {
            return Err("empty duration".into());
        }
        let mut rest = s;
        let mut total: u64 = 0;
        let mut last_unit = usize::MAX;
        while !rest.is_empty() {
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            if digits == 0 {
                return Err(format!("`{s}` is not a duration: expected a number at `{rest}`"));
            }
            let n: u64 = rest[..digits].parse().map_err(|_| format!("`{s}`: number too large"))?;
            rest = &rest[digits..];
            let unit_len = rest.bytes().take_while(u8::is_ascii_alphabetic).count();
            let unit = &rest[..unit_len];
            let Some(idx) = UNITS.iter().position(|(u, _)| *u == unit) else {
                return Err(if unit.is_empty() {
                    format!("`{s}` lacks a unit (ms, s, m, h, d, w or y), e.g. `{n}m`")
                } else {
                    format!("`{s}`: unknown unit `{unit}` (ms, s, m, h, d, w or y)")
                });
            };
            if last_unit != usize::MAX && idx <= last_unit {
                return Err(format!("`{s}`: units must go from largest to smallest, each once"));
            }
            last_unit = idx;
            total = n
                .checked_mul(UNITS[idx].1)
                .and_then(|v| v.checked_add(total))
                .ok_or_else(|| format!("`{s}` is too long a duration"))?;
            rest = &rest[unit_len..];
        }
        // Prometheus' durations end near 292 years; a longer one would not export.
        if total > 290 * UNITS[0].1 {
            return Err(format!("`{s}` is longer than the 290y Prometheus allows"));
        }
        Ok(Duration { millis: total })
    }

    pub fn to_jiff(self) -> jiff::SignedDuration {
        jiff::SignedDuration::from_millis(self.millis as i64)
    }
}

impl fmt::Display for Duration {
    /// The shortest Prometheus form: `0s`, `90s` is `1m30s`, `86400s` is `1d`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.millis == 0 {
            return f.write_str("0s");
        }
        let mut rest = self.millis;
        // Weeks and years are left out: `14d` reads better than `2w` in a review.
        for (unit, ms) in UNITS.iter().skip(2) {
            if rest >= *ms {
                write!(f, "{}{unit}", rest / ms)?;
                rest %= ms;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        for (text, ms, shown) in [
            ("30s", 30_000, "30s"),
            ("5m", 300_000, "5m"),
            ("1h30m", 5_400_000, "1h30m"),
            ("7d", 604_800_000, "7d"),
            ("1w", 604_800_000, "7d"),
            ("0", 0, "0s"),
            ("0s", 0, "0s"),
            ("250ms", 250, "250ms"),
        ] {
            let d = Duration::parse(text).unwrap();
            assert_eq!(d.millis, ms, "{text}");
            assert_eq!(d.to_string(), shown, "{text}");
        }
    }

    #[test]
    fn rejects() {
        for bad in ["", "5", "5 minutes", "m5", "5m1h", "5x", "-5m", "1.5h", "99999999999999999999s", "300y"] {
            assert!(Duration::parse(bad).is_err(), "{bad}");
        }
    }
}
