//! One rate-limit budget per provider and key, shared by every experiment in flight:
//! requests and tokens per minute, spaced evenly, slowing down on 429 instead of failing.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

/// The slowdown at which a key with no configured rate starts spacing its calls: two 429s
/// with no success between them.
const REPEATED_429_SLOWDOWN: f64 = 4.0;

/// Limits of one budget; `None` means unlimited.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Limits {
    pub requests_per_minute: Option<u32>,
    pub tokens_per_minute: Option<u64>,
}

#[derive(Debug)]
struct State {
    limits: Limits,
    next_slot: Instant,
    paused_until: Instant,
    /// Tokens available now (refilled at tokens_per_minute / 60 per second).
    tokens: f64,
    refilled_at: Instant,
    /// ≥ 1: request spacing multiplier, doubled on 429 and eased back on success.
    slowdown: f64,
    rate_limited: u64,
}

/// A shared requests/tokens-per-minute budget.
#[derive(Debug)]
pub struct RateBudget {
    state: Mutex<State>,
}

impl RateBudget {
    /// A budget with these limits.
    pub fn new(limits: Limits) -> Self {
        let now = Instant::now();
        RateBudget {
            state: Mutex::new(State {
                limits,
                next_slot: now,
                paused_until: now,
                tokens: limits.tokens_per_minute.map_or(0.0, |t| t as f64),
                refilled_at: now,
                slowdown: 1.0,
                rate_limited: 0,
            }),
        }
    }

    /// A budget that never waits.
    pub fn unlimited() -> Self {
        Self::new(Limits::default())
    }

    /// Waits until a request costing about `tokens` may be sent.
    pub async fn acquire(&self, tokens: u64) {
        let wait_until = {
            let Ok(mut s) = self.state.lock() else { return };
            let now = Instant::now();
            let mut at = now.max(s.paused_until);
            if let Some(rpm) = s.limits.requests_per_minute.filter(|r| *r > 0) {
                let interval = Duration::from_secs_f64(60.0 / f64::from(rpm) * s.slowdown);
                at = at.max(s.next_slot);
                s.next_slot = at + interval;
            } else if s.slowdown >= REPEATED_429_SLOWDOWN {
                // Unlimited budgets back off once 429s repeat with no success between them:
                // space calls by the slowdown. A lone 429 only pauses for what the server
                // said; spacing every call after it stranded a whole queue of waiters
                // (each given a slot 200 ms after the last) for one refused call.
                at = at.max(s.next_slot);
                s.next_slot = at + Duration::from_millis((100.0 * s.slowdown) as u64);
            }
            if let Some(tpm) = s.limits.tokens_per_minute.filter(|t| *t > 0) {
                let per_sec = tpm as f64 / 60.0;
                let elapsed = now.saturating_duration_since(s.refilled_at).as_secs_f64();
                s.tokens = (s.tokens + elapsed * per_sec).min(tpm as f64);
                s.refilled_at = now;
                // A request bigger than the whole budget waits for a full minute's refill.
                let need = (tokens as f64).min(tpm as f64);
                s.tokens -= need;
                if s.tokens < 0.0 {
                    at = at.max(now + Duration::from_secs_f64(-s.tokens / per_sec));
                }
            }
            at
        };
        if wait_until > Instant::now() {
            tokio::time::sleep_until(wait_until).await;
        }
    }

    /// Applies another model's limits to this key's budget: the strictest of each wins.
    pub fn tighten(&self, other: Limits) {
        fn min_some<T: Ord + Copy>(a: Option<T>, b: Option<T>) -> Option<T> {
            match (a, b) {
                (Some(a), Some(b)) => Some(a.min(b)),
                (a, b) => a.or(b),
            }
        }
        if let Ok(mut s) = self.state.lock() {
            let before = s.limits.tokens_per_minute;
            s.limits.requests_per_minute =
                min_some(s.limits.requests_per_minute, other.requests_per_minute);
            s.limits.tokens_per_minute =
                min_some(s.limits.tokens_per_minute, other.tokens_per_minute);
            if before.is_none() {
                s.tokens = s.limits.tokens_per_minute.map_or(0.0, |t| t as f64);
            }
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> Limits {
        self.state.lock().map_or(Limits::default(), |s| s.limits)
    }

    /// The server said 429: pause everyone for `wait` and space requests further apart.
    pub fn on_rate_limited(&self, wait: Duration) {
        if let Ok(mut s) = self.state.lock() {
            s.paused_until = s.paused_until.max(Instant::now() + wait);
            s.slowdown = (s.slowdown * 2.0).min(16.0);
            s.rate_limited += 1;
        }
    }

    /// A call succeeded: ease the slowdown back towards the configured rate. A key with no
    /// configured request rate has no rate to ease back to: a success shows the server
    /// takes calls again, so its spacing ends at once (while 429s keep coming with no
    /// success between them, the spacing keeps doubling). Easing slowly there capped a
    /// whole run at about ten calls a second after a trickle of 429s (BENCHMARKS.md).
    pub fn on_success(&self) {
        if let Ok(mut s) = self.state.lock() {
            let unlimited = s.limits.requests_per_minute.is_none_or(|r| r == 0);
            s.slowdown = if unlimited {
                1.0
            } else {
                (s.slowdown * 0.9).max(1.0)
            };
        }
    }

    /// How many 429s this budget has absorbed.
    pub fn rate_limited_count(&self) -> u64 {
        self.state.lock().map_or(0, |s| s.rate_limited)
    }
}

/// Budgets by provider and key, so every experiment using one key shares one budget.
#[derive(Debug, Default)]
pub struct Budgets {
    map: Mutex<HashMap<String, Arc<RateBudget>>>,
}

impl Budgets {
    /// 429 answers absorbed since the start, summed by provider kind.
    pub fn rate_limited_by_provider(&self) -> Vec<(String, u64)> {
        let mut by: std::collections::BTreeMap<String, u64> = std::collections::BTreeMap::new();
        if let Ok(m) = self.map.lock() {
            for (name, budget) in m.iter() {
                let provider = name.split(':').next().unwrap_or(name);
                *by.entry(provider.to_string()).or_default() += budget.rate_limited_count();
            }
        }
        by.into_iter().collect()
    }

    /// The budget of `provider` with the key whose fingerprint is `key_id` (never the key).
    /// Models sharing a key share its budget; when they configure different limits, the
    /// strictest applies.
    pub fn get(&self, provider: &str, key_id: &str, limits: Limits) -> Arc<RateBudget> {
        let name = format!("{provider}:{key_id}");
        match self.map.lock() {
            Ok(mut m) => {
                let budget = m
                    .entry(name)
                    .or_insert_with(|| Arc::new(RateBudget::new(limits)))
                    .clone();
                budget.tighten(limits);
                budget
            }
            Err(_) => Arc::new(RateBudget::new(limits)),
        }
    }
}

/// A short, non-reversible fingerprint of a key, for budget names and cache keys.
pub fn key_fingerprint(key: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(key.as_bytes());
    digest.iter().take(6).map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn requests_are_spaced_by_rpm() {
        let b = RateBudget::new(Limits {
            requests_per_minute: Some(60),
            tokens_per_minute: None,
        });
        let start = Instant::now();
        for _ in 0..4 {
            b.acquire(0).await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_secs(3) && elapsed < Duration::from_millis(3100),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn tokens_per_minute_hold_back_big_requests() {
        let b = RateBudget::new(Limits {
            requests_per_minute: None,
            tokens_per_minute: Some(6000),
        });
        let start = Instant::now();
        b.acquire(6000).await; // the whole minute's budget
        b.acquire(3000).await; // waits half a minute for the refill
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_secs(29) && elapsed <= Duration::from_secs(31),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn an_unlimited_key_stops_spacing_calls_at_the_first_success() {
        let b = RateBudget::new(Limits::default());
        b.on_rate_limited(Duration::ZERO);
        b.on_rate_limited(Duration::ZERO);
        // Two 429s and no success: calls are spaced (100 ms x 4).
        let start = Instant::now();
        for _ in 0..3 {
            b.acquire(0).await;
        }
        assert!(
            start.elapsed() >= Duration::from_millis(800),
            "{:?}",
            start.elapsed()
        );
        // One success: the server takes calls again, no more spacing.
        b.on_success();
        let start = Instant::now();
        for _ in 0..100 {
            b.acquire(0).await;
        }
        assert!(
            start.elapsed() < Duration::from_millis(500),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_lone_429_on_an_unlimited_key_only_pauses_for_the_servers_wait() {
        let b = RateBudget::new(Limits::default());
        b.on_rate_limited(Duration::from_millis(300));
        let start = Instant::now();
        for _ in 0..50 {
            b.acquire(0).await;
        }
        let elapsed = start.elapsed();
        assert!(
            elapsed >= Duration::from_millis(300) && elapsed < Duration::from_millis(400),
            "{elapsed:?}"
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_limited_key_eases_back_to_its_rate_slowly() {
        let b = RateBudget::new(Limits {
            requests_per_minute: Some(600),
            tokens_per_minute: None,
        });
        b.on_rate_limited(Duration::ZERO);
        b.on_success();
        let start = Instant::now();
        for _ in 0..11 {
            b.acquire(0).await;
        }
        // 100 ms apart at the configured rate; still slower after one success (x1.8).
        assert!(
            start.elapsed() >= Duration::from_millis(1500),
            "{:?}",
            start.elapsed()
        );
    }

    #[tokio::test(start_paused = true)]
    async fn a_429_pauses_every_user_of_the_budget() {
        let budgets = Budgets::default();
        let a = budgets.get("gemini", "k1", Limits::default());
        let b = budgets.get("gemini", "k1", Limits::default());
        a.on_rate_limited(Duration::from_secs(5));
        let start = Instant::now();
        b.acquire(0).await;
        assert!(start.elapsed() >= Duration::from_secs(5));
        assert_eq!(b.rate_limited_count(), 1);
        let other = budgets.get("gemini", "k2", Limits::default());
        assert_eq!(other.rate_limited_count(), 0);
        // Another model on key k1 with a limit: the key's budget takes the strictest.
        let limited = budgets.get(
            "gemini",
            "k1",
            Limits {
                requests_per_minute: Some(10),
                tokens_per_minute: None,
            },
        );
        assert_eq!(a.limits().requests_per_minute, Some(10));
        budgets.get(
            "gemini",
            "k1",
            Limits {
                requests_per_minute: Some(100),
                tokens_per_minute: None,
            },
        );
        assert_eq!(limited.limits().requests_per_minute, Some(10));
    }

    #[test]
    fn fingerprints_tell_keys_apart_without_holding_them() {
        let keys = [
            "AIzaSecretKey",
            "AIzaSecretKez",
            "sk-proj-abc",
            "",
            "k1",
            "k2",
        ];
        let prints: Vec<String> = keys.iter().map(|k| key_fingerprint(k)).collect();
        for (k, f) in keys.iter().zip(&prints) {
            assert_eq!(
                f,
                &key_fingerprint(k),
                "the same key always gives the same budget"
            );
            assert_eq!(f.len(), 12);
            assert!(f.chars().all(|c| c.is_ascii_hexdigit()), "{f}");
        }
        let distinct: std::collections::HashSet<_> = prints.iter().collect();
        assert_eq!(
            distinct.len(),
            keys.len(),
            "keys one character apart get their own budget"
        );
        // A digest, not an encoding: 12 hex digits cannot carry a 13-character key.
        assert_ne!(prints[0], prints[1]);
    }
}

#[cfg(test)]
mod real_time {
    use super::*;

    #[tokio::test]
    async fn spacing_holds_in_real_time_across_tasks() {
        let b = Arc::new(RateBudget::new(Limits {
            requests_per_minute: Some(600),
            tokens_per_minute: None,
        }));
        let start = std::time::Instant::now();
        let tasks: Vec<_> = (0..5)
            .map(|_| {
                let b = b.clone();
                tokio::spawn(async move { b.acquire(10).await })
            })
            .collect();
        for t in tasks {
            t.await.unwrap();
        }
        assert!(
            start.elapsed() >= Duration::from_millis(390),
            "{:?}",
            start.elapsed()
        );
    }
}
