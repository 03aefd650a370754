//! geckodriver's own commands (also forwarded by Selenium Grid for Firefox nodes).

use fantoccini::wd::WebDriverCompatibleCommand;

/// `GET /session/{id}/moz/screenshot/full`: the whole page as a base64 PNG, beyond the viewport.
#[derive(Debug)]
pub(crate) struct FullScreenshot;

impl WebDriverCompatibleCommand for FullScreenshot {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/moz/screenshot/full",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::GET, None)
    }
}
