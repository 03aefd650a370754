//! Faults on demand: latency on every response and HTTP 500 on route prefixes (`--fail-on`).
//! Internal routes (`/__…`) are exempt. Also marks every response `Cache-Control: no-store`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use super::routes::App;
use super::{pages, FailRule};

/// Whether `rule` applies to `path` (case-insensitive prefix).
pub(crate) fn matches(rule: &FailRule, path: &str) -> bool {
    path.to_ascii_lowercase().starts_with(&rule.route.to_ascii_lowercase())
}

/// `injected(i)` counts a hit of rule `i` and says how many it had before.
fn should_fail(rules: &[FailRule], path: &str, mut injected: impl FnMut(usize) -> u32) -> bool {
    rules.iter().enumerate().any(|(i, r)| {
        let hit = matches(r, path) && (r.rate >= 1.0 || (r.rate > 0.0 && rand::random::<f64>() < r.rate));
        // With a count, only the first `times` hits fail.
        hit && r.times.is_none_or(|n| injected(i) < n)
    })
}

/// The middleware.
pub(crate) async fn inject(State(app): State<Arc<App>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/__") {
        return next.run(req).await;
    }
    if !app.cfg.latency.is_zero() {
        // The simulated network/server delay is the point of this knob.
        tokio::time::sleep(app.cfg.latency).await;
    }
    let mut resp = if should_fail(&app.cfg.fail_on, &path, |i| app.failures_injected(i)) {
        tracing::info!(path = %path, "injected HTTP 500");
        (
            StatusCode::INTERNAL_SERVER_ERROR,
            Html(pages::server_error(app.cfg.variant)),
        )
            .into_response()
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
        assert!(should_fail(&[rule("/apex", 1.0)], "/apex/BPG_Home", never_before));
        assert!(!should_fail(&[rule("/apex", 0.0)], "/apex/BPG_Home", never_before));
        assert!(!should_fail(&[rule("/apex", 1.0)], "/", never_before));
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
        assert!(should_fail(std::slice::from_ref(&once), "/apex/x", &mut count));
        assert!(!should_fail(std::slice::from_ref(&once), "/apex/x", &mut count));
    }
}
