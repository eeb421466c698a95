//! Pacing and retries. SES allows about one control-plane request per second per account and
//! region, and that limit cannot be raised, so every request waits for its slot on the region's
//! [`Pacer`]; throttles and server errors are retried with jittered exponential backoff until a
//! deadline, and every request sent is counted in [`Metrics`].

use super::errors::classify;
use crate::inventory::{CollectError, ErrorKind};
use aws_sdk_ses::config::http::HttpResponse;
use aws_sdk_ses::error::{ProvideErrorMetadata, SdkError};
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;
use tokio::time::Instant;

/// Spaces a region's requests so that SES never sees two closer together than `1 / rate`, and
/// slows down when throttled anyway.
///
/// The next request may start one interval after the previous one *started* and one interval
/// after it *ended*. Spacing from the end is what makes it safe: SES counts a request somewhere
/// between its start and its end, so network or server-side delays can bring the arrivals of two
/// requests spaced only from their starts closer than the interval. The interval also grows by a
/// quarter on each throttle (other clients may share the account's limit), up to twice the base,
/// and shrinks back slowly while requests succeed.
#[derive(Debug)]
pub struct Pacer {
    base: Duration,
    state: Mutex<PacerState>,
}

#[derive(Debug)]
struct PacerState {
    next_slot: Instant,
    interval: Duration,
}

impl Pacer {
    /// `rate` requests per second; zero or less means no pacing.
    pub fn new(rate: f64) -> Self {
        let base = if rate > 0.0 {
            Duration::from_secs_f64(1.0 / rate)
        } else {
            Duration::ZERO
        };
        Pacer {
            base,
            state: Mutex::new(PacerState {
                next_slot: Instant::now(),
                interval: base,
            }),
        }
    }

    /// Waits until this caller's slot comes up.
    pub async fn wait(&self) {
        let slot = {
            let mut state = self.state.lock().expect("pacer lock");
            let slot = state.next_slot.max(Instant::now());
            state.next_slot = slot + state.interval;
            slot
        };
        tokio::time::sleep_until(slot).await;
    }

    /// A request just ended, whatever its outcome: the next waits a full interval from now.
    pub fn ended(&self) {
        let mut state = self.state.lock().expect("pacer lock");
        let after = Instant::now() + state.interval;
        state.next_slot = state.next_slot.max(after);
    }

    /// A request was throttled: space the following ones further apart.
    pub fn throttled(&self) {
        let mut state = self.state.lock().expect("pacer lock");
        state.interval = state.interval.mul_f64(1.25).min(self.base * 2);
    }

    /// A request went through: drift back toward the base interval.
    pub fn succeeded(&self) {
        let mut state = self.state.lock().expect("pacer lock");
        if state.interval > self.base {
            state.interval = state.interval.mul_f64(0.98).max(self.base);
        }
    }

    /// The current spacing between requests.
    pub fn interval(&self) -> Duration {
        self.state.lock().expect("pacer lock").interval
    }
}

/// Requests sent, by action, and how many were throttled. Shared by all regions of a run.
#[derive(Debug, Default)]
pub struct Metrics {
    calls: Mutex<BTreeMap<&'static str, u64>>,
    throttled: AtomicU64,
}

impl Metrics {
    pub fn record(&self, action: &'static str) {
        *self
            .calls
            .lock()
            .expect("metrics lock")
            .entry(action)
            .or_default() += 1;
    }

    pub fn calls(&self) -> BTreeMap<String, u64> {
        let calls = self.calls.lock().expect("metrics lock");
        calls.iter().map(|(k, v)| (k.to_string(), *v)).collect()
    }

    pub fn throttled(&self) -> u64 {
        self.throttled.load(Ordering::Relaxed)
    }
}

/// How long to keep retrying.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// No retry starts after this much time spent on one call.
    pub deadline: Duration,
    /// First backoff; it doubles each attempt, up to `max_delay`, with jitter.
    pub base_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            deadline: Duration::from_secs(120),
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(20),
        }
    }
}

impl RetryPolicy {
    /// Backoff before attempt `attempt + 1`: exponential with "equal jitter" (half fixed, half
    /// random), so that regions retrying together spread out.
    pub fn backoff(&self, attempt: u32) -> Duration {
        let exp = self
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.max_delay);
        let half = exp / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// Sends requests for one account and region: paced, retried and counted.
pub struct Caller<'a> {
    pub pacer: &'a Pacer,
    pub metrics: &'a Metrics,
    pub policy: &'a RetryPolicy,
}

impl Caller<'_> {
    /// Runs `send` until it succeeds, fails for good, or the retry deadline passes.
    pub async fn call<T, E, F, Fut>(
        &self,
        action: &'static str,
        mut send: F,
    ) -> Result<T, CollectError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, SdkError<E, HttpResponse>>>,
        E: ProvideErrorMetadata + std::error::Error + 'static,
    {
        let started = Instant::now();
        let mut attempt = 0u32;
        loop {
            self.pacer.wait().await;
            attempt += 1;
            self.metrics.record(action);
            let answer = send().await;
            self.pacer.ended();
            let err = match answer {
                Ok(value) => {
                    self.pacer.succeeded();
                    return Ok(value);
                }
                Err(err) => err,
            };
            let failure = classify(&err);
            if failure.kind == ErrorKind::Throttled {
                self.metrics.throttled.fetch_add(1, Ordering::Relaxed);
                self.pacer.throttled();
            }
            let delay = self.policy.backoff(attempt);
            if !failure.retryable || started.elapsed() + delay > self.policy.deadline {
                return Err(CollectError {
                    action: action.to_string(),
                    code: failure.code,
                    kind: failure.kind,
                    message: failure.message,
                    attempts: attempt,
                });
            }
            tracing::debug!(action, code = %failure.code, attempt, ?delay, "retrying");
            tokio::time::sleep(delay).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_within_jitter_and_caps() {
        let p = RetryPolicy {
            deadline: Duration::from_secs(60),
            base_delay: Duration::from_millis(400),
            max_delay: Duration::from_secs(3),
        };
        for _ in 0..50 {
            let first = p.backoff(1);
            assert!(first >= Duration::from_millis(200) && first <= Duration::from_millis(400));
            let third = p.backoff(3);
            assert!(third >= Duration::from_millis(800) && third <= Duration::from_millis(1600));
            let late = p.backoff(30);
            assert!(late >= Duration::from_millis(1500) && late <= Duration::from_secs(3));
        }
    }

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_starts_at_the_rate() {
        let pacer = Pacer::new(2.0);
        let start = Instant::now();
        for _ in 0..5 {
            pacer.wait().await;
        }
        // Five requests at 2/s: the first at once, the fifth two seconds later.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
    }

    #[tokio::test(start_paused = true)]
    async fn pacer_spaces_the_next_start_from_the_last_end() {
        let pacer = Pacer::new(1.0);
        let start = Instant::now();
        pacer.wait().await;
        // A slow answer: 700 ms.
        tokio::time::sleep(Duration::from_millis(700)).await;
        pacer.ended();
        pacer.wait().await;
        assert_eq!(start.elapsed(), Duration::from_millis(1700));
    }

    #[test]
    fn pacer_backs_off_on_throttles_and_recovers() {
        let pacer = Pacer::new(1.0);
        let base = Duration::from_secs(1);
        assert_eq!(pacer.interval(), base);
        pacer.throttled();
        assert_eq!(pacer.interval(), base.mul_f64(1.25));
        for _ in 0..10 {
            pacer.throttled();
        }
        assert_eq!(pacer.interval(), base * 2, "capped at twice the base");
        for _ in 0..200 {
            pacer.succeeded();
        }
        assert_eq!(pacer.interval(), base);
    }
}
