//! Locators become queries: a flow [`Locator`] with its `${…}` placeholders filled in becomes the
//! [`Query`] the browser's locate script takes. This is where the flow and the browser meet, so
//! that neither depends on the other.

use crate::browser::query::{self, Query, TextQuery};
use crate::flow::bind::{RenderError, Vars};
use crate::flow::model::{By, Locator, MatchMode, TextMatch};

/// A flow item that resolves to a browser query once the placeholders are bound.
pub trait ToQuery {
    type Query;
    /// The query, placeholders filled in.
    fn to_query(&self, vars: &Vars) -> Result<Self::Query, RenderError>;
}

impl ToQuery for TextMatch {
    type Query = TextQuery;

    /// The text to look for, placeholders filled in.
    fn to_query(&self, vars: &Vars) -> Result<TextQuery, RenderError> {
        Ok(TextQuery {
            text: vars.render(&self.text)?,
            mode: match self.mode {
                MatchMode::Exact => query::MatchMode::Exact,
                MatchMode::Contains => query::MatchMode::Contains,
            },
        })
    }
}

impl ToQuery for Locator {
    type Query = Query;

    /// The query for the in-page locate script, placeholders filled in. A `within` on an `any`
    /// applies to every alternative (innermost, after the alternative's own `within`).
    fn to_query(&self, vars: &Vars) -> Result<Query, RenderError> {
        let q = match &self.by {
            By::Text(t) => Query::Text {
                text: t.to_query(vars)?,
                within: None,
            },
            By::Label(t) => Query::Label {
                text: t.to_query(vars)?,
                within: None,
            },
            By::Placeholder(t) => Query::Placeholder {
                text: t.to_query(vars)?,
                within: None,
            },
            By::Role { role, name, popup } => Query::Role {
                role: role.clone(),
                name: name.as_ref().map(|n| n.to_query(vars)).transpose()?,
                popup: *popup,
                within: None,
            },
            By::Css(css) => Query::Css {
                css: css.clone(),
                within: None,
            },
            By::XPath(xpath) => Query::Xpath {
                xpath: xpath.clone(),
                within: None,
            },
            By::Any(alts) => Query::Any {
                alternatives: alts.iter().map(|a| a.to_query(vars)).collect::<Result<_, _>>()?,
            },
        };
        Ok(match &self.within {
            Some(w) => attach_within(q, w.to_query(vars)?),
            None => q,
        })
    }
}

fn within_slot(q: &mut Query) -> Option<&mut Option<Box<Query>>> {
    match q {
        Query::Text { within, .. }
        | Query::Label { within, .. }
        | Query::Role { within, .. }
        | Query::Placeholder { within, .. }
        | Query::Css { within, .. }
        | Query::Xpath { within, .. } => Some(within),
        Query::Any { .. } => None,
    }
}

/// Puts `outer` at the end of `q`'s `within` chain (into every alternative of an `any`).
fn attach_within(mut q: Query, outer: Query) -> Query {
    if let Query::Any { alternatives } = q {
        return Query::Any {
            alternatives: alternatives
                .into_iter()
                .map(|a| attach_within(a, outer.clone()))
                .collect(),
        };
    }
    if let Some(slot) = within_slot(&mut q) {
        *slot = Some(Box::new(match slot.take() {
            Some(inner) => attach_within(*inner, outer),
            None => outer,
        }));
    }
    q
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::bind::bind;
    use crate::flow::load::parse_str;
    use crate::flow::model::{Flow, Span};
    use std::path::Path;

    fn flow() -> Flow {
        parse_str(
            Path::new("t.toml"),
            r#"
name = "t"
title = "T"
[params.klantnummer]
example = "9401138"
[secrets.password]
env = "PW"
[[steps]]
title = "S"
  [[steps.actions]]
  fill = { label = "Wachtwoord", within = { any = [{ role = "dialog" }, { css = "form", within = { role = "main" } }] } }
  with = "${password}"
"#,
        )
        .unwrap()
    }

    #[test]
    fn within_on_any_reaches_every_alternative() {
        let f = flow();
        let v = bind(&f, &[("klantnummer".into(), "1".into())], &|_| Some("pw".into()), false).unwrap();
        let crate::flow::model::ActionKind::Fill { target, .. } = &f.steps[0].actions[0].kind else {
            panic!()
        };
        let q = target.to_query(&v).unwrap();
        let dialog = Query::Role {
            role: "dialog".into(),
            name: None,
            popup: false,
            within: None,
        };
        let main = Query::Role {
            role: "main".into(),
            name: None,
            popup: false,
            within: None,
        };
        assert_eq!(
            q,
            Query::Label {
                text: TextQuery {
                    text: "Wachtwoord".into(),
                    mode: query::MatchMode::Exact
                },
                within: Some(Box::new(Query::Any {
                    alternatives: vec![
                        dialog,
                        Query::Css {
                            css: "form".into(),
                            within: Some(Box::new(main))
                        }
                    ]
                }))
            }
        );
        // An `any` with a `within`: the within is pushed into each alternative.
        let any = Locator {
            by: By::Any(vec![
                Locator {
                    by: By::Css("a".into()),
                    within: None,
                    span: Span::default(),
                },
                Locator {
                    by: By::Css("b".into()),
                    within: Some(Box::new(Locator {
                        by: By::Css("c".into()),
                        within: None,
                        span: Span::default(),
                    })),
                    span: Span::default(),
                },
            ]),
            within: Some(Box::new(Locator {
                by: By::Css("w".into()),
                within: None,
                span: Span::default(),
            })),
            span: Span::default(),
        };
        let css = |c: &str, w: Option<Query>| Query::Css {
            css: c.into(),
            within: w.map(Box::new),
        };
        assert_eq!(
            any.to_query(&v).unwrap(),
            Query::Any {
                alternatives: vec![
                    css("a", Some(css("w", None))),
                    css("b", Some(css("c", Some(css("w", None))))),
                ]
            }
        );
    }
}
