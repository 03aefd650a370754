//! Posting a run summary to a webhook: JSON, 3 tries with doubling back-off.

use super::file::Mode;
use super::history::RunStatus;
use chrono::{DateTime, Utc};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Tries per summary.
pub const TRIES: u32 = 3;
/// Wait before the second try; doubled before the third.
pub const BACKOFF: Duration = Duration::from_secs(2);
/// Time limit of one request (connect, send, answer).
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The JSON body posted after a run (documented in docs/batch.md).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Summary {
    /// Always `"run.finished"`.
    pub event: String,
    /// The schedule file.
    pub schedule: PathBuf,
    pub job: String,
    pub mode: Mode,
    pub flow: PathBuf,
    pub status: RunStatus,
    pub exit_code: Option<i32>,
    pub started: DateTime<Utc>,
    pub finished: DateTime<Utc>,
    pub duration_s: f64,
    /// The run's folder (its report.html is there).
    pub folder: Option<PathBuf>,
    /// What went wrong, already free of secrets.
    pub message: Option<String>,
}

/// Why a summary could not be delivered.
#[derive(Debug, thiserror::Error)]
#[error("webhook {url}: not delivered after {tries} tries: {last}")]
pub struct WebhookError {
    pub url: String,
    pub tries: u32,
    pub last: String,
}

/// Posts `summary` to `url`, trying up to [`TRIES`] times; waits `backoff`, then twice that,
/// between tries. Any 2xx answer is success. Returns the number of tries used.
pub async fn post(url: &url::Url, summary: &Summary, backoff: Duration) -> Result<u32, WebhookError> {
    let body = serde_json::to_vec(summary).expect("summary serialises");
    let mut last = String::new();
    let mut wait = backoff;
    for attempt in 1..=TRIES {
        let (u, b) = (url.to_string(), body.clone());
        match tokio::task::spawn_blocking(move || post_once(&u, &b)).await {
            Ok(Ok(())) => return Ok(attempt),
            Ok(Err(e)) => last = e,
            Err(e) => last = e.to_string(),
        }
        tracing::warn!(url = %url, attempt, error = %last, "webhook not delivered");
        if attempt < TRIES {
            tokio::time::sleep(wait).await;
            wait *= 2;
        }
    }
    Err(WebhookError {
        url: url.to_string(),
        tries: TRIES,
        last,
    })
}

fn post_once(url: &str, body: &[u8]) -> Result<(), String> {
    // ureq takes no TLS crypto provider from crate features: name the one the WebDriver client
    // already uses (aws-lc-rs), so only one is compiled in.
    let tls = ureq::tls::TlsConfig::builder()
        .unversioned_rustls_crypto_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .build();
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(REQUEST_TIMEOUT))
        .http_status_as_error(true)
        .tls_config(tls)
        .build()
        .into();
    agent
        .post(url)
        .header("content-type", "application/json")
        .header("user-agent", concat!("postnl-robot/", env!("CARGO_PKG_VERSION")))
        .send(body)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use axum::{extract::State, http::StatusCode, routing::post as route_post, Router};
    use std::sync::Mutex;

    /// A local receiver that answers 500 to the first `fail_first` requests, then 200, and
    /// keeps every body.
    #[derive(Clone)]
    pub(crate) struct Receiver {
        pub url: url::Url,
        pub bodies: Arc<Mutex<Vec<serde_json::Value>>>,
    }

    pub(crate) async fn receiver(fail_first: usize) -> Receiver {
        #[derive(Clone)]
        struct S {
            bodies: Arc<Mutex<Vec<serde_json::Value>>>,
            fail_first: usize,
        }
        async fn hook(State(s): State<S>, body: String) -> StatusCode {
            let n = {
                let mut b = s.bodies.lock().unwrap();
                b.push(serde_json::from_str(&body).unwrap_or(serde_json::Value::String(body)));
                b.len()
            };
            if n <= s.fail_first {
                StatusCode::INTERNAL_SERVER_ERROR
            } else {
                StatusCode::OK
            }
        }
        let bodies = Arc::new(Mutex::new(Vec::new()));
        let state = S {
            bodies: bodies.clone(),
            fail_first,
        };
        let app = Router::new().route("/hook", route_post(hook)).with_state(state);
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Receiver {
            url: format!("http://{addr}/hook").parse().unwrap(),
            bodies,
        }
    }

    pub(crate) fn summary() -> Summary {
        Summary {
            event: "run.finished".into(),
            schedule: "schedule.toml".into(),
            job: "ochtend".into(),
            mode: Mode::Run,
            flow: "flows/autoriseren.toml".into(),
            status: RunStatus::Failed,
            exit_code: Some(1),
            started: Utc::now(),
            finished: Utc::now(),
            duration_s: 1.5,
            folder: Some("runs/ochtend/20250301T070000.000Z-ochtend".into()),
            message: Some("Stap 3: knop \"Opslaan\" niet gevonden".into()),
        }
    }

    #[tokio::test]
    async fn delivers_json_and_retries_after_errors() {
        let r = receiver(2).await;
        let tries = post(&r.url, &summary(), Duration::from_millis(10)).await.unwrap();
        assert_eq!(tries, 3);
        let bodies = r.bodies.lock().unwrap();
        assert_eq!(bodies.len(), 3);
        assert_eq!(bodies[2]["event"], "run.finished");
        assert_eq!(bodies[2]["status"], "failed");
        assert_eq!(bodies[2]["exit_code"], 1);
        assert_eq!(bodies[2]["job"], "ochtend");
        assert_eq!(bodies[2]["mode"], "run");
    }

    #[tokio::test]
    async fn gives_up_after_three_tries() {
        let r = receiver(usize::MAX).await;
        let err = post(&r.url, &summary(), Duration::from_millis(1)).await.unwrap_err();
        assert_eq!(err.tries, 3);
        assert!(err.to_string().contains("500"), "{err}");
        assert_eq!(r.bodies.lock().unwrap().len(), 3);
    }

    #[tokio::test]
    async fn https_sets_up_tls_and_reports_a_failed_handshake() {
        // A server that accepts and hangs up: the TLS handshake fails (an error, not a panic
        // about a missing crypto provider).
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for stream in listener.incoming().take(3) {
                drop(stream);
            }
        });
        let url: url::Url = format!("https://127.0.0.1:{port}/hook").parse().unwrap();
        let err = post(&url, &summary(), Duration::from_millis(1)).await.unwrap_err();
        assert_eq!(err.tries, 3);
    }

    #[tokio::test]
    async fn unreachable_receiver_is_an_error_not_a_hang() {
        // A port that was free a moment ago: connection refused.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let url: url::Url = format!("http://127.0.0.1:{port}/hook").parse().unwrap();
        let err = post(&url, &summary(), Duration::from_millis(1)).await.unwrap_err();
        assert_eq!(err.tries, 3);
    }
}
