//! Daily network counts (`stats/emissions?type=submission|validation`) and what the stats page
//! shows of them: a range, totals, daily average, and a 7-day moving average.

use chrono::NaiveDate;
use serde_json::Value;

use super::error::ApiError;

/// Which daily count.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CountKind {
    /// Submissions per day.
    Submission,
    /// Validations per day.
    Validation,
}

impl CountKind {
    /// The API's `type` value.
    pub fn as_str(self) -> &'static str {
        match self {
            CountKind::Submission => "submission",
            CountKind::Validation => "validation",
        }
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            CountKind::Submission => "Submissions per day",
            CountKind::Validation => "Validations per day",
        }
    }
}

/// One day's count.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DailyCount {
    /// The day (UTC).
    pub date: NaiveDate,
    /// How many that day (so far, for the last day).
    pub count: u64,
}

/// Read an emissions body: `{"data": [{"time": "YYYY-MM-DD", "count": n}, …]}`, sorted by date.
pub fn parse_daily(body: &str) -> Result<Vec<DailyCount>, ApiError> {
    let what = "the daily counts";
    let value: Value = serde_json::from_str(body).map_err(|e| ApiError::decode(what, e))?;
    let rows = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| ApiError::decode(what, "expected an object with a `data` array"))?;
    let mut days = Vec::with_capacity(rows.len());
    for (i, row) in rows.iter().enumerate() {
        let date = row
            .get("time")
            .and_then(Value::as_str)
            .and_then(|t| NaiveDate::parse_from_str(t.get(..10).unwrap_or(t), "%Y-%m-%d").ok())
            .ok_or_else(|| {
                ApiError::decode(what, format!("row {} has no readable `time`", i + 1))
            })?;
        let count = row.get("count").and_then(Value::as_u64).ok_or_else(|| {
            ApiError::decode(what, format!("row {} has no whole-number `count`", i + 1))
        })?;
        days.push(DailyCount { date, count });
    }
    days.sort_by_key(|d| d.date);
    Ok(days)
}

/// The span of days shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Range {
    /// The last 30 days.
    #[default]
    Days30,
    /// The last 90 days.
    Days90,
    /// Everything.
    All,
}

impl Range {
    /// Every range, in menu order.
    pub const ALL: [Range; 3] = [Range::Days30, Range::Days90, Range::All];

    /// Query-string value.
    pub fn as_str(self) -> &'static str {
        match self {
            Range::Days30 => "30d",
            Range::Days90 => "90d",
            Range::All => "all",
        }
    }

    /// Read a query-string value.
    pub fn parse(raw: &str) -> Option<Range> {
        Range::ALL.into_iter().find(|r| r.as_str() == raw)
    }

    /// Words for people.
    pub fn label(self) -> &'static str {
        match self {
            Range::Days30 => "30 days",
            Range::Days90 => "90 days",
            Range::All => "All",
        }
    }

    fn days(self) -> Option<usize> {
        match self {
            Range::Days30 => Some(30),
            Range::Days90 => Some(90),
            Range::All => None,
        }
    }
}

/// A range of a daily series and its figures.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// The days in range, oldest first.
    pub days: Vec<DailyCount>,
    /// 7-day moving average per day (over the days available so far within the series).
    pub moving_average: Vec<f64>,
    /// Sum over the range.
    pub total: u64,
    /// Mean per complete day (the last day, still running, is left out of the mean).
    pub daily_average: f64,
    /// The busiest day.
    pub peak: Option<DailyCount>,
}

/// Cut `series` to `range` (counted back from its last day) and work out the figures.
pub fn summarize(series: &[DailyCount], range: Range) -> Summary {
    let start = range.days().map_or(0, |n| series.len().saturating_sub(n));
    // The moving average looks back across the range start, so the first days are not skewed.
    let moving_average = (start..series.len())
        .map(|i| {
            let from = i.saturating_sub(6);
            let window = &series[from..=i];
            window.iter().map(|d| d.count as f64).sum::<f64>() / window.len() as f64
        })
        .collect();
    let days = series[start..].to_vec();
    let total = days.iter().map(|d| d.count).sum();
    let complete = &days[..days.len().saturating_sub(1)];
    let daily_average = if complete.is_empty() {
        days.first().map_or(0.0, |d| d.count as f64)
    } else {
        complete.iter().map(|d| d.count as f64).sum::<f64>() / complete.len() as f64
    };
    let peak = days.iter().copied().max_by_key(|d| d.count);
    Summary {
        days,
        moving_average,
        total,
        daily_average,
        peak,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn series(counts: &[u64]) -> Vec<DailyCount> {
        let first = NaiveDate::from_ymd_opt(2025, 3, 30).unwrap_or_default();
        counts
            .iter()
            .enumerate()
            .map(|(i, &count)| DailyCount {
                date: first + chrono::Duration::days(i as i64),
                count,
            })
            .collect()
    }

    #[test]
    fn reads_the_recorded_shape_and_sorts_by_date() {
        let body =
            r#"{"data":[{"time":"2025-03-31","count":21},{"time":"2025-03-30","count":77}]}"#;
        let days = parse_daily(body).unwrap();
        assert_eq!(days, series(&[77, 21]));
        assert!(parse_daily(r#"{"data":[{"time":"yesterday","count":1}]}"#).is_err());
        assert!(parse_daily(r#"{"data":[{"time":"2025-03-30","count":-1}]}"#).is_err());
        assert!(parse_daily("[]").is_err());
    }

    #[test]
    fn ranges_totals_and_averages() {
        let all = series(&(1..=100).collect::<Vec<u64>>());
        let last30 = summarize(&all, Range::Days30);
        assert_eq!(last30.days.len(), 30);
        assert_eq!(last30.days[0].count, 71);
        assert_eq!(last30.total, (71..=100).sum::<u64>());
        // The last (running) day is left out of the mean: mean of 71..=99.
        assert_eq!(last30.daily_average, 85.0);
        assert_eq!(last30.peak.map(|p| p.count), Some(100));
        // Moving average at the first shown day looks back 6 days: mean of 65..=71.
        assert_eq!(last30.moving_average[0], 68.0);
        assert_eq!(summarize(&all, Range::All).days.len(), 100);
        assert_eq!(summarize(&series(&[5]), Range::Days90).daily_average, 5.0);
        assert_eq!(summarize(&[], Range::All).total, 0);
    }
}
