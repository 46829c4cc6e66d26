//! Timestamps as the API sends them and as the pages show them.
//!
//! The API writes naive ISO-8601 datetimes with microseconds (`2025-03-26T16:22:01.791348`)
//! that mean UTC; Python leaves the fraction out when it is zero, and a later server might add
//! `Z` or an offset. All of those are read here; anything else is `None`, never a guess.

use chrono::{DateTime, NaiveDateTime, Utc};

/// A point in time, always UTC.
pub type Instant = DateTime<Utc>;

/// Read an API timestamp; naive ones are UTC.
pub fn parse_timestamp(text: &str) -> Option<Instant> {
    let text = text.trim();
    if let Ok(with_zone) = DateTime::parse_from_rfc3339(text) {
        return Some(with_zone.with_timezone(&Utc));
    }
    for format in ["%Y-%m-%dT%H:%M:%S%.f", "%Y-%m-%d %H:%M:%S%.f"] {
        if let Ok(naive) = NaiveDateTime::parse_from_str(text, format) {
            return Some(naive.and_utc());
        }
    }
    None
}

/// Milliseconds since the Unix epoch (as `Date.now()` gives them) as an [`Instant`].
pub fn from_millis(millis: f64) -> Instant {
    DateTime::from_timestamp_millis(millis as i64).unwrap_or_default()
}

/// The exact time for tooltips and detail pages: `2025-04-23 23:59:59 UTC`.
pub fn format_utc(at: Instant) -> String {
    at.format("%Y-%m-%d %H:%M:%S UTC").to_string()
}

/// A short date: `2025-04-23`.
pub fn format_date(at: Instant) -> String {
    at.format("%Y-%m-%d").to_string()
}

/// A human duration from seconds, two units at most: `2 d 3 h`, `4 h 5 min`, `45 s`.
pub fn format_duration(seconds: u64) -> String {
    const UNITS: [(u64, &str); 4] = [(86_400, "d"), (3_600, "h"), (60, "min"), (1, "s")];
    if seconds == 0 {
        return "0 s".into();
    }
    let mut parts = Vec::new();
    let mut rest = seconds;
    for (size, name) in UNITS {
        if rest >= size {
            parts.push(format!("{} {name}", rest / size));
            rest %= size;
        } else if !parts.is_empty() {
            // Keep the two units adjacent: "2 d 0 h" is clearer than "2 d 5 s".
            break;
        }
        if parts.len() == 2 {
            break;
        }
    }
    parts.join(" ")
}

/// Time until (`in 2 d 3 h`) or since (`5 min ago`) `then`, seen from `now`.
pub fn relative(now: Instant, then: Instant) -> String {
    let delta = (then - now).num_seconds();
    if delta.abs() < 1 {
        return "now".into();
    }
    let span = format_duration(delta.unsigned_abs());
    if delta > 0 {
        format!("in {span}")
    } else {
        format!("{span} ago")
    }
}

/// A ticking countdown while under a day is left (`03:04:05`), else [`relative`]; `None` once
/// `then` has passed.
pub fn countdown(now: Instant, then: Instant) -> Option<String> {
    let left = (then - now).num_seconds();
    if left <= 0 {
        return None;
    }
    if left < 86_400 {
        Some(format!(
            "{:02}:{:02}:{:02}",
            left / 3_600,
            (left % 3_600) / 60,
            left % 60
        ))
    } else {
        Some(relative(now, then))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Instant {
        parse_timestamp(text).unwrap_or_default()
    }

    #[test]
    fn naive_timestamps_are_utc_with_or_without_fraction() {
        let t = at("2025-03-26T16:22:01.791348");
        assert_eq!(t.timestamp(), 1_743_006_121);
        assert_eq!(t.timestamp_subsec_micros(), 791_348);
        assert_eq!(at("2025-04-09T00:00:00").timestamp(), 1_744_156_800);
        assert_eq!(at("2025-04-09T02:00:00+02:00"), at("2025-04-09T00:00:00"));
        assert_eq!(at("2025-04-09T00:00:00Z"), at("2025-04-09T00:00:00"));
    }

    #[test]
    fn garbage_is_none_not_a_guess() {
        for bad in ["", "yesterday", "2025-13-01T00:00:00", "1743006121"] {
            assert_eq!(parse_timestamp(bad), None, "{bad}");
        }
    }

    #[test]
    fn durations_and_relative_times_read_naturally() {
        assert_eq!(format_duration(2_419_200), "28 d");
        assert_eq!(format_duration(57_600), "16 h");
        assert_eq!(format_duration(183_900), "2 d 3 h");
        assert_eq!(format_duration(45), "45 s");
        assert_eq!(format_duration(86_405), "1 d");
        let now = at("2025-04-10T13:09:00");
        assert_eq!(relative(now, at("2025-04-12T16:09:00")), "in 2 d 3 h");
        assert_eq!(relative(now, at("2025-04-10T13:04:00")), "5 min ago");
        assert_eq!(
            countdown(now, at("2025-04-10T16:13:05")).as_deref(),
            Some("03:04:05")
        );
        assert_eq!(
            countdown(now, at("2025-04-12T16:09:00")).as_deref(),
            Some("in 2 d 3 h")
        );
        assert_eq!(countdown(now, at("2025-04-10T13:00:00")), None);
        assert_eq!(
            format_utc(at("2025-04-23T23:59:59.791348")),
            "2025-04-23 23:59:59 UTC"
        );
    }
}
