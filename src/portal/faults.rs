//! Faults on demand: latency on every response and HTTP 500 on route prefixes (`--fail-on`).
//! Internal routes (`/__…`) are exempt. Also marks every response `Cache-Control: no-store`.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::FailRule;

/// What the middleware needs: the knobs, its counters and the page it answers with.
pub(crate) struct Faults {
    latency: Duration,
    rules: Vec<FailRule>,
    /// How many HTTP 500s each rule has injected so far.
    injected: Mutex<Vec<u32>>,
    /// The rendition's HTTP 500 page.
    error_page: String,
}

impl Faults {
    pub fn new(latency: Duration, rules: Vec<FailRule>, error_page: String) -> Self {
        Faults {
            latency,
            injected: Mutex::new(vec![0; rules.len()]),
            rules,
            error_page,
        }
    }

    /// Counts one more injected failure for rule `i`; returns how many it had injected before.
    fn count(&self, i: usize) -> u32 {
        let mut counts = self.injected.lock().unwrap_or_else(|e| e.into_inner());
        let before = counts[i];
        counts[i] += 1;
        before
    }
}

/// Whether `rule` applies to `path` (case-insensitive prefix).
pub(crate) fn matches(rule: &FailRule, path: &str) -> bool {
    path.to_ascii_lowercase().starts_with(&rule.route.to_ascii_lowercase())
}

/// `injected(i)` counts a hit of rule `i` and says how many it had before.
fn should_fail(rules: &[FailRule], method: &str, path: &str, mut injected: impl FnMut(usize) -> u32) -> bool {
    rules.iter().enumerate().any(|(i, r)| {
        let method_ok = r.method.as_deref().is_none_or(|m| m.eq_ignore_ascii_case(method));
        let hit = method_ok && matches(r, path) && (r.rate >= 1.0 || (r.rate > 0.0 && rand::random::<f64>() < r.rate));
        // With a count, only the first `times` hits fail.
        hit && r.times.is_none_or(|n| injected(i) < n)
    })
}

/// The middleware.
pub(crate) async fn inject(State(faults): State<Arc<Faults>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let method = req.method().as_str().to_string();
    if path.starts_with("/__") {
        return next.run(req).await;
    }
    if !faults.latency.is_zero() {
        // The simulated network/server delay is the point of this knob.
        tokio::time::sleep(faults.latency).await;
    }
    let mut resp = if should_fail(&faults.rules, &method, &path, |i| faults.count(i)) {
        tracing::info!(path = %path, "injected HTTP 500");
        (StatusCode::INTERNAL_SERVER_ERROR, Html(faults.error_page.clone())).into_response()
    } else {
        next.run(req).await
    };
    resp.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(route: &str, rate: f64) -> FailRule {
        FailRule {
            method: None,
            route: route.into(),
            rate,
            times: None,
        }
    }

    #[test]
    fn prefix_and_rate() {
        assert!(matches(&rule("/apex/bpg_home", 1.0), "/apex/BPG_Home"));
        assert!(!matches(&rule("/apex/BPG_Home", 1.0), "/apex/bpg_my_account"));
        let never_before = |_| 0;
        assert!(should_fail(
            &[rule("/apex", 1.0)],
            "GET",
            "/apex/BPG_Home",
            never_before
        ));
        assert!(!should_fail(
            &[rule("/apex", 0.0)],
            "GET",
            "/apex/BPG_Home",
            never_before
        ));
        assert!(!should_fail(&[rule("/apex", 1.0)], "GET", "/", never_before));
        let post = FailRule {
            method: Some("POST".into()),
            ..rule("/apex/api", 1.0)
        };
        assert!(should_fail(
            std::slice::from_ref(&post),
            "POST",
            "/apex/api/x",
            never_before
        ));
        assert!(!should_fail(
            std::slice::from_ref(&post),
            "GET",
            "/apex/api/x",
            never_before
        ));
    }

    #[test]
    fn a_count_limits_the_failures() {
        let once = FailRule {
            times: Some(1),
            ..rule("/apex", 1.0)
        };
        let mut seen = 0;
        let mut count = |_| {
            seen += 1;
            seen - 1
        };
        assert!(should_fail(std::slice::from_ref(&once), "GET", "/apex/x", &mut count));
        assert!(!should_fail(std::slice::from_ref(&once), "GET", "/apex/x", &mut count));
    }
}
