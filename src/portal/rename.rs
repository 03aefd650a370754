//! `--rename OLD=NEW`: a release that shows a label under another text. Applied to every page
//! the server renders, in every rendition: a text node whose whole (trimmed) text is OLD, and the
//! attributes people read (`aria-label`, `placeholder`, `title`, `alt`, and the `value` of an
//! `<input>` button) when their whole value is OLD. Form values, ids, data attributes, scripts
//! and styles are left alone, so a form still submits the same keys and the state does not
//! change. Texts that page scripts create at run time (status messages, the cookie bar) keep
//! their wording.

use std::fmt;
use std::str::FromStr;

use super::html::esc;

/// One `OLD=NEW`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rename {
    pub old: String,
    pub new: String,
}

impl FromStr for Rename {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.split_once('=') {
            Some((old, new)) if !old.trim().is_empty() && !new.trim().is_empty() => Ok(Rename {
                old: old.trim().to_string(),
                new: new.trim().to_string(),
            }),
            _ => Err(format!("expected OLD=NEW (both non-empty), got '{s}'")),
        }
    }
}

impl fmt::Display for Rename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.old, self.new)
    }
}

/// Attributes whose value is read by people (and by a robot that locates like one).
const READ_ATTRIBUTES: &[&str] = &["aria-label", "placeholder", "title", "alt"];
/// `<input type=…>` whose `value` is its visible text.
const BUTTON_INPUTS: &[&str] = &["submit", "button", "reset"];

/// The renames of one replica, as escaped HTML (the form they have in the rendered pages).
#[derive(Debug, Clone, Default)]
pub(crate) struct Renames {
    pairs: Vec<(String, String)>,
}

impl Renames {
    pub fn new(list: &[Rename]) -> Self {
        Renames {
            pairs: list.iter().map(|r| (esc(&r.old), esc(&r.new))).collect(),
        }
    }

    fn lookup(&self, escaped: &str) -> Option<&str> {
        self.pairs
            .iter()
            .find(|(old, _)| old == escaped)
            .map(|(_, new)| new.as_str())
    }

    /// The page with every rename applied.
    pub fn apply(&self, html: String) -> String {
        if self.pairs.is_empty() {
            return html;
        }
        let mut out = String::with_capacity(html.len());
        let mut rest = html.as_str();
        while let Some(lt) = rest.find('<') {
            self.text(&rest[..lt], &mut out);
            rest = &rest[lt..];
            if let Some(comment) = rest.strip_prefix("<!--") {
                let end = comment.find("-->").map_or(rest.len(), |i| i + 4 + 3);
                out.push_str(&rest[..end]);
                rest = &rest[end..];
                continue;
            }
            let end = tag_end(rest);
            let tag = &rest[..end];
            self.tag(tag, &mut out);
            rest = &rest[end..];
            // Raw text: leave scripts and styles as they are.
            let name = tag_name(tag).to_ascii_lowercase();
            if (name == "script" || name == "style") && !tag.starts_with("</") && !tag.ends_with("/>") {
                let close = format!("</{name}");
                let i = rest.find(&close).unwrap_or(rest.len());
                out.push_str(&rest[..i]);
                rest = &rest[i..];
            }
        }
        self.text(rest, &mut out);
        out
    }

    fn text(&self, t: &str, out: &mut String) {
        match self.lookup(t.trim()) {
            Some(new) if !t.trim().is_empty() => {
                let start = t.len() - t.trim_start().len();
                let end = t.trim_end().len();
                out.push_str(&t[..start]);
                out.push_str(new);
                out.push_str(&t[end..]);
            }
            _ => out.push_str(t),
        }
    }

    fn tag(&self, tag: &str, out: &mut String) {
        let attrs = attributes(tag);
        let is_button_input = tag_name(tag).eq_ignore_ascii_case("input")
            && attrs.iter().any(|a| {
                a.name.eq_ignore_ascii_case("type")
                    && BUTTON_INPUTS
                        .iter()
                        .any(|t| t.eq_ignore_ascii_case(&tag[a.value.clone()]))
            });
        let mut last = 0;
        for a in &attrs {
            let readable = READ_ATTRIBUTES.iter().any(|n| n.eq_ignore_ascii_case(a.name))
                || (is_button_input && a.name.eq_ignore_ascii_case("value"));
            if !readable {
                continue;
            }
            if let Some(new) = self.lookup(&tag[a.value.clone()]) {
                out.push_str(&tag[last..a.value.start]);
                out.push_str(new);
                last = a.value.end;
            }
        }
        out.push_str(&tag[last..]);
    }
}

/// The length of the tag at the start of `s` (through its `>`, quotes respected).
fn tag_end(s: &str) -> usize {
    let mut quote = None;
    for (i, c) in s.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, '>') => return i + 1,
            _ => {}
        }
    }
    s.len()
}

/// "div" for `<div class="x">`, "script" for `</script>`.
fn tag_name(tag: &str) -> &str {
    let t = tag.trim_start_matches('<').trim_start_matches('/');
    let end = t
        .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
        .unwrap_or(t.len());
    &t[..end]
}

struct Attribute<'a> {
    name: &'a str,
    /// Byte range of the value inside the tag (quotes excluded).
    value: std::ops::Range<usize>,
}

/// The attributes of a start tag that have a value.
fn attributes(tag: &str) -> Vec<Attribute<'_>> {
    let bytes = tag.as_bytes();
    let mut out = Vec::new();
    let mut i = 1 + tag_name(tag).len();
    let n = bytes.len();
    while i < n {
        while i < n && (bytes[i].is_ascii_whitespace() || bytes[i] == b'/') {
            i += 1;
        }
        let start = i;
        while i < n && !bytes[i].is_ascii_whitespace() && !matches!(bytes[i], b'=' | b'>' | b'/') {
            i += 1;
        }
        let name = &tag[start..i];
        if name.is_empty() {
            break;
        }
        if i < n && bytes[i] == b'=' {
            i += 1;
            let (vs, ve) = match bytes.get(i) {
                Some(q @ (b'"' | b'\'')) => {
                    let vs = i + 1;
                    let ve = tag[vs..].find(*q as char).map_or(n, |j| vs + j);
                    i = (ve + 1).min(n);
                    (vs, ve)
                }
                _ => {
                    let vs = i;
                    while i < n && !bytes[i].is_ascii_whitespace() && bytes[i] != b'>' {
                        i += 1;
                    }
                    (vs, i)
                }
            };
            out.push(Attribute { name, value: vs..ve });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn renames(list: &[&str]) -> Renames {
        let list: Vec<Rename> = list.iter().map(|s| s.parse().unwrap()).collect();
        Renames::new(&list)
    }

    #[test]
    fn parses_old_new() {
        let r: Rename = "E-commerce inzichten=E-commerce Insights".parse().unwrap();
        assert_eq!(r.old, "E-commerce inzichten");
        assert_eq!(r.new, "E-commerce Insights");
        assert!("Notificaties".parse::<Rename>().is_err());
        assert!("=x".parse::<Rename>().is_err());
        assert!("x=".parse::<Rename>().is_err());
    }

    #[test]
    fn renames_whole_texts_and_readable_attributes_only() {
        let r = renames(&["Notificaties=Meldingen", "Track & Trace=Volgen", "Inloggen=Aanmelden"]);
        let page = r#"<label for="a"> Notificaties </label><input type="checkbox" value="Notificaties" aria-label="Notificaties">
<p>Notificaties en meer</p><h3>Track &amp; Trace</h3><input type="submit" value="Inloggen"><input name="x" value="Inloggen">
<script>var x = '<b>Notificaties</b>';</script><style>.a > b {}</style><span data-name="Notificaties">Notificaties</span>"#;
        let out = r.apply(page.to_string());
        assert!(out.contains(r#"<label for="a"> Meldingen </label>"#), "{out}");
        assert!(out.contains(r#"value="Notificaties" aria-label="Meldingen">"#), "{out}");
        assert!(out.contains("<p>Notificaties en meer</p>"), "{out}");
        assert!(out.contains("<h3>Volgen</h3>"), "{out}");
        assert!(out.contains(r#"<input type="submit" value="Aanmelden">"#), "{out}");
        assert!(out.contains(r#"<input name="x" value="Inloggen">"#), "{out}");
        assert!(out.contains("var x = '<b>Notificaties</b>';"), "{out}");
        assert!(out.contains(".a > b {}"), "{out}");
        assert!(
            out.contains(r#"<span data-name="Notificaties">Meldingen</span>"#),
            "{out}"
        );
    }

    #[test]
    fn no_renames_leave_the_page_untouched() {
        let page = "<p>Notificaties</p>".to_string();
        assert_eq!(Renames::default().apply(page.clone()), page);
    }
}
