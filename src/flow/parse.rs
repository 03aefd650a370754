//! Parsing one flow file: TOML (with spans) → the [`Flow`] model, structure and types checked.
//!
//! This pass reads one file's text and nothing else: it does not open included files (see
//! [`crate::flow::load`]) and does not look at what names are in scope (see
//! [`crate::flow::validate`]). Every problem is collected, not just the first, each with its line,
//! column and, where one is near, a "did you mean". What parses is kept, so that the later passes
//! can report their problems too.

use std::collections::BTreeSet;
use std::ops::Range;
use std::path::Path;
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::flow::lang::{self, MAX_SECONDS};
use crate::flow::model::*;
use crate::flow::span::{FlowError, LineIndex};

type Value<'i> = Spanned<DeValue<'i>>;

/// Whether a file was named by the user or reached through `include`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The file given to `check` or `run`.
    Top,
    /// A file reached through a step's `include`.
    Included,
}

/// What parsing one file gives: the model of what parsed (`None` when the file is not TOML or
/// not a flow file at all) and every problem found.
#[derive(Debug)]
pub struct Parsed {
    pub flow: Option<Flow>,
    pub errors: Vec<FlowError>,
}

/// Parses `text`, the content of the flow file `path`.
///
/// A file that does not look like a flow file (no top-level key of the flow language; for an
/// included file, no `steps` or `handlers`) gets one error that shows none of its lines: its
/// content might be anything, secrets included.
pub fn parse(path: &Path, text: &str, role: Role) -> Parsed {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    let root = doc.into_inner();
    if let Some(e) = not_a_flow(path, text, &root, role) {
        return Parsed {
            flow: None,
            errors: vec![e],
        };
    }
    if !syntax.is_empty() {
        return Parsed {
            flow: None,
            errors: syntax_errors(path, text, syntax),
        };
    }
    let mut reader = Reader {
        path,
        src: text,
        lines: LineIndex::new(text),
        errors: Vec::new(),
    };
    let flow = reader.flow(&root);
    let mut errors = reader.errors;
    errors.sort_by_key(|e| e.span.map_or(0, |s| s.start));
    Parsed {
        flow: Some(flow),
        errors,
    }
}

/// The error for a file that is not a flow file, or `None` when it looks like one.
fn not_a_flow(path: &Path, text: &str, root: &DeTable, role: Role) -> Option<FlowError> {
    if text.contains('\0') {
        return Some(
            FlowError::file(path, "not a flow file: it contains NUL bytes")
                .with_help("a flow file is a TOML text file, see docs/flows.md".to_string()),
        );
    }
    let has = |k: &str| root.contains_key(k);
    let looks_like_flow = match role {
        Role::Top => lang::TOP_KEYS.iter().any(|k| has(k)) || text.trim().is_empty(),
        Role::Included => has("steps") || has("handlers"),
    };
    if looks_like_flow {
        return None;
    }
    let help = match role {
        Role::Top => "a flow file has `name`, `title` and [[steps]], see docs/flows.md",
        Role::Included => "an included file is a flow (with [[steps]]) or a handler file (only [[handlers]])",
    };
    let what = match role {
        Role::Top => "not a flow file: none of the keys of a flow",
        Role::Included => "the included file is not a flow file: no [[steps]] or [[handlers]]",
    };
    Some(FlowError::file(path, what).with_help(help.to_string()))
}

/// TOML syntax errors, in file order, one per line (later ones on a line are usually echoes).
fn syntax_errors(path: &Path, text: &str, errs: Vec<toml::de::Error>) -> Vec<FlowError> {
    let lines = LineIndex::new(text);
    let mut errs: Vec<_> = errs.into_iter().map(|e| (e.span(), e.message().to_string())).collect();
    errs.sort_by_key(|(r, _)| r.as_ref().map_or(0, |r| r.start));
    let mut out: Vec<FlowError> = Vec::new();
    let mut last_line = 0;
    for (range, message) in errs {
        let message = format!("invalid TOML: {message}");
        match range {
            Some(r) => {
                let span = lines.span(text, r);
                if span.line == last_line {
                    continue;
                }
                last_line = span.line;
                out.push(FlowError::at(path, text, span, message));
            }
            None => out.push(FlowError::file(path, message)),
        }
    }
    out
}

/// Walks one file's TOML tree, building the model and collecting errors.
struct Reader<'s> {
    path: &'s Path,
    src: &'s str,
    lines: LineIndex,
    errors: Vec<FlowError>,
}

/// The entries of a table in file order: (key, key span, value).
fn entries<'t, 'i>(t: &'t DeTable<'i>) -> Vec<(&'t str, Range<usize>, &'t Value<'i>)> {
    let mut v: Vec<_> = t.iter().map(|(k, v)| (k.get_ref().as_ref(), k.span(), v)).collect();
    v.sort_by_key(|(_, r, _)| r.start);
    v
}

/// The value of `key` with the key's span.
fn entry<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<(Range<usize>, &'t Value<'i>)> {
    t.get_key_value(key).map(|(k, v)| (k.span(), v))
}

const LOCATOR_EXAMPLE: &str = "{ text = \"…\" }";

impl Reader<'_> {
    fn span(&self, r: Range<usize>) -> Span {
        self.lines.span(self.src, r)
    }

    /// Records an error at `r`.
    fn err(&mut self, r: Range<usize>, message: impl Into<String>, help: Option<String>) {
        let e = FlowError::at(self.path, self.src, self.span(r), message).with_help_opt(help);
        self.errors.push(e);
    }

    /// Records an error about the whole file.
    fn file_err(&mut self, message: impl Into<String>, help: Option<String>) {
        self.errors
            .push(FlowError::file(self.path, message).with_help_opt(help));
    }

    fn type_err(&mut self, v: &Value, what: &str, wanted: &str, help: Option<String>) {
        let found = v.get_ref().type_str();
        self.err(v.span(), format!("{what} must be {wanted}, found {found}"), help);
    }

    fn string(&mut self, v: &Value, what: &str) -> Option<String> {
        match v.get_ref() {
            DeValue::String(s) => Some(s.to_string()),
            DeValue::Integer(_) | DeValue::Float(_) | DeValue::Boolean(_) => {
                let lit = self.src[v.span()].to_string();
                self.type_err(v, what, "a string", Some(format!("put it in quotes: \"{lit}\"")));
                None
            }
            _ => {
                self.type_err(v, what, "a string", None);
                None
            }
        }
    }

    fn nonempty_string(&mut self, v: &Value, what: &str) -> Option<String> {
        let s = self.string(v, what)?;
        if s.trim().is_empty() {
            self.err(v.span(), format!("{what} is empty"), None);
            return None;
        }
        Some(s)
    }

    fn boolean(&mut self, v: &Value, what: &str) -> Option<bool> {
        match v.get_ref() {
            DeValue::Boolean(b) => Some(*b),
            DeValue::String(s) if s == "true" || s == "false" => {
                self.type_err(v, what, "`true` or `false`", Some(format!("drop the quotes: {s}")));
                None
            }
            _ => {
                self.type_err(v, what, "`true` or `false`", None);
                None
            }
        }
    }

    /// A number of seconds (integer or float) above `min` (or equal to it when `min_inclusive`)
    /// and at most [`MAX_SECONDS`]; NaN, infinities and out-of-range values are errors.
    fn seconds(&mut self, v: &Value, what: &str, min: f64, min_inclusive: bool) -> Option<Duration> {
        let secs = match v.get_ref() {
            DeValue::Integer(i) => {
                let digits = i.as_str().replace('_', "");
                match i128::from_str_radix(&digits, i.radix()) {
                    Ok(n) => Some(n as f64),
                    Err(_) => digits.parse::<f64>().ok(),
                }
            }
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::String(s) => {
                let help = s
                    .trim()
                    .parse::<f64>()
                    .ok()
                    .map(|_| format!("drop the quotes: {}", s.trim()));
                self.type_err(v, what, "a number of seconds", help);
                return None;
            }
            _ => {
                self.type_err(v, what, "a number of seconds", None);
                return None;
            }
        };
        if let Some(d) = secs.and_then(|s| lang::duration_in_range(s, min, min_inclusive)) {
            return Some(d);
        }
        let lower = match (min_inclusive, min == 0.0) {
            (true, true) => "0 or more".to_string(),
            (true, false) => format!("at least {min}"),
            (false, _) => format!("more than {min}"),
        };
        let found = self.src[v.span()].trim().to_string();
        self.err(
            v.span(),
            format!("{what} must be {lower} and at most {MAX_SECONDS} seconds (24 hours), found {found}"),
            None,
        );
        None
    }

    fn table<'t, 'i>(&mut self, v: &'t Value<'i>, what: &str, example: &str) -> Option<&'t DeTable<'i>> {
        match v.get_ref() {
            DeValue::Table(t) => Some(t),
            DeValue::String(s) if example == LOCATOR_EXAMPLE => {
                self.type_err(v, what, "a locator table", Some(format!("write {{ text = \"{s}\" }}")));
                None
            }
            _ => {
                self.type_err(v, what, "a table", Some(format!("e.g. {example}")));
                None
            }
        }
    }

    /// An array of tables (`[[header]]` or an inline array of inline tables).
    fn tables<'t, 'i>(&mut self, v: &'t Value<'i>, what: &str, header: &str) -> Vec<&'t Value<'i>> {
        let DeValue::Array(items) = v.get_ref() else {
            self.type_err(v, what, "an array of tables", Some(format!("write [[{header}]]")));
            return Vec::new();
        };
        let mut out = Vec::new();
        for item in items.iter() {
            if item.get_ref().is_table() {
                out.push(item);
            } else {
                self.type_err(item, &format!("each of {what}"), "a table", None);
            }
        }
        out
    }

    /// A string with `${name}` placeholders, each checked against what is in scope.
    fn template(&mut self, v: &Value, what: &str) -> Option<Template> {
        let raw = self.string(v, what)?;
        Some(Template::new(raw, self.span(v.span())))
    }

    fn match_mode(&mut self, t: &DeTable) -> Option<MatchMode> {
        let (_, v) = entry(t, "match")?;
        let s = self.string(v, "`match`")?;
        match s.as_str() {
            "exact" => Some(MatchMode::Exact),
            "contains" => Some(MatchMode::Contains),
            other => {
                let help = lang::suggest(other, ["exact", "contains"]).map(|s| format!("did you mean `{s}`?"));
                self.err(
                    v.span(),
                    format!("unknown match mode `{other}`: expected `exact` or `contains`"),
                    help,
                );
                None
            }
        }
    }

    /// Reports keys of `t` not in `allowed` (with "did you mean"); returns the suggested keys, so
    /// that a misspelt required key is not reported a second time as missing.
    fn check_keys(
        &mut self,
        t: &DeTable,
        allowed: &[&'static str],
        message: impl Fn(&str) -> String,
    ) -> Vec<&'static str> {
        let mut suggested = Vec::new();
        for (k, r, _) in entries(t) {
            if allowed.contains(&k) {
                continue;
            }
            let s = lang::suggest(k, allowed.iter().copied());
            let help = match s {
                Some(s) => {
                    suggested.push(s);
                    format!("did you mean `{s}`?")
                }
                None => format!("expected {}", lang::list(allowed)),
            };
            self.err(r, message(k), Some(help));
        }
        suggested
    }

    /// Reports a missing required key unless a misspelling of it was already reported.
    fn missing(&mut self, at: Range<usize>, suggested: &[&str], key: &str, message: String) {
        if !suggested.contains(&key) {
            self.err(at, message, None);
        }
    }

    // ---------------------------------------------------------------- the flow

    /// The flow as far as it parses. A *handler file* (only `[[handlers]]`, no `[[steps]]`) needs
    /// no `name` or `title`: it is meant to be included.
    fn flow(&mut self, root: &DeTable) -> Flow {
        let suggested = self.check_keys(root, lang::TOP_KEYS, |k| format!("unknown key `{k}`"));
        let handler_file = root.contains_key("handlers") && !root.contains_key("steps");
        let name = match entry(root, "name") {
            Some((_, v)) => self.nonempty_string(v, "`name`").and_then(|n| {
                if lang::is_slug(&n) {
                    Some(n)
                } else {
                    self.err(
                        v.span(),
                        format!("`name` must be lowercase letters, digits, `-` or `_`, found \"{n}\""),
                        Some(format!("e.g. \"{}\"", lang::slugify(&n))),
                    );
                    None
                }
            }),
            None => {
                if !suggested.contains(&"name") && !handler_file {
                    self.file_err(
                        "missing `name`",
                        Some("add e.g. `name = \"my-flow\"` at the top of the file".into()),
                    );
                }
                None
            }
        };
        let title = match entry(root, "title") {
            Some((_, v)) => self.nonempty_string(v, "`title`"),
            None => {
                if !suggested.contains(&"title") && !handler_file {
                    self.file_err(
                        "missing `title`",
                        Some("add e.g. `title = \"…\"` at the top of the file".into()),
                    );
                }
                None
            }
        };
        let description = entry(root, "description").and_then(|(_, v)| self.string(v, "`description`"));
        let base_url = entry(root, "base_url").and_then(|(_, v)| {
            let s = self.string(v, "`base_url`")?;
            match url::Url::parse(&s) {
                Ok(u) if u.scheme() == "http" || u.scheme() == "https" => Some(s),
                _ => {
                    self.err(
                        v.span(),
                        format!("`base_url` must be an http(s) URL, found \"{s}\""),
                        Some("e.g. \"https://mijn.postnl.nl\"".into()),
                    );
                    None
                }
            }
        });
        let (params, mut declared) = self.params(root);
        let secrets = self.secrets(root, &mut declared);
        let handlers = self.handlers(root);
        let step_values: Vec<&Value> = match entry(root, "steps") {
            Some((_, v)) => self.tables(v, "`steps`", "steps"),
            None => {
                if !suggested.contains(&"steps") && !handler_file {
                    self.file_err(
                        "missing `steps`",
                        Some("add at least one [[steps]] table with a `title` and [[steps.actions]]".into()),
                    );
                }
                Vec::new()
            }
        };
        let steps = step_values.into_iter().filter_map(|sv| self.step(sv)).collect();
        if let Some((r, DeValue::Array(a))) = entry(root, "steps").map(|(r, v)| (r, v.get_ref())) {
            if a.is_empty() {
                self.err(r, "the flow has no steps", None);
            }
        }
        let name = name.unwrap_or_else(|| {
            let stem = self.path.file_stem().unwrap_or_default().to_string_lossy();
            lang::slugify(&stem)
        });
        Flow {
            path: self.path.to_path_buf(),
            name,
            title: title.unwrap_or_default(),
            description,
            base_url,
            params,
            secrets,
            handlers,
            steps,
            sources: Vec::new(),
        }
    }

    /// The `[params.NAME]` tables, and the names declared so far.
    fn params(&mut self, root: &DeTable) -> (Vec<ParamDecl>, BTreeSet<String>) {
        let mut out = Vec::new();
        let mut declared = BTreeSet::new();
        let Some((_, v)) = entry(root, "params") else {
            return (out, declared);
        };
        let Some(t) = self.table(v, "`params`", "[params.klantnummer]") else {
            return (out, declared);
        };
        for (name, r, pv) in entries(t) {
            if !lang::is_identifier(name) {
                self.err(r.clone(), lang::bad_identifier("parameter", name), None);
            }
            declared.insert(name.to_string());
            let Some(pt) = self.table(pv, &format!("parameter `{name}`"), "{ description = \"…\" }") else {
                // Kept (the error is recorded), so that its uses are not reported as undefined too.
                out.push(ParamDecl {
                    name: name.to_string(),
                    description: None,
                    example: None,
                    default: None,
                    secret: false,
                    span: self.span(r),
                });
                continue;
            };
            self.check_keys(pt, lang::PARAM_KEYS, |k| {
                format!("unknown key `{k}` in parameter `{name}`")
            });
            let get = |me: &mut Self, key: &str| entry(pt, key).and_then(|(_, v)| me.string(v, &format!("`{key}`")));
            let description = get(self, "description");
            let example = get(self, "example");
            let default = get(self, "default");
            let secret = entry(pt, "secret")
                .and_then(|(_, v)| self.boolean(v, "`secret`"))
                .unwrap_or(false);
            out.push(ParamDecl {
                name: name.to_string(),
                description,
                example,
                default,
                secret,
                span: self.span(r),
            });
        }
        (out, declared)
    }

    fn secrets(&mut self, root: &DeTable, declared: &mut BTreeSet<String>) -> Vec<SecretDecl> {
        let mut out = Vec::new();
        let Some((_, v)) = entry(root, "secrets") else {
            return out;
        };
        let Some(t) = self.table(v, "`secrets`", "[secrets.password]") else {
            return out;
        };
        for (name, r, sv) in entries(t) {
            if !lang::is_identifier(name) {
                self.err(r.clone(), lang::bad_identifier("secret", name), None);
            }
            if !declared.insert(name.to_string()) {
                self.err(
                    r.clone(),
                    format!("`{name}` is declared both as a parameter and as a secret"),
                    Some("a value is either passed with --param or read from the environment".into()),
                );
            }
            let Some(st) = self.table(sv, &format!("secret `{name}`"), "{ env = \"POSTNL_PASSWORD\" }") else {
                out.push(SecretDecl {
                    name: name.to_string(),
                    env: String::new(),
                    prompt: None,
                    optional: false,
                    span: self.span(r),
                });
                continue;
            };
            let suggested = self.check_keys(st, lang::SECRET_KEYS, |k| {
                format!("unknown key `{k}` in secret `{name}`")
            });
            let env = match entry(st, "env") {
                Some((_, v)) => self.nonempty_string(v, "`env`").and_then(|e| {
                    if lang::is_env_name(&e) {
                        Some(e)
                    } else {
                        self.err(
                            v.span(),
                            format!("`env` must name an environment variable, found \"{e}\""),
                            Some("e.g. \"POSTNL_PASSWORD\"".into()),
                        );
                        None
                    }
                }),
                None => {
                    self.missing(
                        sv.span(),
                        &suggested,
                        "env",
                        format!("secret `{name}` has no `env`: the environment variable that holds it"),
                    );
                    None
                }
            };
            let prompt = entry(st, "prompt").and_then(|(_, v)| self.string(v, "`prompt`"));
            let optional = entry(st, "optional")
                .and_then(|(_, v)| self.boolean(v, "`optional`"))
                .unwrap_or(false);
            // Kept without `env` when that is wrong (an error is recorded), so that its uses are
            // not reported as undefined too.
            out.push(SecretDecl {
                name: name.to_string(),
                env: env.unwrap_or_default(),
                prompt,
                optional,
                span: self.span(r),
            });
        }
        out
    }

    fn handlers(&mut self, root: &DeTable) -> Vec<Handler> {
        let mut out: Vec<Handler> = Vec::new();
        let Some((_, v)) = entry(root, "handlers") else {
            return out;
        };
        for hv in self.tables(v, "`handlers`", "handlers") {
            let Some(t) = hv.get_ref().as_table() else {
                continue;
            };
            let suggested = self.check_keys(t, lang::HANDLER_KEYS, |k| format!("unknown key `{k}` in handler"));
            let name = match entry(t, "name") {
                Some((_, v)) => self.nonempty_string(v, "`name`").map(|n| (n, self.span(v.span()))),
                None => {
                    self.missing(hv.span(), &suggested, "name", "handler has no `name`".into());
                    None
                }
            };
            let when = match entry(t, "when") {
                Some((_, v)) => self.locator(v, "`when`"),
                None => {
                    self.missing(
                        hv.span(),
                        &suggested,
                        "when",
                        "handler has no `when`: the locator of the obstacle it clears".into(),
                    );
                    None
                }
            };
            let actions = match entry(t, "actions") {
                Some((_, v)) => self.actions(v, "handlers.actions"),
                None => {
                    self.missing(
                        hv.span(),
                        &suggested,
                        "actions",
                        "handler has no actions: add [[handlers.actions]]".into(),
                    );
                    Vec::new()
                }
            };
            if let (Some((name, name_span)), Some(when)) = (name, when) {
                out.push(Handler {
                    name,
                    when,
                    actions,
                    span: self.span(hv.span()),
                    name_span,
                });
            }
        }
        out
    }

    /// A step's `include = "path"`, as written; [`crate::flow::load`] reads the file.
    fn include(&mut self, t: &DeTable, v: &Value) -> Option<Include> {
        let path = self.nonempty_string(v, "`include`")?;
        Some(Include {
            path,
            span: self.span(v.span()),
            step_sets_phase: t.contains_key("phase"),
        })
    }

    fn step(&mut self, sv: &Value) -> Option<Step> {
        let t = sv.get_ref().as_table()?;
        let suggested = self.check_keys(t, lang::STEP_KEYS, |k| format!("unknown key `{k}` in step"));
        let title = match entry(t, "title") {
            Some((_, v)) => self.nonempty_string(v, "`title`").map(|s| (s, self.span(v.span()))),
            None => {
                self.missing(sv.span(), &suggested, "title", "step has no `title`".into());
                None
            }
        };
        let guide_url = entry(t, "guide_url").and_then(|(_, v)| self.string(v, "`guide_url`"));
        let phase = entry(t, "phase").and_then(|(_, v)| {
            let s = self.string(v, "`phase`")?;
            match s.as_str() {
                "session" => Some(Phase::Session),
                "row" => Some(Phase::Row),
                other => {
                    let help = lang::suggest(other, ["session", "row"])
                        .map(|s| format!("did you mean `{s}`?"))
                        .unwrap_or_else(|| {
                            "use `session` (once per browser session) or `row` (once per parameter row)".into()
                        });
                    self.err(
                        v.span(),
                        format!("unknown phase `{other}`: expected `session` or `row`"),
                        Some(help),
                    );
                    None
                }
            }
        });
        let when = entry(t, "when").and_then(|(_, v)| self.condition(v, "`when`"));
        let skip_reason = entry(t, "skip_reason").and_then(|(r, v)| {
            if entry(t, "when").is_none() {
                self.err(r, "`skip_reason` only applies to a step with `when`", None);
            }
            self.string(v, "`skip_reason`")
        });
        let fail_when = entry(t, "fail_when").and_then(|(_, v)| self.fail_when(v));
        let include = entry(t, "include").and_then(|(_, v)| self.include(t, v));
        let depends_on_commit = entry(t, "depends_on_commit")
            .and_then(|(_, v)| self.boolean(v, "`depends_on_commit`"))
            .unwrap_or(false);
        let mask = entry(t, "mask").map(|(_, v)| self.mask(v)).unwrap_or_default();
        let mut actions = Vec::new();
        if let Some((_, v)) = entry(t, "actions") {
            actions.extend(self.actions(v, "steps.actions"));
        } else if entry(t, "include").is_none() && !suggested.contains(&"actions") {
            self.err(
                sv.span(),
                "step has no actions",
                Some("add [[steps.actions]] tables, or `include = \"other.toml\"`".into()),
            );
        }
        let (title, title_span) = title?;
        Some(Step {
            title,
            guide_url,
            phase: phase.unwrap_or_default(),
            when,
            skip_reason,
            fail_when,
            actions,
            span: self.span(sv.span()),
            title_span,
            include,
            depends_on_commit,
            mask,
        })
    }

    /// A step's `mask = [ locator, … ]`.
    fn mask(&mut self, v: &Value) -> Vec<Locator> {
        let DeValue::Array(items) = v.get_ref() else {
            self.type_err(
                v,
                "`mask`",
                "an array of locators",
                Some("e.g. mask = [ { css = \".datum\" } ]".into()),
            );
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|iv| self.locator(iv, "each region of `mask`"))
            .collect()
    }

    /// A step's `fail_when = { visible = LOCATOR }`.
    fn fail_when(&mut self, v: &Value) -> Option<Locator> {
        let example = "{ visible = { role = \"alert\" } }";
        let t = self.table(v, "`fail_when`", example)?;
        let suggested = self.check_keys(t, lang::FAIL_WHEN_KEYS, |k| {
            format!("unknown key `{k}` in `fail_when`: only `visible` applies")
        });
        match entry(t, "visible") {
            Some((_, lv)) => self.locator(lv, "`visible`"),
            // Unknown keys are reported already.
            None if !t.is_empty() => None,
            None => {
                self.missing(
                    v.span(),
                    &suggested,
                    "visible",
                    format!("`fail_when` has no `visible`: e.g. fail_when = {example}"),
                );
                None
            }
        }
    }

    fn actions(&mut self, v: &Value, header: &str) -> Vec<Action> {
        let mut out = Vec::new();
        let items = self.tables(v, &format!("`{}`", header.rsplit('.').next().unwrap_or(header)), header);
        if items.is_empty() && matches!(v.get_ref(), DeValue::Array(a) if a.is_empty()) {
            self.err(v.span(), "no actions", None);
        }
        for av in items {
            if let Some(a) = self.action(av, header) {
                out.push(a);
            }
        }
        out
    }

    fn action(&mut self, av: &Value, header: &str) -> Option<Action> {
        let t = av.get_ref().as_table()?;
        let all = entries(t);
        let is_download = t.contains_key("download");
        let actions: Vec<_> = all
            .iter()
            .filter(|(k, _, _)| lang::ACTIONS.contains(k) && !(*k == "expect" && is_download))
            .cloned()
            .collect();
        let known = |k: &str| {
            lang::ACTIONS.contains(&k) || lang::COMPANIONS.iter().any(|(c, _)| *c == k) || lang::MODIFIERS.contains(&k)
        };
        let unknown: Vec<_> = all.iter().filter(|(k, _, _)| !known(k)).cloned().collect();

        let Some((name, key_range, value)) = actions.first().cloned() else {
            if unknown.is_empty() {
                self.err(
                    av.span(),
                    "no action in this table",
                    Some(format!("expected one of {}", lang::list(lang::ACTIONS))),
                );
            }
            for (k, r, _) in unknown {
                let help = lang::suggest(k, lang::ACTIONS.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("expected one of {}", lang::list(lang::ACTIONS)));
                self.err(r, format!("unknown action `{k}`"), Some(help));
            }
            return None;
        };
        let mut suggested: Vec<&str> = Vec::new();
        for (k, r, _) in unknown {
            let own: Vec<&str> = lang::COMPANIONS
                .iter()
                .filter(|(_, a)| *a == name)
                .map(|(c, _)| *c)
                .chain(lang::MODIFIERS.iter().copied())
                .collect();
            let s = lang::suggest(k, own.iter().copied()).or_else(|| lang::suggest(k, lang::ACTIONS.iter().copied()));
            if let Some(s) = s {
                suggested.push(s);
            }
            let help = match s {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("`{name}` takes {}", lang::list(&own)),
            };
            self.err(r, format!("unknown key `{k}` in `{name}` action"), Some(help));
        }
        for (other, r, _) in actions.iter().skip(1) {
            self.err(
                r.clone(),
                format!("two actions in one table: `{name}` and `{other}`"),
                Some(format!("give each action its own [[{header}]] table")),
            );
        }
        for (k, r, _) in &all {
            if let Some((_, owner)) = lang::COMPANIONS.iter().find(|(c, _)| c == k) {
                if *owner != name && (*k != "expect" || is_download) {
                    self.err(
                        r.clone(),
                        format!("`{k}` does not apply to `{name}`"),
                        Some(format!("`{k}` belongs with `{owner}`")),
                    );
                }
            }
        }

        let optional = entry(t, "optional")
            .and_then(|(_, v)| self.boolean(v, "`optional`"))
            .unwrap_or(false);
        let timeout = entry(t, "timeout").and_then(|(_, v)| self.seconds(v, "`timeout`", 0.0, false));
        let commits = entry(t, "commits")
            .and_then(|(r, v)| {
                let b = self.boolean(v, "`commits`")?;
                if b && name != "click" {
                    self.err(
                        r,
                        format!("`commits` only applies to `click`, not `{name}`"),
                        Some("mark the click that saves (e.g. 'Opslaan') as committing".into()),
                    );
                }
                Some(b)
            })
            .unwrap_or(false);
        let note = entry(t, "note").and_then(|(_, v)| self.string(v, "`note`"));
        let what = format!("`{name}`");

        let kind = match name {
            "goto" => ActionKind::Goto(self.template(value, &what).and_then(|t| {
                if t.raw.trim().is_empty() {
                    self.err(value.span(), "`goto` needs a URL or path", None);
                    None
                } else {
                    Some(t)
                }
            })?),
            "click" => ActionKind::Click(self.locator(value, &what)?),
            "fill" => {
                let target = self.locator(value, &what);
                let with = match entry(t, "with") {
                    Some((_, v)) => self.template(v, "`with`"),
                    None => {
                        self.missing(
                            key_range.clone(),
                            &suggested,
                            "with",
                            "`fill` needs `with`: the text to type".into(),
                        );
                        None
                    }
                };
                ActionKind::Fill {
                    target: target?,
                    value: with?,
                }
            }
            "select" => self.select(value)?,
            "check" | "uncheck" => ActionKind::SetChecked {
                target: self.locator(value, &what)?,
                checked: name == "check",
            },
            "expect" => ActionKind::Expect(self.expectation(value)?),
            "wait_for" => {
                let target = self.locator(value, &what);
                let reload_every = entry(t, "reload_every")
                    .and_then(|(_, v)| self.seconds(v, "`reload_every`", lang::MIN_RELOAD_SECONDS, true));
                ActionKind::WaitFor {
                    target: target?,
                    reload_every,
                }
            }
            "download" => {
                let target = self.locator(value, &what);
                let expect = entry(t, "expect").and_then(|(_, v)| {
                    let s = self.string(v, "`expect`")?;
                    match s.as_str() {
                        "pdf" => Some(FileKind::Pdf),
                        other => {
                            self.err(v.span(), format!("unknown file kind `{other}`: expected `pdf`"), None);
                            None
                        }
                    }
                });
                ActionKind::Download {
                    target: target?,
                    expect,
                }
            }
            "screenshot" => ActionKind::Screenshot(self.nonempty_string(value, &what)?),
            "reload" => {
                if self.boolean(value, &what)? {
                    ActionKind::Reload
                } else {
                    self.err(
                        value.span(),
                        "`reload` must be `true`",
                        Some("remove the action instead".into()),
                    );
                    return None;
                }
            }
            "read" => {
                let target = self.locator(value, &what);
                let into = match entry(t, "into") {
                    Some((_, v)) => self.nonempty_string(v, "`into`").and_then(|n| {
                        if lang::is_identifier(&n) {
                            Some(n)
                        } else {
                            self.err(v.span(), lang::bad_identifier("variable", &n), None);
                            None
                        }
                    }),
                    None => {
                        self.missing(
                            key_range.clone(),
                            &suggested,
                            "into",
                            "`read` needs `into`: the variable to store the text in".into(),
                        );
                        None
                    }
                };
                ActionKind::Read {
                    target: target?,
                    into: into?,
                }
            }
            "if" => {
                let condition = self.condition(value, &what);
                let then = entry(t, "then").map(|(_, v)| self.actions(v, &format!("{header}.then")));
                let otherwise = entry(t, "else").map(|(_, v)| self.actions(v, &format!("{header}.else")));
                if then.is_none() && otherwise.is_none() && !suggested.contains(&"then") && !suggested.contains(&"else")
                {
                    self.err(
                        key_range.clone(),
                        "`if` needs `then` and/or `else` actions",
                        Some(format!("add [[{header}.then]] tables")),
                    );
                }
                ActionKind::If {
                    condition: condition?,
                    then: then.unwrap_or_default(),
                    otherwise: otherwise.unwrap_or_default(),
                }
            }
            _ => unreachable!("every action key is handled"),
        };
        Some(Action {
            kind,
            optional,
            timeout,
            commits,
            note,
            span: self.span(key_range.start..value.span().end),
        })
    }

    fn select(&mut self, v: &Value) -> Option<ActionKind> {
        let t = self.table(v, "`select`", "{ option = \"…\" }")?;
        let suggested = self.check_keys(t, lang::SELECT_KEYS, |k| format!("unknown key `{k}` in `select`"));
        let option = match entry(t, "option") {
            Some((_, ov)) => self.template(ov, "`option`").and_then(|o| {
                if o.raw.trim().is_empty() {
                    self.err(ov.span(), "`option` is empty", None);
                    None
                } else {
                    Some(o)
                }
            }),
            None => {
                self.missing(
                    v.span(),
                    &suggested,
                    "option",
                    "`select` needs `option`: the visible text of the choice".into(),
                );
                None
            }
        };
        let mode = self.match_mode(t).unwrap_or_default();
        let from = entry(t, "from").map(|(_, fv)| self.locator(fv, "`from`"));
        Some(ActionKind::Select {
            from: match from {
                Some(f) => Some(f?),
                None => None,
            },
            option: TextMatch { text: option?, mode },
        })
    }

    fn expectation(&mut self, v: &Value) -> Option<Expectation> {
        let t = self.table(v, "`expect`", "{ visible = { text = \"…\" } }")?;
        let suggested = self.check_keys(t, lang::EXPECT_KEYS, |k| format!("unknown expectation `{k}`"));
        let kinds: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| !lang::EXPECT_QUALIFIERS.contains(k) && lang::EXPECT_KEYS.contains(k))
            .collect();
        let Some((kind, kr, kv)) = kinds.first().cloned() else {
            if suggested.is_empty() {
                self.err(
                    v.span(),
                    "empty expectation",
                    Some("expected one of `visible`, `hidden`, `url`, `checked`, `unchecked`, `text`, `value`".into()),
                );
            }
            return None;
        };
        for (other, r, _) in kinds.iter().skip(1) {
            self.err(
                r.clone(),
                format!("one expectation per `expect`: found `{kind}` and `{other}`"),
                Some("use a separate action for each".into()),
            );
        }
        if kind != "url" {
            if let Some((r, _)) = entry(t, "match") {
                self.err(
                    r,
                    format!("`match` does not apply to `{kind}`"),
                    Some("put `match` inside the locator".into()),
                );
            }
        }
        let content = kind == "text" || kind == "value";
        let wanted: Vec<_> = ["equals", "contains"]
            .into_iter()
            .filter_map(|q| entry(t, q).map(|(r, qv)| (q, r, qv)))
            .collect();
        if !content {
            for (q, r, _) in &wanted {
                self.err(
                    r.clone(),
                    format!("`{q}` does not apply to `{kind}`"),
                    Some("`equals` and `contains` go with `text` or `value`".into()),
                );
            }
        }
        match kind {
            "visible" => Some(Expectation::Visible(self.locator(kv, "`visible`")?)),
            "hidden" => Some(Expectation::Hidden(self.locator(kv, "`hidden`")?)),
            "text" | "value" => {
                let target = self.locator(kv, &format!("`{kind}`"));
                let want = match wanted.as_slice() {
                    [] => {
                        self.err(
                            kr,
                            format!("`{kind}` needs what to compare with"),
                            Some(format!("add `equals = \"…\"` or `contains = \"…\"`: `expect = {{ {kind} = {{ label = \"…\" }}, equals = \"…\" }}`")),
                        );
                        None
                    }
                    [(q, _, qv)] => {
                        let text = self.template(qv, &format!("`{q}`"))?;
                        let mode = if *q == "contains" {
                            MatchMode::Contains
                        } else {
                            MatchMode::Exact
                        };
                        Some(TextMatch { text, mode })
                    }
                    [_, (_, r, _), ..] => {
                        self.err(
                            r.clone(),
                            "`equals` and `contains` together",
                            Some("keep one of them".into()),
                        );
                        None
                    }
                };
                Some(Expectation::Content {
                    target: target?,
                    of: if kind == "text" {
                        ContentOf::Text
                    } else {
                        ContentOf::Value
                    },
                    want: want?,
                })
            }
            "url" => {
                let text = self.template(kv, "`url`");
                let mode = self.match_mode(t).unwrap_or_default();
                Some(Expectation::Url(TextMatch { text: text?, mode }))
            }
            "checked" | "unchecked" => Some(Expectation::Checked {
                target: self.locator(kv, &format!("`{kind}`"))?,
                checked: kind == "checked",
            }),
            _ => None,
        }
    }

    fn condition(&mut self, v: &Value, what: &str) -> Option<Condition> {
        let t = self.table(v, what, "{ visible = { text = \"…\" } }")?;
        let suggested = self.check_keys(t, lang::CONDITION_KEYS, |k| format!("unknown condition `{k}`"));
        let kinds: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| *k != "within" && lang::CONDITION_KEYS.contains(k))
            .collect();
        let Some((kind, _, kv)) = kinds.first().cloned() else {
            if suggested.is_empty() {
                self.err(
                    v.span(),
                    "empty condition",
                    Some("expected one of `visible`, `same_person`, `equals`, `not`".into()),
                );
            }
            return None;
        };
        for (other, r, _) in kinds.iter().skip(1) {
            self.err(
                r.clone(),
                format!("one condition per table: found `{kind}` and `{other}`"),
                Some("nest them with `not` or use separate steps".into()),
            );
        }
        if kind != "visible" {
            if let Some((r, _)) = entry(t, "within") {
                self.err(r, format!("`within` does not apply to `{kind}`"), None);
            }
        }
        match kind {
            "visible" => {
                let target = self.locator(kv, "`visible`");
                let within = entry(t, "within").and_then(|(_, w)| self.seconds(w, "`within`", 0.0, true));
                Some(Condition::Visible {
                    target: target?,
                    within,
                })
            }
            "same_person" | "equals" => {
                let pair = self.pair(kv, &format!("`{kind}`"))?;
                let (a, b) = pair;
                Some(if kind == "equals" {
                    Condition::Equals(a, b)
                } else {
                    Condition::SamePerson(a, b)
                })
            }
            "not" => Some(Condition::Not(Box::new(self.condition(kv, "`not`")?))),
            _ => None,
        }
    }

    fn pair(&mut self, v: &Value, what: &str) -> Option<(Template, Template)> {
        match v.get_ref() {
            DeValue::Array(items) if items.len() == 2 => {
                let a = self.template(&items[0], what);
                let b = self.template(&items[1], what);
                Some((a?, b?))
            }
            DeValue::Array(items) => {
                self.err(
                    v.span(),
                    format!("{what} compares two strings, found {}", items.len()),
                    Some("e.g. [\"${gebruiker}\", \"${ingelogde_gebruiker}\"]".into()),
                );
                None
            }
            _ => {
                self.type_err(v, what, "an array of two strings", None);
                None
            }
        }
    }

    fn locator(&mut self, v: &Value, what: &str) -> Option<Locator> {
        let t = self.table(v, what, LOCATOR_EXAMPLE)?;
        let suggested = self.check_keys(t, lang::LOCATOR_KEYS, |k| format!("unknown locator key `{k}`"));
        let bys: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| lang::LOCATOR_BY.contains(k))
            .collect();
        let Some((by, by_range, bv)) = bys.first().cloned() else {
            if !suggested.iter().any(|s| lang::LOCATOR_BY.contains(s)) {
                self.err(
                    v.span(),
                    "empty locator: nothing to find the element by",
                    Some(format!("give one of {}", lang::list(lang::LOCATOR_BY))),
                );
            }
            return None;
        };
        for (other, r, _) in bys.iter().skip(1) {
            self.err(
                r.clone(),
                format!("a locator finds by one thing: found `{by}` and `{other}`"),
                Some("use `any = [ … ]` for alternatives, or `within` to narrow".into()),
            );
        }
        if by != "role" {
            for k in ["name", "popup"] {
                if let Some((r, _)) = entry(t, k) {
                    self.err(
                        r,
                        format!("`{k}` only applies to `role` locators"),
                        (k == "name").then(|| format!("a `{by}` locator matches by its own text")),
                    );
                }
            }
        }
        let mode = self.match_mode(t);
        if let Some((r, _)) = entry(t, "match") {
            if matches!(by, "css" | "xpath" | "any") {
                self.err(r, format!("`match` does not apply to `{by}` locators"), None);
            } else if by == "role" && entry(t, "name").is_none() {
                self.err(
                    r,
                    "`match` applies to the role's `name`, and there is none",
                    Some("add `name = \"…\"`".into()),
                );
            }
        }
        let mode = mode.unwrap_or_default();
        let text_match = |me: &mut Self, v: &Value, what: &str| -> Option<TextMatch> {
            let text = me.template(v, what)?;
            if text.raw.trim().is_empty() {
                me.err(v.span(), format!("empty {what} in locator"), None);
                return None;
            }
            Some(TextMatch { text, mode })
        };
        let by = match by {
            "text" => By::Text(text_match(self, bv, "`text`")?),
            "label" => By::Label(text_match(self, bv, "`label`")?),
            "placeholder" => By::Placeholder(text_match(self, bv, "`placeholder`")?),
            "role" => {
                let role = self.nonempty_string(bv, "`role`").and_then(|r| {
                    if lang::ROLES.contains(&r.as_str()) {
                        Some(r)
                    } else {
                        let help =
                            lang::suggest(&r, lang::ROLES.iter().copied()).map(|s| format!("did you mean `{s}`?"));
                        self.err(bv.span(), format!("unknown ARIA role `{r}`"), help);
                        None
                    }
                });
                let name = entry(t, "name").map(|(_, nv)| text_match(self, nv, "`name`"));
                let popup = entry(t, "popup")
                    .and_then(|(_, pv)| self.boolean(pv, "`popup`"))
                    .unwrap_or(false);
                By::Role {
                    role: role?,
                    name: match name {
                        Some(n) => Some(n?),
                        None => None,
                    },
                    popup,
                }
            }
            "css" => By::Css(self.nonempty_string(bv, "`css`")?),
            "xpath" => By::XPath(self.nonempty_string(bv, "`xpath`")?),
            "any" => {
                let DeValue::Array(items) = bv.get_ref() else {
                    self.type_err(
                        bv,
                        "`any`",
                        "an array of locators",
                        Some("e.g. any = [ { text = \"…\" }, { label = \"…\" } ]".into()),
                    );
                    return None;
                };
                if items.is_empty() {
                    self.err(by_range, "`any` has no alternatives", None);
                    return None;
                }
                let alts: Vec<Option<Locator>> = items
                    .iter()
                    .map(|iv| self.locator(iv, "each alternative of `any`"))
                    .collect();
                By::Any(alts.into_iter().collect::<Option<Vec<_>>>()?)
            }
            _ => unreachable!("every locator key is handled"),
        };
        let within = match entry(t, "within") {
            Some((_, wv)) => Some(Box::new(self.locator(wv, "`within`")?)),
            None => None,
        };
        Some(Locator {
            by,
            within,
            span: self.span(v.span()),
        })
    }
}
