//! The upload's current rate and time left, smoothed: bytes reach storage in bursts (a part of
//! several MiB at a time, six at once), so the rate of the last instant jumps about, and the
//! average since the start hides a link that slowed down or came back. An exponentially
//! weighted average over about the last [`WINDOW_MS`] follows the link and stays readable.

/// How far back the rate looks, roughly (the time constant of the average).
pub const WINDOW_MS: f64 = 10_000.0;
/// Bytes are taken into the average at most this often (shorter bursts are summed).
const STEP_MS: f64 = 500.0;

/// The smoothed rate of bytes sent.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Rate {
    /// Bytes per second, once known.
    per_second: Option<f64>,
    /// The last point taken in: time (ms) and bytes sent by then.
    last: Option<(f64, u64)>,
    /// The first point: over the first window the rate is the plain average since then (an
    /// average seeded with the slow first moments would take a whole window to catch up).
    first: Option<(f64, u64)>,
}

impl Rate {
    /// Nothing measured yet.
    pub fn new() -> Self {
        Rate::default()
    }

    /// `sent` bytes in all have reached storage by `now_ms`.
    pub fn observe(&mut self, now_ms: f64, sent: u64) {
        let (Some((then, before)), Some((start, at_start))) = (self.last, self.first) else {
            self.last = Some((now_ms, sent));
            self.first = Some((now_ms, sent));
            return;
        };
        let elapsed = now_ms - then;
        if elapsed < STEP_MS {
            return;
        }
        let now_rate = sent.saturating_sub(before) as f64 / (elapsed / 1000.0);
        let weight = 1.0 - (-elapsed / WINDOW_MS).exp();
        self.per_second = Some(match self.per_second {
            _ if now_ms - start < WINDOW_MS => {
                sent.saturating_sub(at_start) as f64 / ((now_ms - start) / 1000.0)
            }
            None => now_rate,
            Some(rate) => rate + weight * (now_rate - rate),
        });
        self.last = Some((now_ms, sent));
    }

    /// Bytes per second, smoothed; `None` until two points a step apart were seen.
    pub fn per_second(&self) -> Option<f64> {
        self.per_second
    }

    /// Seconds until `remaining` bytes are sent at this rate; `None` while unknown or stalled.
    pub fn seconds_left(&self, remaining: u64) -> Option<u64> {
        self.per_second
            .filter(|r| *r >= 1.0)
            .map(|r| (remaining as f64 / r).ceil() as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIB: u64 = 1 << 20;

    #[test]
    fn a_steady_link_reads_as_its_speed() {
        let mut rate = Rate::new();
        for s in 0..=30 {
            rate.observe(s as f64 * 1000.0, s * 10 * MIB);
        }
        let r = rate.per_second().unwrap();
        assert!((r - (10 * MIB) as f64).abs() < 1.0, "{r}");
        assert_eq!(rate.seconds_left(100 * MIB), Some(10));
    }

    #[test]
    fn bursts_are_summed_and_a_change_is_followed_smoothly() {
        let mut rate = Rate::new();
        // Parts of 8 MiB land every 800 ms: 10 MiB/s; small steps between are summed.
        let mut sent = 0;
        for k in 0..150 {
            rate.observe(k as f64 * 100.0, sent);
            if k % 8 == 7 {
                sent += 8 * MIB;
            }
        }
        let steady = rate.per_second().unwrap() / MIB as f64;
        assert!((7.0..13.0).contains(&steady), "{steady}");
        // The link halves: a few seconds later the rate is between the two, then near the new one.
        let mut t = 15_000.0;
        let mut at = |rate: &mut Rate, secs: u64| {
            for _ in 0..secs {
                t += 1000.0;
                sent += 5 * MIB;
                rate.observe(t, sent);
            }
            rate.per_second().unwrap() / MIB as f64
        };
        let soon = at(&mut rate, 3);
        assert!(soon > 5.5 && soon < steady, "{soon}");
        let later = at(&mut rate, 40);
        assert!((later - 5.0).abs() < 0.2, "{later}");
    }

    #[test]
    fn nothing_known_or_a_stall_gives_no_time_left() {
        let mut rate = Rate::new();
        assert_eq!(rate.seconds_left(10), None);
        rate.observe(0.0, 0);
        assert_eq!(rate.seconds_left(10), None);
        for s in 1..60 {
            rate.observe(s as f64 * 1000.0, 0);
        }
        assert_eq!(rate.seconds_left(10), None, "stalled");
    }
}
