//! Human-readable forms of flow items, for logs and reports: `click role button "Opslaan"`,
//! `fill label "Wachtwoord" with ${password}`. Templates are shown as written, never filled in,
//! so a secret can never leak through these.

use std::fmt;
use std::time::Duration;

use crate::flow::model::*;

impl fmt::Display for Template {
    /// A lone placeholder bare (`${gebruiker}`), anything else quoted (`"PostNL (${klantnummer})"`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.sole_var() {
            Some(_) => f.write_str(&self.raw),
            None => write!(f, "{:?}", self.raw),
        }
    }
}

impl fmt::Display for MatchMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            MatchMode::Exact => "exact",
            MatchMode::Contains => "contains",
        })
    }
}

impl fmt::Display for Phase {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Phase::Session => "session",
            Phase::Row => "row",
        })
    }
}

impl fmt::Display for FileKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FileKind::Pdf => "pdf",
        })
    }
}

impl fmt::Display for TextMatch {
    /// `"Opslaan"` (exact) or `containing "Nieuw"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.mode {
            MatchMode::Exact => write!(f, "{}", self.text),
            MatchMode::Contains => write!(f, "containing {}", self.text),
        }
    }
}

impl fmt::Display for Locator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.by {
            By::Text(t) => write!(f, "text {t}")?,
            By::Label(t) => write!(f, "label {t}")?,
            By::Placeholder(t) => write!(f, "placeholder {t}")?,
            By::Role { role, name, popup } => {
                write!(f, "role {role}")?;
                if let Some(n) = name {
                    write!(f, " {n}")?;
                }
                if *popup {
                    f.write_str(" with popup")?;
                }
            }
            By::Css(c) => write!(f, "css {c:?}")?,
            By::XPath(x) => write!(f, "xpath {x:?}")?,
            By::Any(alts) => {
                f.write_str("any[")?;
                for (i, a) in alts.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    write!(f, "{a}")?;
                }
                f.write_str("]")?;
            }
        }
        if let Some(w) = &self.within {
            write!(f, " within {w}")?;
        }
        Ok(())
    }
}

/// `15s`, `2.5s`.
fn secs(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{}s", d.as_secs())
    } else {
        format!("{s}s")
    }
}

impl fmt::Display for Expectation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expectation::Visible(l) => write!(f, "visible {l}"),
            Expectation::Url(t) => write!(f, "url {t}"),
            Expectation::Checked { target, checked } => {
                let w = if *checked { "checked" } else { "unchecked" };
                write!(f, "{w} {target}")
            }
            Expectation::Hidden(l) => write!(f, "hidden {l}"),
            Expectation::Content { target, of, want } => {
                let of = match of {
                    ContentOf::Text => "text",
                    ContentOf::Value => "value",
                };
                let verb = match want.mode {
                    MatchMode::Exact => "equals",
                    MatchMode::Contains => "contains",
                };
                write!(f, "{of} of {target} {verb} {}", want.text)
            }
        }
    }
}

impl fmt::Display for Condition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Condition::Visible { target, within } => {
                write!(f, "visible {target}")?;
                if let Some(w) = within {
                    write!(f, " (within {})", secs(*w))?;
                }
                Ok(())
            }
            Condition::SamePerson(a, b) => write!(f, "same_person({a}, {b})"),
            Condition::Equals(a, b) => write!(f, "equals({a}, {b})"),
            Condition::Not(c) => write!(f, "not {c}"),
        }
    }
}

impl fmt::Display for ActionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ActionKind::Goto(t) => write!(f, "goto {t}"),
            ActionKind::Click(l) => write!(f, "click {l}"),
            ActionKind::Fill { target, value } => write!(f, "fill {target} with {value}"),
            ActionKind::Select { from, option } => {
                write!(f, "select {option}")?;
                if let Some(from) = from {
                    write!(f, " from {from}")?;
                }
                Ok(())
            }
            ActionKind::SetChecked { target, checked } => {
                let w = if *checked { "check" } else { "uncheck" };
                write!(f, "{w} {target}")
            }
            ActionKind::Expect(e) => write!(f, "expect {e}"),
            ActionKind::WaitFor { target, reload_every } => {
                write!(f, "wait_for {target}")?;
                if let Some(r) = reload_every {
                    write!(f, " (reload every {})", secs(*r))?;
                }
                Ok(())
            }
            ActionKind::Download { target, expect } => {
                write!(f, "download {target}")?;
                if let Some(k) = expect {
                    write!(f, " (expect {k})")?;
                }
                Ok(())
            }
            ActionKind::Screenshot(name) => write!(f, "screenshot {name:?}"),
            ActionKind::Reload => f.write_str("reload"),
            ActionKind::Read { target, into } => write!(f, "read {target} into {into}"),
            ActionKind::If { condition, .. } => write!(f, "if {condition}"),
        }
    }
}

impl fmt::Display for Action {
    /// The action; ` (optional)` when it may be skipped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.kind)?;
        if self.optional {
            f.write_str(" (optional)")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use crate::flow::load::parse_str;
    use std::path::Path;

    #[test]
    fn actions_read_like_the_flow_file() {
        let f = parse_str(
            Path::new("t.toml"),
            r##"
name = "t"
title = "T"
[params.klantnummer]
[secrets.password]
env = "PW"
[[steps]]
title = "S"
  [[steps.actions]]
  click = { role = "button", name = "Opslaan" }
  [[steps.actions]]
  fill = { label = "Wachtwoord" }
  with = "${password}"
  [[steps.actions]]
  select = { option = "${klantnummer}", match = "contains" }
  [[steps.actions]]
  click = { any = [{ role = "button", name = "Sluiten" }, { text = "Later" }], within = { role = "dialog", name = "Nieuw", match = "contains" } }
  optional = true
  [[steps.actions]]
  wait_for = { text = "E-commerce Inzichten" }
  reload_every = 15
  [[steps.actions]]
  read = { role = "button", popup = true, within = { role = "banner" } }
  into = "wie"
  [[steps.actions]]
  if = { not = { visible = { css = "#x" }, within = 0.5 } }
    [[steps.actions.then]]
    goto = "/home/${klantnummer}"
  [[steps.actions]]
  expect = { url = "/apex", match = "contains" }
  [[steps.actions]]
  download = { xpath = "//a" }
  expect = "pdf"
"##,
        )
        .unwrap();
        let shown: Vec<String> = f.steps[0].actions.iter().map(|a| a.to_string()).collect();
        assert_eq!(
            shown,
            [
                r#"click role button "Opslaan""#,
                r#"fill label "Wachtwoord" with ${password}"#,
                r#"select containing ${klantnummer}"#,
                r#"click any[role button "Sluiten", text "Later"] within role dialog containing "Nieuw" (optional)"#,
                r#"wait_for text "E-commerce Inzichten" (reload every 15s)"#,
                r#"read role button with popup within role banner into wie"#,
                r##"if not visible css "#x" (within 0.5s)"##,
                r#"expect url containing "/apex""#,
                r#"download xpath "//a" (expect pdf)"#,
            ]
        );
    }
}
