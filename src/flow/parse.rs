//! Reading flow files: TOML (with spans) → [`Flow`], sub-flows (`include`) expanded.
//!
//! Every problem is collected, not just the first: the caller gets a [`FlowErrors`] naming each
//! mistake with its file, line, column and, where one is near, a "did you mean".

use std::collections::{BTreeMap, BTreeSet};
use std::ops::Range;
use std::path::{Component, Path, PathBuf};
use std::time::Duration;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::flow::model::*;
use crate::flow::span::{FlowError, FlowErrors};
use crate::flow::validate::{self, VarKind};

pub(super) type Value<'i> = Spanned<DeValue<'i>>;

/// Reads, parses and validates the flow file at `path`, expanding its includes.
pub fn load(path: &Path) -> Result<Flow, FlowErrors> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        FlowErrors::from(FlowError::file(
            path,
            format!("cannot read flow file: {}", io_reason(&e)),
        ))
    })?;
    parse_str(path, &text)
}

/// Parses and validates `text` as the flow file `path`; includes are read relative to `path`.
pub fn parse_str(path: &Path, text: &str) -> Result<Flow, FlowErrors> {
    let mut stack = vec![(canonical(path), path.to_path_buf())];
    parse_file(path, text, &mut stack).map_err(|errors| FlowErrors { errors })
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| {
        let abs = if path.is_absolute() {
            path.to_path_buf()
        } else {
            std::env::current_dir().unwrap_or_default().join(path)
        };
        normalize(&abs)
    })
}

/// Removes `.` and resolvable `..` components without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    let mut out: Vec<Component> = Vec::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => match out.last() {
                Some(Component::Normal(_)) => {
                    out.pop();
                }
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// `stack`: the files being read, outermost first, as (canonical path, path as shown).
fn parse_file(path: &Path, text: &str, stack: &mut Vec<(PathBuf, PathBuf)>) -> Result<Flow, Vec<FlowError>> {
    let (doc, syntax) = DeTable::parse_recoverable(text);
    if !syntax.is_empty() {
        return Err(syntax_errors(path, text, syntax));
    }
    let root = doc.into_inner();
    let mut reader = Reader {
        path,
        src: text,
        errors: Vec::new(),
        included_errors: Vec::new(),
        stack,
        declared: BTreeMap::new(),
        read_vars: BTreeSet::new(),
        step_titles: Vec::new(),
    };
    let flow = reader.flow(&root);
    let Reader {
        mut errors,
        included_errors,
        ..
    } = reader;
    errors.sort_by_key(|e| e.span.map_or(0, |s| s.start));
    errors.extend(included_errors);
    match flow {
        Some(flow) if errors.is_empty() => Ok(flow),
        _ => Err(errors),
    }
}

/// TOML syntax errors, in file order, one per line (later ones on a line are usually echoes).
fn syntax_errors(path: &Path, text: &str, errs: Vec<toml::de::Error>) -> Vec<FlowError> {
    let mut errs: Vec<_> = errs.into_iter().map(|e| (e.span(), e.message().to_string())).collect();
    errs.sort_by_key(|(r, _)| r.as_ref().map_or(0, |r| r.start));
    let mut out: Vec<FlowError> = Vec::new();
    let mut last_line = 0;
    for (range, message) in errs {
        let message = format!("invalid TOML: {message}");
        match range {
            Some(r) => {
                let span = Span::from_range(text, r);
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
pub(super) struct Reader<'s> {
    pub(super) path: &'s Path,
    pub(super) src: &'s str,
    /// Problems in this file.
    pub(super) errors: Vec<FlowError>,
    /// Problems in the files it includes (they name their own file).
    pub(super) included_errors: Vec<FlowError>,
    stack: &'s mut Vec<(PathBuf, PathBuf)>,
    /// Parameters and secrets in scope (own and from included sub-flows).
    pub(super) declared: BTreeMap<String, VarKind>,
    /// Variables set by `read … into` so far.
    pub(super) read_vars: BTreeSet<String>,
    /// Step titles seen so far, with the line each is on.
    pub(super) step_titles: Vec<(String, usize)>,
}

/// The entries of a table in file order: (key, key span, value).
pub(super) fn entries<'t, 'i>(t: &'t DeTable<'i>) -> Vec<(&'t str, Range<usize>, &'t Value<'i>)> {
    let mut v: Vec<_> = t.iter().map(|(k, v)| (k.get_ref().as_ref(), k.span(), v)).collect();
    v.sort_by_key(|(_, r, _)| r.start);
    v
}

/// The value of `key` with the key's span.
pub(super) fn entry<'t, 'i>(t: &'t DeTable<'i>, key: &str) -> Option<(Range<usize>, &'t Value<'i>)> {
    t.get_key_value(key).map(|(k, v)| (k.span(), v))
}

const LOCATOR_EXAMPLE: &str = "{ text = \"…\" }";

impl Reader<'_> {
    pub(super) fn span(&self, r: Range<usize>) -> Span {
        Span::from_range(self.src, r)
    }

    /// Records an error at `r`.
    pub(super) fn err(&mut self, r: Range<usize>, message: impl Into<String>, help: Option<String>) {
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

    pub(super) fn string(&mut self, v: &Value, what: &str) -> Option<String> {
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

    /// A number of seconds (integer or float); zero is allowed only when `allow_zero`.
    fn seconds(&mut self, v: &Value, what: &str, allow_zero: bool) -> Option<Duration> {
        let secs = match v.get_ref() {
            DeValue::Integer(i) => i64::from_str_radix(i.as_str(), i.radix()).ok().map(|n| n as f64),
            DeValue::Float(f) => f.as_str().parse::<f64>().ok(),
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
        match secs {
            Some(s) if s.is_finite() && (s > 0.0 || (allow_zero && s == 0.0)) => Some(Duration::from_secs_f64(s)),
            _ => {
                let bound = if allow_zero { "0 or more" } else { "more than 0" };
                self.err(v.span(), format!("{what} must be {bound} seconds"), None);
                None
            }
        }
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
        let t = Template::new(raw, self.span(v.span()));
        self.check_template(&t);
        Some(t)
    }

    fn match_mode(&mut self, t: &DeTable) -> Option<MatchMode> {
        let (_, v) = entry(t, "match")?;
        let s = self.string(v, "`match`")?;
        match s.as_str() {
            "exact" => Some(MatchMode::Exact),
            "contains" => Some(MatchMode::Contains),
            other => {
                let help = validate::suggest(other, ["exact", "contains"]).map(|s| format!("did you mean `{s}`?"));
                self.err(
                    v.span(),
                    format!("unknown match mode `{other}`: expected `exact` or `contains`"),
                    help,
                );
                None
            }
        }
    }

    /// Reports a missing required key unless a misspelling of it was already reported.
    fn missing(&mut self, at: Range<usize>, suggested: &[&str], key: &str, message: String) {
        if !suggested.contains(&key) {
            self.err(at, message, None);
        }
    }

    // ---------------------------------------------------------------- the flow

    fn flow(&mut self, root: &DeTable) -> Option<Flow> {
        let suggested = self.check_keys(root, validate::TOP_KEYS, |k| format!("unknown key `{k}`"));
        let name = match entry(root, "name") {
            Some((_, v)) => self.nonempty_string(v, "`name`").and_then(|n| {
                if validate::is_slug(&n) {
                    Some(n)
                } else {
                    self.err(
                        v.span(),
                        format!("`name` must be lowercase letters, digits, `-` or `_`, found \"{n}\""),
                        Some(format!("e.g. \"{}\"", validate::slugify(&n))),
                    );
                    None
                }
            }),
            None => {
                if !suggested.contains(&"name") {
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
                if !suggested.contains(&"title") {
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
        let mut params = self.params(root);
        let mut secrets = self.secrets(root);

        // Sub-flows first: their parameters, secrets and handlers join this flow's scope.
        let step_values: Vec<&Value> = match entry(root, "steps") {
            Some((_, v)) => self.tables(v, "`steps`", "steps"),
            None => {
                if !suggested.contains(&"steps") {
                    self.file_err(
                        "missing `steps`",
                        Some("add at least one [[steps]] table with a `title` and [[steps.actions]]".into()),
                    );
                }
                Vec::new()
            }
        };
        let mut included: BTreeMap<usize, Flow> = BTreeMap::new();
        let mut handlers_from_includes = Vec::new();
        for (i, sv) in step_values.iter().enumerate() {
            let Some(t) = sv.get_ref().as_table() else {
                continue;
            };
            let Some((_, inc)) = entry(t, "include") else {
                continue;
            };
            if let Some(sub) = self.include(inc) {
                for p in &sub.params {
                    if self.merge_decl(&p.name, VarKind::Param, inc) {
                        params.push(p.clone());
                    }
                }
                for s in &sub.secrets {
                    if self.merge_decl(&s.name, VarKind::Secret, inc) {
                        secrets.push(s.clone());
                    }
                }
                handlers_from_includes.extend(sub.handlers.iter().cloned());
                included.insert(i, sub);
            }
        }

        let mut handlers = self.handlers(root);
        for h in handlers_from_includes {
            if !handlers.iter().any(|o| o.name == h.name) {
                handlers.push(h);
            }
        }

        let mut steps = Vec::new();
        for (i, sv) in step_values.iter().enumerate() {
            if let Some(step) = self.step(sv, included.remove(&i)) {
                steps.push(step);
            }
        }
        if let Some((r, DeValue::Array(a))) = entry(root, "steps").map(|(r, v)| (r, v.get_ref())) {
            if a.is_empty() {
                self.err(r, "the flow has no steps", None);
            }
        }

        Some(Flow {
            path: self.path.to_path_buf(),
            name: name?,
            title: title?,
            description,
            base_url,
            params,
            secrets,
            handlers,
            steps,
        })
    }

    /// Adds a declaration from a sub-flow to the scope; false when this flow already has it.
    fn merge_decl(&mut self, name: &str, kind: VarKind, at: &Value) -> bool {
        match self.declared.get(name) {
            Some(k) if *k == kind => false,
            Some(k) => {
                self.err(
                    at.span(),
                    format!(
                        "the included flow declares `{name}` as a {}, but this flow declares it as a {}",
                        kind.noun(),
                        k.noun()
                    ),
                    None,
                );
                false
            }
            None => {
                self.declared.insert(name.to_string(), kind);
                true
            }
        }
    }

    fn params(&mut self, root: &DeTable) -> Vec<ParamDecl> {
        let mut out = Vec::new();
        let Some((_, v)) = entry(root, "params") else {
            return out;
        };
        let Some(t) = self.table(v, "`params`", "[params.klantnummer]") else {
            return out;
        };
        for (name, r, pv) in entries(t) {
            if !validate::is_identifier(name) {
                self.err(r.clone(), validate::bad_identifier("parameter", name), None);
            }
            self.declared.insert(name.to_string(), VarKind::Param);
            let Some(pt) = self.table(pv, &format!("parameter `{name}`"), "{ description = \"…\" }") else {
                continue;
            };
            self.check_keys(pt, validate::PARAM_KEYS, |k| {
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
        out
    }

    fn secrets(&mut self, root: &DeTable) -> Vec<SecretDecl> {
        let mut out = Vec::new();
        let Some((_, v)) = entry(root, "secrets") else {
            return out;
        };
        let Some(t) = self.table(v, "`secrets`", "[secrets.password]") else {
            return out;
        };
        for (name, r, sv) in entries(t) {
            if !validate::is_identifier(name) {
                self.err(r.clone(), validate::bad_identifier("secret", name), None);
            }
            if self.declared.contains_key(name) {
                self.err(
                    r.clone(),
                    format!("`{name}` is declared both as a parameter and as a secret"),
                    Some("a value is either passed with --param or read from the environment".into()),
                );
            }
            self.declared.insert(name.to_string(), VarKind::Secret);
            let Some(st) = self.table(sv, &format!("secret `{name}`"), "{ env = \"POSTNL_PASSWORD\" }") else {
                continue;
            };
            let suggested = self.check_keys(st, validate::SECRET_KEYS, |k| {
                format!("unknown key `{k}` in secret `{name}`")
            });
            let env = match entry(st, "env") {
                Some((_, v)) => self.nonempty_string(v, "`env`").and_then(|e| {
                    if validate::is_env_name(&e) {
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
            if let Some(env) = env {
                out.push(SecretDecl {
                    name: name.to_string(),
                    env,
                    prompt,
                    optional,
                    span: self.span(r),
                });
            }
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
            let suggested = self.check_keys(t, validate::HANDLER_KEYS, |k| format!("unknown key `{k}` in handler"));
            let name = match entry(t, "name") {
                Some((_, v)) => self.nonempty_string(v, "`name`"),
                None => {
                    self.missing(hv.span(), &suggested, "name", "handler has no `name`".into());
                    None
                }
            };
            if let (Some(n), Some((_, nv))) = (&name, entry(t, "name")) {
                if out.iter().any(|h| &h.name == n) {
                    self.err(nv.span(), format!("duplicate handler name \"{n}\""), None);
                }
            }
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
            if let (Some(name), Some(when)) = (name, when) {
                out.push(Handler {
                    name,
                    when,
                    actions,
                    span: self.span(hv.span()),
                });
            }
        }
        out
    }

    /// Loads an included sub-flow; its errors are kept (they name their own file).
    fn include(&mut self, v: &Value) -> Option<Flow> {
        let rel = self.nonempty_string(v, "`include`")?;
        let base = self.path.parent().unwrap_or(Path::new(""));
        let shown = normalize(&base.join(&rel));
        let canon = canonical(&shown);
        if let Some(pos) = self.stack.iter().position(|(c, _)| *c == canon) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .map(|(_, p)| p.display().to_string())
                .chain(std::iter::once(shown.display().to_string()))
                .collect();
            self.err(
                v.span(),
                format!("include cycle: {}", chain.join(" -> ")),
                Some("a flow cannot include itself, directly or through another file".into()),
            );
            return None;
        }
        let text = match std::fs::read_to_string(&shown) {
            Ok(t) => t,
            Err(e) => {
                let help = format!(
                    "paths are relative to the including file's folder ({})",
                    if base.as_os_str().is_empty() {
                        ".".to_string()
                    } else {
                        base.display().to_string()
                    }
                );
                self.err(
                    v.span(),
                    format!("cannot read included file `{}`: {}", shown.display(), io_reason(&e)),
                    Some(help),
                );
                return None;
            }
        };
        self.stack.push((canon, shown.clone()));
        let result = parse_file(&shown, &text, self.stack);
        self.stack.pop();
        match result {
            Ok(flow) => Some(flow),
            Err(errors) => {
                self.included_errors.extend(errors);
                None
            }
        }
    }

    fn step(&mut self, sv: &Value, sub: Option<Flow>) -> Option<Step> {
        let t = sv.get_ref().as_table()?;
        let suggested = self.check_keys(t, validate::STEP_KEYS, |k| format!("unknown key `{k}` in step"));
        let title = match entry(t, "title") {
            Some((_, v)) => {
                let title = self.nonempty_string(v, "`title`");
                if let Some(title) = &title {
                    self.check_step_title(title, v.span());
                }
                title
            }
            None => {
                self.missing(sv.span(), &suggested, "title", "step has no `title`".into());
                None
            }
        };
        let mut guide_url = entry(t, "guide_url").and_then(|(_, v)| self.string(v, "`guide_url`"));
        let mut phase = entry(t, "phase").and_then(|(_, v)| {
            let s = self.string(v, "`phase`")?;
            match s.as_str() {
                "session" => Some(Phase::Session),
                "row" => Some(Phase::Row),
                other => {
                    let help = validate::suggest(other, ["session", "row"])
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

        let mut actions = Vec::new();
        if let Some(sub) = sub {
            if phase.is_none() && entry(t, "phase").is_none() {
                let phases: BTreeSet<_> = sub.steps.iter().map(|s| s.phase as u8).collect();
                if phases.len() > 1 {
                    let (r, _) = entry(t, "include").unwrap();
                    self.err(
                        r,
                        "the included flow mixes `session` and `row` steps",
                        Some("set `phase` on this step".into()),
                    );
                } else {
                    phase = sub.steps.first().map(|s| s.phase);
                }
            }
            if guide_url.is_none() {
                guide_url = sub.steps.iter().find_map(|s| s.guide_url.clone());
            }
            for s in sub.steps {
                for a in s.actions.iter().flat_map(Action::walk) {
                    if let ActionKind::Read { into, .. } = &a.kind {
                        self.read_vars.insert(into.clone());
                    }
                }
                match s.when {
                    Some(condition) => actions.push(Action {
                        kind: ActionKind::If {
                            condition,
                            then: s.actions,
                            otherwise: Vec::new(),
                        },
                        optional: false,
                        timeout: None,
                        commits: false,
                        note: Some(s.title),
                        span: s.span,
                    }),
                    None => actions.extend(s.actions),
                }
            }
        }
        if let Some((_, v)) = entry(t, "actions") {
            actions.extend(self.actions(v, "steps.actions"));
        } else if entry(t, "include").is_none() && !suggested.contains(&"actions") {
            self.err(
                sv.span(),
                "step has no actions",
                Some("add [[steps.actions]] tables, or `include = \"other.toml\"`".into()),
            );
        }
        Some(Step {
            title: title?,
            guide_url,
            phase: phase.unwrap_or_default(),
            when,
            skip_reason,
            actions,
            span: self.span(sv.span()),
        })
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
            .filter(|(k, _, _)| validate::ACTIONS.contains(k) && !(*k == "expect" && is_download))
            .cloned()
            .collect();
        let known = |k: &str| {
            validate::ACTIONS.contains(&k)
                || validate::COMPANIONS.iter().any(|(c, _)| *c == k)
                || validate::MODIFIERS.contains(&k)
        };
        let unknown: Vec<_> = all.iter().filter(|(k, _, _)| !known(k)).cloned().collect();

        let Some((name, key_range, value)) = actions.first().cloned() else {
            if unknown.is_empty() {
                self.err(
                    av.span(),
                    "no action in this table",
                    Some(format!("expected one of {}", validate::list(validate::ACTIONS))),
                );
            }
            for (k, r, _) in unknown {
                let help = validate::suggest(k, validate::ACTIONS.iter().copied())
                    .map(|s| format!("did you mean `{s}`?"))
                    .unwrap_or_else(|| format!("expected one of {}", validate::list(validate::ACTIONS)));
                self.err(r, format!("unknown action `{k}`"), Some(help));
            }
            return None;
        };
        let mut suggested: Vec<&str> = Vec::new();
        for (k, r, _) in unknown {
            let own: Vec<&str> = validate::COMPANIONS
                .iter()
                .filter(|(_, a)| *a == name)
                .map(|(c, _)| *c)
                .chain(validate::MODIFIERS.iter().copied())
                .collect();
            let s = validate::suggest(k, own.iter().copied())
                .or_else(|| validate::suggest(k, validate::ACTIONS.iter().copied()));
            if let Some(s) = s {
                suggested.push(s);
            }
            let help = match s {
                Some(s) => format!("did you mean `{s}`?"),
                None => format!("`{name}` takes {}", validate::list(&own)),
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
            if let Some((_, owner)) = validate::COMPANIONS.iter().find(|(c, _)| c == k) {
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
        let timeout = entry(t, "timeout").and_then(|(_, v)| self.seconds(v, "`timeout`", false));
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
                let reload_every = entry(t, "reload_every").and_then(|(_, v)| self.seconds(v, "`reload_every`", false));
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
                        if !validate::is_identifier(&n) {
                            self.err(v.span(), validate::bad_identifier("variable", &n), None);
                            None
                        } else if let Some(kind) = self.declared.get(&n) {
                            self.err(
                                v.span(),
                                format!("`{n}` is already a {}", kind.noun()),
                                Some("read into a new name".into()),
                            );
                            None
                        } else {
                            Some(n)
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
                let into = into?;
                self.read_vars.insert(into.clone());
                ActionKind::Read { target: target?, into }
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
        let suggested = self.check_keys(t, validate::SELECT_KEYS, |k| format!("unknown key `{k}` in `select`"));
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
        let suggested = self.check_keys(t, validate::EXPECT_KEYS, |k| format!("unknown expectation `{k}`"));
        let kinds: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| *k != "match" && validate::EXPECT_KEYS.contains(k))
            .collect();
        let Some((kind, _, kv)) = kinds.first().cloned() else {
            if suggested.is_empty() {
                self.err(
                    v.span(),
                    "empty expectation",
                    Some("expected one of `visible`, `url`, `checked`, `unchecked`".into()),
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
        match kind {
            "visible" => Some(Expectation::Visible(self.locator(kv, "`visible`")?)),
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

    pub(super) fn condition(&mut self, v: &Value, what: &str) -> Option<Condition> {
        let t = self.table(v, what, "{ visible = { text = \"…\" } }")?;
        let suggested = self.check_keys(t, validate::CONDITION_KEYS, |k| format!("unknown condition `{k}`"));
        let kinds: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| *k != "within" && validate::CONDITION_KEYS.contains(k))
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
                let within = entry(t, "within").and_then(|(_, w)| self.seconds(w, "`within`", true));
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

    pub(super) fn locator(&mut self, v: &Value, what: &str) -> Option<Locator> {
        let t = self.table(v, what, LOCATOR_EXAMPLE)?;
        let suggested = self.check_keys(t, validate::LOCATOR_KEYS, |k| format!("unknown locator key `{k}`"));
        let bys: Vec<_> = entries(t)
            .into_iter()
            .filter(|(k, _, _)| validate::LOCATOR_BY.contains(k))
            .collect();
        let Some((by, by_range, bv)) = bys.first().cloned() else {
            if !suggested.iter().any(|s| validate::LOCATOR_BY.contains(s)) {
                self.err(
                    v.span(),
                    "empty locator: nothing to find the element by",
                    Some(format!("give one of {}", validate::list(validate::LOCATOR_BY))),
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
                    if validate::ROLES.contains(&r.as_str()) {
                        Some(r)
                    } else {
                        let help = validate::suggest(&r, validate::ROLES.iter().copied())
                            .map(|s| format!("did you mean `{s}`?"));
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

#[cfg(test)]
mod tests {
    use super::*;

    fn errs(text: &str) -> String {
        match parse_str(Path::new("t.toml"), text) {
            Ok(_) => String::from("ok"),
            Err(e) => e.render(),
        }
    }

    const HEAD: &str = "name = \"t\"\ntitle = \"T\"\n";

    #[test]
    fn minimal_flow_parses() {
        let f = parse_str(
            Path::new("t.toml"),
            &format!("{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nclick = {{ text = \"Go\" }}\n"),
        )
        .unwrap();
        assert_eq!(f.steps.len(), 1);
        assert_eq!(f.steps[0].phase, Phase::Row);
        let a = &f.steps[0].actions[0];
        assert_eq!((a.span.line, a.span.col), (6, 1));
        match &a.kind {
            ActionKind::Click(Locator { by: By::Text(tm), .. }) => {
                assert_eq!(tm.text.raw, "Go");
                assert_eq!(tm.mode, MatchMode::Exact);
            }
            k => panic!("{k:?}"),
        }
    }

    #[test]
    fn collects_several_errors_in_file_order() {
        let out = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nclik = {{ text = \"Go\" }}\n[[steps.actions]]\nfill = {{ label = \"X\" }}\nwiht = \"y\"\n"
        ));
        let first = out.find("unknown action `clik`").unwrap();
        let second = out.find("unknown key `wiht` in `fill` action").unwrap();
        assert!(first < second, "{out}");
        assert!(out.contains("did you mean `click`?"));
        assert!(out.contains("did you mean `with`?"));
        // The misspelt `with` is not reported a second time as missing.
        assert!(!out.contains("needs `with`"), "{out}");
    }

    #[test]
    fn undefined_variable_points_at_the_placeholder() {
        let out = errs(&format!(
            "{HEAD}[params.klantnummer]\n[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nselect = {{ option = \"PostNL ${{klantnumer}}\" }}\n"
        ));
        assert!(out.contains("undefined variable `${klantnumer}`"), "{out}");
        assert!(out.contains(":7:29"), "{out}");
        assert!(out.contains("did you mean `${klantnummer}`?"), "{out}");
    }

    #[test]
    fn read_into_defines_a_variable_for_later_actions_only() {
        let ok = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nread = {{ css = \"h1\" }}\ninto = \"kop\"\n[[steps.actions]]\nclick = {{ text = \"${{kop}}\" }}\n"
        ));
        assert_eq!(ok, "ok");
        let bad = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nclick = {{ text = \"${{kop}}\" }}\n[[steps.actions]]\nread = {{ css = \"h1\" }}\ninto = \"kop\"\n"
        ));
        assert!(bad.contains("undefined variable `${kop}`"), "{bad}");
    }

    #[test]
    fn download_takes_expect_as_companion() {
        let f = parse_str(
            Path::new("t.toml"),
            &format!("{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\ndownload = {{ text = \"PDF\" }}\nexpect = \"pdf\"\ntimeout = 2.5\n"),
        )
        .unwrap();
        let a = &f.steps[0].actions[0];
        assert!(matches!(
            a.kind,
            ActionKind::Download {
                expect: Some(FileKind::Pdf),
                ..
            }
        ));
        assert_eq!(a.timeout, Some(Duration::from_millis(2500)));
    }

    #[test]
    fn syntax_error_is_reported_with_position() {
        let out = errs("name = \"t\"\ntitle = \"T\n");
        assert!(out.starts_with("error: invalid TOML"), "{out}");
        assert!(out.contains("t.toml:2:"), "{out}");
    }

    #[test]
    fn locator_rules() {
        let out = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nclick = {{ text = \"a\", label = \"b\" }}\n[[steps.actions]]\nclick = {{ css = \"a\", match = \"contains\" }}\n[[steps.actions]]\nclick = {{ role = \"buton\" }}\n[[steps.actions]]\nclick = {{ match = \"exact\" }}\n[[steps.actions]]\nclick = \"Opslaan\"\n"
        ));
        assert!(out.contains("found `text` and `label`"), "{out}");
        assert!(out.contains("`match` does not apply to `css` locators"), "{out}");
        assert!(out.contains("unknown ARIA role `buton`"), "{out}");
        assert!(out.contains("did you mean `button`?"), "{out}");
        assert!(out.contains("empty locator"), "{out}");
        assert!(out.contains("write { text = \"Opslaan\" }"), "{out}");
    }

    #[test]
    fn commits_only_on_click_and_duplicate_titles() {
        let out = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nreload = true\ncommits = true\n[[steps]]\ntitle = \"S\"\n[[steps.actions]]\nreload = true\n"
        ));
        assert!(out.contains("`commits` only applies to `click`, not `reload`"), "{out}");
        assert!(out.contains("duplicate step title \"S\""), "{out}");
    }
}
