//! Validation: the checks that need a file's whole model rather than one table — which
//! `${variables}` are in scope where, unique step titles and handler names, names a `read` may not
//! reuse, screenshot names.
//!
//! A pass of its own over the [`Flow`] model that [`crate::flow::parse`] built for one file (its
//! own steps; included sub-flows not yet inlined). [`crate::flow::load`] runs it after the
//! included files are loaded, because they add to the scope.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::ops::Range;

use crate::flow::lang::{self, VarKind};
use crate::flow::model::*;
use crate::flow::span::{FlowError, LineIndex};

/// What the files a flow includes add to its scope.
#[derive(Debug, Clone)]
pub struct Scope {
    /// For each step (by index) that includes a sub-flow: the variables the sub-flow reads; they
    /// are in scope from that step on.
    pub reads_by_step: BTreeMap<usize, Vec<String>>,
    /// False when an included file could not be loaded: the names it declares are unknown, so
    /// undefined variables are not reported (they would only echo that file's errors).
    pub complete: bool,
}

impl Default for Scope {
    fn default() -> Self {
        Scope {
            reads_by_step: BTreeMap::new(),
            complete: true,
        }
    }
}

/// Checks `flow`, the model of the file whose text is `src` (its `params` and `secrets` already
/// including those merged from sub-flows). Returns the problems found, in no particular order.
pub fn validate(flow: &Flow, src: &str, scope: &Scope) -> Vec<FlowError> {
    let mut declared = HashMap::new();
    for p in &flow.params {
        declared.entry(p.name.as_str()).or_insert(VarKind::Param);
    }
    for s in &flow.secrets {
        declared.entry(s.name.as_str()).or_insert(VarKind::Secret);
    }
    let mut c = Checker {
        flow,
        src,
        lines: None,
        declared,
        reads: BTreeSet::new(),
        check_vars: scope.complete,
        errors: Vec::new(),
    };
    c.handlers();
    // Handlers run at any moment: what they read is not in scope for the steps, and vice versa.
    c.reads.clear();
    c.steps(scope);
    c.errors
}

struct Checker<'a> {
    flow: &'a Flow,
    src: &'a str,
    /// Built on the first error: most files have none.
    lines: Option<LineIndex>,
    declared: HashMap<&'a str, VarKind>,
    /// Variables set by `read … into` so far.
    reads: BTreeSet<String>,
    check_vars: bool,
    errors: Vec<FlowError>,
}

impl<'a> Checker<'a> {
    fn err_at(&mut self, span: Span, message: impl Into<String>, help: Option<String>) {
        let e = FlowError::at(&self.flow.path, self.src, span, message).with_help_opt(help);
        self.errors.push(e);
    }

    fn err(&mut self, r: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let src = self.src;
        let span = self.lines.get_or_insert_with(|| LineIndex::new(src)).span(src, r);
        self.err_at(span, message, help);
    }

    fn handlers(&mut self) {
        let mut names = HashSet::new();
        for h in &self.flow.handlers {
            if !names.insert(h.name.as_str()) {
                self.err_at(h.name_span, format!("duplicate handler name \"{}\"", h.name), None);
            }
            self.locator(&h.when);
            self.actions(&h.actions);
        }
    }

    fn steps(&mut self, scope: &Scope) {
        // Step titles name screenshots and report sections: they must be unique.
        let mut titles: HashMap<&str, usize> = HashMap::new();
        for (i, step) in self.flow.steps.iter().enumerate() {
            match titles.get(step.title.as_str()) {
                Some(first) => {
                    let help = format!("first used at line {first}");
                    let message = format!("duplicate step title \"{}\"", step.title);
                    self.err_at(step.title_span, message, Some(help));
                }
                None => {
                    titles.insert(&step.title, step.title_span.line);
                }
            }
            if let Some(c) = &step.when {
                self.condition(c);
            }
            if let Some(l) = &step.fail_when {
                self.locator(l);
            }
            if let Some(reads) = scope.reads_by_step.get(&i) {
                self.reads.extend(reads.iter().cloned());
            }
            self.actions(&step.actions);
        }
    }

    fn actions(&mut self, actions: &'a [Action]) {
        for a in actions {
            self.action(a);
        }
    }

    fn action(&mut self, a: &'a Action) {
        match &a.kind {
            ActionKind::Goto(t) => self.template(t),
            ActionKind::Click(l)
            | ActionKind::SetChecked { target: l, .. }
            | ActionKind::WaitFor { target: l, .. }
            | ActionKind::Download { target: l, .. } => self.locator(l),
            ActionKind::Fill { target, value } => {
                self.locator(target);
                self.template(value);
            }
            ActionKind::Select { from, option } => {
                self.template(&option.text);
                if let Some(f) = from {
                    self.locator(f);
                }
            }
            ActionKind::Expect(Expectation::Visible(l))
            | ActionKind::Expect(Expectation::Hidden(l))
            | ActionKind::Expect(Expectation::Checked { target: l, .. }) => self.locator(l),
            ActionKind::Expect(Expectation::Content { target, want, .. }) => {
                self.locator(target);
                self.template(&want.text);
            }
            ActionKind::Expect(Expectation::Url(t)) => self.template(&t.text),
            ActionKind::Screenshot(name) => {
                if name.contains("${") {
                    self.err_at(
                        a.span,
                        "a screenshot name is taken as written: `${…}` is not filled in",
                        Some("use a fixed name, e.g. \"na-opslaan\"".into()),
                    );
                }
            }
            ActionKind::Reload => {}
            ActionKind::Read { target, into } => {
                self.locator(target);
                if let Some(kind) = self.declared.get(into.as_str()) {
                    let message = format!("`{into}` is already a {}", kind.noun());
                    self.err_at(a.span, message, Some("read into a new name".into()));
                }
                self.reads.insert(into.clone());
            }
            ActionKind::If {
                condition,
                then,
                otherwise,
            } => {
                self.condition(condition);
                self.actions(then);
                self.actions(otherwise);
            }
        }
    }

    fn condition(&mut self, c: &'a Condition) {
        match c {
            Condition::Visible { target, .. } => self.locator(target),
            Condition::SamePerson(a, b) | Condition::Equals(a, b) => {
                self.template(a);
                self.template(b);
            }
            Condition::Not(inner) => self.condition(inner),
        }
    }

    fn locator(&mut self, l: &'a Locator) {
        match &l.by {
            By::Text(t) | By::Label(t) | By::Placeholder(t) => self.template(&t.text),
            By::Role { name, .. } => {
                if let Some(n) = name {
                    self.template(&n.text);
                }
            }
            By::Css(_) | By::XPath(_) => {}
            By::Any(alts) => {
                for alt in alts {
                    self.locator(alt);
                }
            }
        }
        if let Some(w) = &l.within {
            self.locator(w);
        }
    }

    /// Checks every `${name}` in `t` is a declared parameter or secret, or was read earlier.
    fn template(&mut self, t: &Template) {
        if !t.raw.contains("${") {
            return;
        }
        let src = self.src.get(t.span.range()).unwrap_or_default();
        let mut searched = 0;
        for piece in t.pieces() {
            match piece {
                Piece::Literal(_) => {}
                Piece::Unclosed { .. } => {
                    let at = src[searched..].find("${").map_or(0, |i| searched + i);
                    let start = t.span.start + at;
                    self.err(
                        start..start + 2,
                        "unclosed `${` in string",
                        Some("write `${name}`".into()),
                    );
                }
                Piece::Var { name, .. } => {
                    let needle = format!("${{{name}}}");
                    let range = match src[searched..].find(&needle) {
                        Some(i) => {
                            let start = t.span.start + searched + i;
                            searched += i + needle.len();
                            start..start + needle.len()
                        }
                        None => t.span.range(),
                    };
                    if !lang::is_identifier(name) {
                        self.err(range, lang::bad_identifier("variable", name), None);
                    } else if self.check_vars && !self.declared.contains_key(name) && !self.reads.contains(name) {
                        let known: BTreeSet<&str> = self
                            .declared
                            .keys()
                            .copied()
                            .chain(self.reads.iter().map(String::as_str))
                            .collect();
                        let help = match lang::suggest(name, known.iter().copied()) {
                            Some(s) => format!("did you mean `${{{s}}}`?"),
                            None => format!(
                                "declare [params.{name}] or [secrets.{name}], or set it earlier with `read` … `into = \"{name}\"`"
                            ),
                        };
                        self.err(range, format!("undefined variable `${{{name}}}`"), Some(help));
                    }
                }
            }
        }
    }
}
