//! A resolved locator (placeholders filled in), as sent to the page script's `locate`.
//!
//! [`Query`] is what the flow layer produces from a `Locator` once `${…}` placeholders are bound.
//! It is serialised to JSON for the page script's `locate` (`js/locate.js`) and displayed to
//! people in errors, e.g. `role button "Opslaan" within role dialog`.
//!
//! How `locate` matches (texts are always whitespace-normalised and case-insensitive; `exact`
//! compares the whole text, `contains` a part; only visible elements count — no `display:none`,
//! `visibility:hidden`, zero opacity, ≤1 px boxes or boxes pushed off the page):
//! - `text`: the innermost elements whose rendered text matches (plus button-type inputs by
//!   value); when none does, elements whose own text matches without their child elements (a
//!   title with a "Nieuw" badge inside). For an interaction, or when several match, each match
//!   is mapped to its closest interactive ancestor (link, button, form control, label, ARIA
//!   widget role, `[onclick]`, `[tabindex>=0]`) and interactive ones win.
//! - `label`: form controls (and ARIA checkbox/combobox/textbox/listbox…, toggle buttons with
//!   `aria-pressed`, tree items/options with `aria-checked`) by `label[for]`, a wrapping label,
//!   `aria-labelledby` or `aria-label`, else their placeholder or title; a control hidden behind
//!   its visible label counts as visible. Fallback: a lone control in the same row as the text
//!   (no `<label>`: a `role=checkbox` span with its text next to it).
//! - `role`: explicit or implicit ARIA role, accessible name from `aria-labelledby`,
//!   `aria-label`, labels, button values, `alt`, content (for roles named by content; an
//!   icon's `alt`/`aria-label`/svg `<title>` when there is no text), `title`; the `title`
//!   tooltip also matches a name (an icon button showing "×"). `dialog` includes `alertdialog`
//!   and role-less `aria-modal="true"` elements. `popup` needs `aria-haspopup` (not `false`) or
//!   `aria-expanded`.
//! - `placeholder`, `css`, `xpath`: as they say.
//! - `within`: the container must be exactly one visible element; the search stays inside it.
//! - `any`: the first alternative that finds exactly one visible element.
//!
//! Shadow DOM and iframes are not searched.

use std::fmt;

use serde::Serialize;

/// How a text is compared (always whitespace-normalised and case-insensitive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// The whole text equals the wanted text.
    #[default]
    Exact,
    /// The text contains the wanted text.
    Contains,
}

/// A text to match, whitespace-normalised and case-insensitive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TextQuery {
    pub text: String,
    pub mode: MatchMode,
}

impl TextQuery {
    /// The whole normalised text must equal `text`.
    pub fn exact(text: impl Into<String>) -> Self {
        TextQuery {
            text: text.into(),
            mode: MatchMode::Exact,
        }
    }

    /// The normalised text must contain `text`.
    pub fn contains(text: impl Into<String>) -> Self {
        TextQuery {
            text: text.into(),
            mode: MatchMode::Contains,
        }
    }
}

impl fmt::Display for TextQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            MatchMode::Exact => write!(f, "{:?}", self.text),
            MatchMode::Contains => write!(f, "containing {:?}", self.text),
        }
    }
}

/// What to look for. Serialized as JSON for the in-page script.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "by", rename_all = "lowercase")]
pub enum Query {
    /// Visible text (innermost elements whose text matches).
    Text {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    /// A form control by its label (`label[for]`, wrapping label, `aria-label(ledby)`).
    Label {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    /// ARIA role (explicit or implicit), optionally its accessible name; `popup` requires a
    /// menu button (`aria-haspopup` or `aria-expanded`).
    Role {
        role: String,
        name: Option<TextQuery>,
        popup: bool,
        within: Option<Box<Query>>,
    },
    /// The `placeholder` of an input or textarea.
    Placeholder {
        text: TextQuery,
        within: Option<Box<Query>>,
    },
    /// A CSS selector (last resort).
    Css { css: String, within: Option<Box<Query>> },
    /// An XPath expression (last resort).
    Xpath { xpath: String, within: Option<Box<Query>> },
    /// Alternatives in order: the first that finds exactly one visible element wins.
    Any { alternatives: Vec<Query> },
}

impl Query {
    /// `text "…"` (exact).
    pub fn text(text: impl Into<String>) -> Self {
        Query::Text {
            text: TextQuery::exact(text),
            within: None,
        }
    }

    /// `text containing "…"`.
    pub fn text_containing(text: impl Into<String>) -> Self {
        Query::Text {
            text: TextQuery::contains(text),
            within: None,
        }
    }

    /// `label "…"` (exact).
    pub fn label(text: impl Into<String>) -> Self {
        Query::Label {
            text: TextQuery::exact(text),
            within: None,
        }
    }

    /// `role ROLE` with an optional exact name.
    pub fn role(role: impl Into<String>, name: Option<&str>) -> Self {
        Query::Role {
            role: role.into(),
            name: name.map(TextQuery::exact),
            popup: false,
            within: None,
        }
    }

    /// `placeholder "…"` (exact).
    pub fn placeholder(text: impl Into<String>) -> Self {
        Query::Placeholder {
            text: TextQuery::exact(text),
            within: None,
        }
    }

    /// `css "…"`.
    pub fn css(css: impl Into<String>) -> Self {
        Query::Css {
            css: css.into(),
            within: None,
        }
    }

    /// `xpath "…"`.
    pub fn xpath(xpath: impl Into<String>) -> Self {
        Query::Xpath {
            xpath: xpath.into(),
            within: None,
        }
    }

    /// `any[…]`.
    pub fn any(alternatives: Vec<Query>) -> Self {
        Query::Any { alternatives }
    }

    /// The same query, searched only inside the one element `container` finds.
    /// On `Any`, applies to every alternative.
    pub fn within(self, container: Query) -> Self {
        let boxed = Some(Box::new(container.clone()));
        match self {
            Query::Text { text, .. } => Query::Text { text, within: boxed },
            Query::Label { text, .. } => Query::Label { text, within: boxed },
            Query::Role { role, name, popup, .. } => Query::Role {
                role,
                name,
                popup,
                within: boxed,
            },
            Query::Placeholder { text, .. } => Query::Placeholder { text, within: boxed },
            Query::Css { css, .. } => Query::Css { css, within: boxed },
            Query::Xpath { xpath, .. } => Query::Xpath { xpath, within: boxed },
            Query::Any { alternatives } => Query::Any {
                alternatives: alternatives.into_iter().map(|a| a.within(container.clone())).collect(),
            },
        }
    }

    /// For a `Role` query: require a menu button (`aria-haspopup`/`aria-expanded`).
    pub fn popup(self) -> Self {
        match self {
            Query::Role { role, name, within, .. } => Query::Role {
                role,
                name,
                popup: true,
                within,
            },
            other => other,
        }
    }

    /// The container this query searches in, if any.
    pub fn container(&self) -> Option<&Query> {
        match self {
            Query::Text { within, .. }
            | Query::Label { within, .. }
            | Query::Role { within, .. }
            | Query::Placeholder { within, .. }
            | Query::Css { within, .. }
            | Query::Xpath { within, .. } => within.as_deref(),
            Query::Any { .. } => None,
        }
    }
}

impl fmt::Display for Query {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Query::Text { text, .. } => write!(f, "text {text}")?,
            Query::Label { text, .. } => write!(f, "label {text}")?,
            Query::Role { role, name, popup, .. } => {
                write!(f, "role {role}")?;
                if let Some(name) = name {
                    write!(f, " {name}")?;
                }
                if *popup {
                    write!(f, " (popup)")?;
                }
            }
            Query::Placeholder { text, .. } => write!(f, "placeholder {text}")?,
            Query::Css { css, .. } => write!(f, "css {css:?}")?,
            Query::Xpath { xpath, .. } => write!(f, "xpath {xpath:?}")?,
            Query::Any { alternatives } => {
                write!(f, "any[")?;
                for (i, a) in alternatives.iter().enumerate() {
                    if i > 0 {
                        write!(f, " | ")?;
                    }
                    write!(f, "{a}")?;
                }
                write!(f, "]")?;
            }
        }
        if let Some(c) = self.container() {
            write!(f, " within {c}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_reads_like_a_person() {
        assert_eq!(
            Query::role("button", Some("Opslaan")).to_string(),
            r#"role button "Opslaan""#
        );
        assert_eq!(Query::text("Mijn Account").to_string(), r#"text "Mijn Account""#);
        assert_eq!(
            Query::text_containing("9401138").to_string(),
            r#"text containing "9401138""#
        );
        assert_eq!(
            Query::role("button", None)
                .popup()
                .within(Query::role("banner", None))
                .to_string(),
            "role button (popup) within role banner"
        );
        assert_eq!(
            Query::any(vec![Query::label("E-mailadres"), Query::css("#email")]).to_string(),
            r##"any[label "E-mailadres" | css "#email"]"##
        );
    }

    #[test]
    fn serialises_for_the_script() {
        let q = Query::text_containing("x").within(Query::css("main"));
        let v = serde_json::to_value(&q).unwrap();
        assert_eq!(v["by"], "text");
        assert_eq!(v["text"]["mode"], "contains");
        assert_eq!(v["within"]["by"], "css");
        assert_eq!(v["within"]["css"], "main");
    }
}
