//! A step's fingerprint, as `verify` records it: the page's path and title, the elements the
//! step touched (role and accessible name, as the flow's actions describe them) and the labelled
//! things around them, with the named groups they sit in. What the page says about the run's own
//! data (the klantnummer, the user's name) is written back as the flow's `${placeholder}`, so a
//! baseline holds labels and structure, not values.

use serde::{Deserialize, Serialize};

use crate::browser::fingerprint::{Item, PageFingerprint, Rect, TargetPrint, TargetSpec};
use crate::flow::bind::Vars;
use crate::flow::{ActionKind, By, Expectation, Flow, Locator};
use crate::run::query::ToQuery;

/// What `verify` compares between a step and its baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct StepFingerprint {
    /// The page's path at the end of the step.
    pub path: String,
    /// The page's title at the end of the step.
    pub title: String,
    /// The elements the step's actions touched, in order.
    pub targets: Vec<Target>,
    /// The labelled things around them, in document order, each once.
    pub context: Vec<Item>,
    /// Masked regions at the end of the step, in screenshot pixels (left out of the comparison).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub masks: Vec<Rect>,
}

/// An element a step's action touched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Target {
    /// The action, as the flow writes it: `check label "E-commerce inzichten"`.
    pub action: String,
    /// The element's role; empty when it was not on the page when looked for.
    pub role: String,
    /// Its accessible name; empty when the flow finds it without a name (a role, CSS).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub name: String,
}

impl StepFingerprint {
    /// Adds what the page said about one action's element.
    pub fn add_target(&mut self, action: String, t: TargetPrint) {
        self.targets.push(Target {
            action,
            role: t.role,
            name: t.name,
        });
        for item in t.items {
            if !self.context.contains(&item) {
                self.context.push(item);
            }
        }
    }

    /// Takes the page-wide facts (path, title, masked regions) of the step's end.
    pub fn finish(&mut self, page: PageFingerprint) {
        self.path = page.path;
        self.title = page.title;
        self.masks = page.masks;
    }

    /// Writes the values of the run's variables (parameters, secrets, what `read` stored) back as
    /// `${name}` (a secret's value as `***`), longest value first.
    pub fn template(&mut self, flow: &Flow, vars: &Vars) {
        let mut names: Vec<String> = flow.params.iter().map(|p| p.name.clone()).collect();
        names.extend(flow.secrets.iter().map(|s| s.name.clone()));
        for step in &flow.steps {
            for a in step.actions.iter().flat_map(|a| a.walk()) {
                if let ActionKind::Read { into, .. } = &a.kind {
                    names.push(into.clone());
                }
            }
        }
        let mut pairs: Vec<(String, String)> = names
            .into_iter()
            .filter_map(|n| vars.get(&n).map(|v| (v, format!("${{{n}}}"))))
            .chain(
                vars.secret_values()
                    .into_iter()
                    .map(|v| (v, crate::flow::MASK.to_string())),
            )
            .filter(|(v, _)| v.trim().chars().count() >= 3)
            .collect();
        pairs.sort_by_key(|(v, _)| std::cmp::Reverse(v.len()));
        pairs.dedup_by(|a, b| a.0 == b.0);
        let sub = |s: &mut String| {
            for (v, p) in &pairs {
                if s.contains(v.as_str()) {
                    *s = s.replace(v.as_str(), p);
                }
            }
        };
        sub(&mut self.title);
        for t in &mut self.targets {
            sub(&mut t.name);
        }
        for i in &mut self.context {
            sub(&mut i.name);
            sub(&mut i.group);
        }
    }
}

/// What to look up for an action that touches an element, and whether to look before the
/// action (a click may navigate away) rather than after it (the element is certainly there).
pub fn target_of(kind: &ActionKind, vars: &Vars) -> Option<(TargetSpec, bool)> {
    let by_locator = |l: &Locator| {
        l.to_query(vars).ok().map(|q| TargetSpec {
            query: Some(q),
            option: None,
            nameless: nameless(l),
        })
    };
    Some(match kind {
        ActionKind::Click(l) | ActionKind::Download { target: l, .. } => (by_locator(l)?, true),
        ActionKind::Fill { target: l, .. }
        | ActionKind::SetChecked { target: l, .. }
        | ActionKind::Read { target: l, .. }
        | ActionKind::WaitFor { target: l, .. }
        | ActionKind::Expect(Expectation::Visible(l))
        | ActionKind::Expect(Expectation::Content { target: l, .. })
        | ActionKind::Expect(Expectation::Checked { target: l, .. }) => (by_locator(l)?, false),
        ActionKind::Select { from: Some(l), .. } => (by_locator(l)?, false),
        ActionKind::Select { from: None, option } => (
            TargetSpec {
                query: None,
                option: Some(option.to_query(vars).ok()?),
                nameless: false,
            },
            false,
        ),
        _ => return None,
    })
}

/// The locator finds its element without naming it (a role alone, CSS, XPath).
fn nameless(l: &Locator) -> bool {
    match &l.by {
        By::Role { name, .. } => name.is_none(),
        By::Css(_) | By::XPath(_) => true,
        By::Any(alts) => alts.iter().all(nameless),
        _ => false,
    }
}
