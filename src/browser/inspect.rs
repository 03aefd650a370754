//! What `inspect` reads from a page (the page script's `inspect`, `js/inspect.js`): every
//! visible control, link, button and heading with its role, name, labels and region, and how
//! to print them as ready-to-paste flow locators.

use serde::Deserialize;

use super::client::Browser;
use super::error::BrowserError;

/// One element a person sees.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Seen {
    pub role: String,
    /// Its accessible name (may be empty).
    pub name: String,
    /// The labels of a form control.
    pub labels: Vec<String>,
    /// The innermost landmark or dialog it is in (`banner`, `main`, `dialog`, …), or empty.
    pub region: String,
    pub region_name: String,
    /// The frames it is in, outermost first (`a › b`), or empty.
    pub frame: String,
}

impl Browser {
    /// Lists what the current page shows (one script call).
    pub async fn inspect(&self) -> Result<Vec<Seen>, BrowserError> {
        let _trace = self.trace_op("inspect");
        let v = self.call("inspect", vec![]).await?;
        serde_json::from_value(v).map_err(|e| BrowserError::WebDriver(fantoccini::error::CmdError::Json(e)))
    }
}

/// The elements as flow-file locators grouped by region, in the order regions first appear:
/// `{ role = "checkbox", name = "E-commerce inzichten" }` and, for labelled controls, the
/// `{ label = "…" }` alternative on the same line.
pub fn render(seen: &[Seen]) -> String {
    let mut groups: Vec<(String, Vec<String>)> = Vec::new();
    for s in seen {
        let Some(line) = line(s) else { continue };
        let head = heading(s);
        let i = match groups.iter().position(|(h, _)| *h == head) {
            Some(i) => i,
            None => {
                groups.push((head, vec![]));
                groups.len() - 1
            }
        };
        if !groups[i].1.contains(&line) {
            groups[i].1.push(line);
        }
    }
    let mut out = String::new();
    for (head, lines) in groups {
        out.push_str(&format!("# {head}\n"));
        for l in lines {
            out.push_str(&l);
            out.push('\n');
        }
        out.push('\n');
    }
    out
}

fn heading(s: &Seen) -> String {
    let mut h = if s.region.is_empty() {
        "page".to_string()
    } else {
        s.region.clone()
    };
    if !s.region_name.is_empty() {
        h.push_str(&format!(" \"{}\"", s.region_name));
    }
    if !s.frame.is_empty() {
        h.push_str(&format!(" (in frame \"{}\")", s.frame));
    }
    h
}

fn line(s: &Seen) -> Option<String> {
    let by_role = (!s.name.is_empty()).then(|| format!("{{ role = {}, name = {} }}", quote(&s.role), quote(&s.name)));
    let by_label = s.labels.first().map(|l| format!("{{ label = {} }}", quote(l)));
    let by_text = matches!(s.role.as_str(), "heading" | "link")
        .then(|| (!s.name.is_empty()).then(|| format!("{{ text = {} }}", quote(&s.name))))
        .flatten();
    let alts: Vec<String> = [by_role, by_label, by_text].into_iter().flatten().collect();
    match alts.as_slice() {
        [] => None,
        [one] => Some(one.clone()),
        [first, rest @ ..] => Some(format!("{first:<60}  # or {}", rest.join(" / "))),
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    let mut q = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => q.push_str("\\\""),
            '\\' => q.push_str("\\\\"),
            c if c.is_control() => q.push(' '),
            c => q.push(c),
        }
    }
    q.push('"');
    q
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(role: &str, name: &str, labels: &[&str], region: &str) -> Seen {
        Seen {
            role: role.into(),
            name: name.into(),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            region: region.into(),
            ..Seen::default()
        }
    }

    #[test]
    fn groups_by_region_with_label_alternatives_and_toml_quoting() {
        let out = render(&[
            seen("button", "GATUser, PostNL", &[], "banner"),
            seen("checkbox", "E-commerce inzichten", &["E-commerce inzichten"], "main"),
            seen("link", "Zeg \"hoi\"", &[], "main"),
            seen("button", "GATUser, PostNL", &[], "banner"),
            seen("textbox", "", &[], "main"),
        ]);
        let squeezed: Vec<String> = out
            .lines()
            .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
            .collect();
        assert_eq!(
            squeezed,
            [
                "# banner",
                "{ role = \"button\", name = \"GATUser, PostNL\" }",
                "",
                "# main",
                "{ role = \"checkbox\", name = \"E-commerce inzichten\" } # or { label = \"E-commerce inzichten\" }",
                "{ role = \"link\", name = \"Zeg \\\"hoi\\\"\" } # or { text = \"Zeg \\\"hoi\\\"\" }",
                "",
            ]
        );
    }
}
