//! Chromium DevTools commands sent through chromedriver's `goog/cdp/execute` endpoint (also
//! forwarded by Selenium Grid for Chromium nodes). Used where plain WebDriver needs many round
//! trips; every caller has a WebDriver fallback.

use fantoccini::wd::WebDriverCompatibleCommand;

/// `Input.insertText`: types a whole text into the focused element in one call, as an IME
/// would (one `input` event), instead of one WebDriver key event per character.
pub(crate) struct InsertText(pub String);

impl std::fmt::Debug for InsertText {
    // Never print the text: it may be a password (WebDriver traces log commands).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("InsertText(***)")
    }
}

impl WebDriverCompatibleCommand for InsertText {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": "Input.insertText", "params": { "text": self.0 } });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `Page.getLayoutMetrics`: the size of the whole page (CSS pixels), for a full-page capture.
#[derive(Debug)]
pub(crate) struct LayoutMetrics;

impl WebDriverCompatibleCommand for LayoutMetrics {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = serde_json::json!({ "cmd": "Page.getLayoutMetrics", "params": {} });
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `Page.captureScreenshot` of `width`×`height` CSS pixels from the page's top left, beyond the
/// viewport: the whole page in one PNG (base64 in the answer's `data`); with a height of 0,
/// the viewport.
#[derive(Debug)]
pub(crate) struct CaptureFullPage {
    pub width: f64,
    pub height: f64,
}

impl WebDriverCompatibleCommand for CaptureFullPage {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        // `optimizeForSpeed`: a quicker PNG encoding (a somewhat larger file).
        let body = if self.height > 0.0 {
            serde_json::json!({ "cmd": "Page.captureScreenshot", "params": {
                "format": "png",
                "optimizeForSpeed": true,
                "captureBeyondViewport": true,
                "clip": { "x": 0, "y": 0, "width": self.width, "height": self.height, "scale": 1 },
            } })
        } else {
            serde_json::json!({ "cmd": "Page.captureScreenshot", "params": {
                "format": "png",
                "optimizeForSpeed": true,
            } })
        };
        (http::Method::POST, Some(body.to_string()))
    }
}

/// `Page.addScriptToEvaluateOnNewDocument`: runs `0` in every document the page loads from
/// now on (and its frames), before the document's own scripts.
pub(crate) struct AddScriptOnNewDocument(pub String);

impl std::fmt::Debug for AddScriptOnNewDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AddScriptOnNewDocument({} bytes)", self.0.len())
    }
}

impl WebDriverCompatibleCommand for AddScriptOnNewDocument {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/goog/cdp/execute", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body =
            serde_json::json!({ "cmd": "Page.addScriptToEvaluateOnNewDocument", "params": { "source": self.0 } });
        (http::Method::POST, Some(body.to_string()))
    }
}
