//! Selenium Grid: its managed downloads (the node keeps the files a session downloaded; we list,
//! fetch and delete them through `/session/{id}/se/files`) and which node runs a session (the
//! hub's `GET /status` lists every node with the sessions in its slots).

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::Value;

use super::download::is_partial;
use super::engine::Attempts;
use super::error::BrowserError;
use super::GridNode;

/// `GET /session/{id}/se/files`: the names of the files the session downloaded on its node.
#[derive(Debug)]
struct ListFiles;

/// `POST /session/{id}/se/files {"name": …}`: one of them, zipped, base64 in `contents`.
#[derive(Debug)]
struct FetchFile(String);

/// `DELETE /session/{id}/se/files`: removes the session's downloads from the node.
#[derive(Debug)]
struct DeleteFiles;

fn files_url(base: &url::Url, session: Option<&str>) -> Result<url::Url, url::ParseError> {
    base.join(&format!("session/{}/se/files", session.unwrap_or_default()))
}

impl WebDriverCompatibleCommand for ListFiles {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        files_url(base_url, session_id)
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}

impl WebDriverCompatibleCommand for FetchFile {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        files_url(base_url, session_id)
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "name": self.0 });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl WebDriverCompatibleCommand for DeleteFiles {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        files_url(base_url, session_id)
    }
    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::DELETE, None)
    }
}

/// The names of the session's downloads on its node now.
pub(crate) async fn list(client: &fantoccini::Client) -> Result<HashSet<String>, BrowserError> {
    let v = client.issue_cmd(ListFiles).await?;
    Ok(v.get("names")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).map(str::to_string).collect())
        .unwrap_or_default())
}

/// Waits (bounded) until one new, complete file is listed on the node that was not in `before`,
/// fetches it, unpacks it into `dir` and deletes the session's downloads on the node. Answers the
/// file's path in `dir`.
pub(crate) async fn fetch_new_file(
    client: &fantoccini::Client,
    before: &HashSet<String>,
    dir: &Path,
    timeout: Duration,
) -> Result<PathBuf, BrowserError> {
    let mut attempts = Attempts::new(timeout);
    let name = loop {
        let names = list(client).await?;
        let partial = names.iter().any(|n| is_partial(n));
        let fresh: Vec<&String> = names
            .iter()
            .filter(|n| !before.contains(*n) && !is_partial(n))
            .collect();
        if !partial && fresh.len() == 1 {
            break fresh[0].clone();
        }
        if !attempts.next().await {
            return Err(BrowserError::Download(if partial {
                format!(
                    "the download did not finish on the Grid node within {:.0} s",
                    timeout.as_secs_f64()
                )
            } else if fresh.len() > 1 {
                "several new files arrived on the Grid node".to_string()
            } else {
                format!("no file arrived on the Grid node within {:.0} s", timeout.as_secs_f64())
            }));
        }
    };
    let v = client.issue_cmd(FetchFile(name.clone())).await?;
    let zipped = v
        .get("contents")
        .and_then(Value::as_str)
        .ok_or_else(|| BrowserError::Download(format!("the Grid node sent no contents for {name}")))?;
    use base64::Engine as _;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(zipped.trim())
        .map_err(|e| BrowserError::Download(format!("the Grid node sent {name} garbled: {e}")))?;
    let files = super::unzip::extract(&bytes, dir).map_err(|e| BrowserError::Download(format!("{name}: {e}")))?;
    if let Err(e) = client.issue_cmd(DeleteFiles).await {
        tracing::warn!(error = %e, "cannot delete the downloads on the Grid node");
    }
    match <[PathBuf; 1]>::try_from(files) {
        Ok([path]) => Ok(path),
        Err(files) => Err(BrowserError::Download(format!(
            "the Grid node sent {} files for {name}, expected one",
            files.len()
        ))),
    }
}

/// The Grid node that runs `session`: the hub's `GET /status` lists each node with the sessions in
/// its slots. `None` when the endpoint is no Grid (a plain remote chromedriver) or does not say.
pub(crate) async fn node_of(webdriver: &str, session: &str) -> Option<GridNode> {
    let url = format!("{}/status", webdriver.trim_end_matches('/'));
    let session = session.to_string();
    let probe = move || -> Option<GridNode> {
        let agent: ureq::Agent = ureq::Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(5)))
            .proxy(None)
            .build()
            .into();
        let body = agent.get(&url).call().ok()?.body_mut().read_to_string().ok()?;
        let v: Value = serde_json::from_str(&body).ok()?;
        node_in_status(&v, &session)
    };
    tokio::task::spawn_blocking(probe).await.ok().flatten()
}

/// The node whose slot holds `session` in a hub's `/status` answer.
fn node_in_status(status: &Value, session: &str) -> Option<GridNode> {
    status["value"]["nodes"].as_array()?.iter().find_map(|node| {
        let runs = node["slots"]
            .as_array()?
            .iter()
            .any(|slot| slot["session"]["sessionId"].as_str() == Some(session));
        runs.then(|| GridNode {
            id: node["id"].as_str().unwrap_or_default().to_string(),
            uri: node["uri"].as_str().unwrap_or_default().to_string(),
        })
    })
}

#[cfg(test)]
mod tests {
    use super::node_in_status;
    use serde_json::json;

    #[test]
    fn the_node_is_the_one_whose_slot_holds_the_session() {
        let status = json!({ "value": { "ready": true, "nodes": [
            { "id": "n1", "uri": "http://10.0.0.1:5555", "slots": [ { "session": null } ] },
            { "id": "n2", "uri": "http://10.0.0.2:5555", "slots": [ { "session": { "sessionId": "abc" } } ] },
        ] } });
        let node = node_in_status(&status, "abc").unwrap();
        assert_eq!((node.id.as_str(), node.uri.as_str()), ("n2", "http://10.0.0.2:5555"));
        assert!(node_in_status(&status, "other").is_none());
        assert!(node_in_status(&json!({ "value": { "ready": true } }), "abc").is_none());
    }
}
