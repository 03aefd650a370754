//! Frames: WebDriver acts in one browsing context at a time. The page script finds elements in
//! same-origin frames from the top document and hands them over through their frame's window;
//! acting switches into that frame (by its index path) and back to the top afterwards.
//! Cross-origin frames, which the page script cannot look into, are searched by switching into
//! them and running the page script there.

use fantoccini::elements::{Element, ElementRef};
use fantoccini::error::CmdError;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde::Deserialize;
use serde_json::Value;

use super::client::Browser;
use super::engine::ELEMENT_KEY;

/// `Switch To Frame` with `null`: back to the top-level browsing context (fantoccini only
/// switches by index or to the parent).
#[derive(Debug)]
struct SwitchToTop;

impl WebDriverCompatibleCommand for SwitchToTop {
    fn endpoint(&self, base_url: &url::Url, session_id: Option<&str>) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!("session/{}/frame", session_id.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (http::Method::POST, Some(r#"{"id":null}"#.to_string()))
    }
}

/// A frame the page script could not look into (cross-origin).
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct OpaqueFrame {
    /// `window.frames` indexes from the top, outermost first.
    pub path: Vec<u16>,
    /// How a person names it (title, name, address).
    pub name: String,
}

impl Browser {
    /// Switches the WebDriver context into the frame at `path` (from the top document).
    pub(crate) async fn enter_frames(&self, path: &[u16]) -> Result<(), CmdError> {
        for &i in path {
            self.wd(self.client.enter_frame(i)).await?;
        }
        Ok(())
    }

    /// Back to the top-level document.
    pub(crate) async fn to_top(&self) -> Result<(), CmdError> {
        self.wd(self.client.issue_cmd(SwitchToTop)).await.map(|_| ())
    }

    /// In the current (frame) context: the element the page script handed over.
    pub(crate) async fn handed_over(&self) -> Result<Option<Element>, CmdError> {
        let v = self
            .wd(self.client.execute("return window.__postnlRobotTarget || null", vec![]))
            .await?;
        Ok(element_from(&self.client, &v))
    }
}

/// A WebDriver element reference in JSON as a fantoccini [`Element`].
pub(crate) fn element_from(client: &fantoccini::Client, v: &Value) -> Option<Element> {
    let id = v.get(ELEMENT_KEY)?.as_str()?;
    Some(Element::from_element_id(
        client.clone(),
        ElementRef::from(id.to_string()),
    ))
}
