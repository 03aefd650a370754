//! A resolved locator (placeholders filled in), as sent to the in-page locate script.

use serde::Serialize;

use crate::flow::model::MatchMode;

/// A text to match, whitespace-normalised and case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextQuery {
    pub text: String,
    pub mode: MatchMode,
}

/// What to look for. Serialized as JSON for the in-page script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "lowercase")]
pub enum Query {
    Text {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    Label {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    Role {
        role: String,
        name: Option<TextQuery>,
        popup: bool,
        within: Option<Box<Query>>,
    },
    Placeholder {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    Css {
        css: String,
        within: Option<Box<Query>>,
    },
    Xpath {
        xpath: String,
        within: Option<Box<Query>>,
    },
    Any {
        alternatives: Vec<Query>,
    },
}
