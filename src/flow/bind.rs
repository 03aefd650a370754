//! Binding a flow to its inputs: parameters (`--param NAME=VALUE`), secrets (environment or a
//! hidden prompt) and the variables `read … into` sets while running; rendering `${name}`
//! templates and locators with them.
//!
//! Binding happens before any browser starts and names every missing input at once. Secret values
//! never appear in `Debug` output, errors or [`std::fmt::Display`] of flow items.

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use crate::flow::lang;
use crate::flow::model::{Flow, Piece, SecretDecl, Span, Template};

/// A secret value; `Debug` prints `***`, and there is no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// The value, for typing it into the page. Never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

#[derive(Clone)]
enum Slot {
    Plain(String),
    Secret(Secret),
    /// An optional secret whose environment variable is not set: an error only if used.
    MissingSecret {
        env: String,
    },
}

/// The values a run uses for `${name}`: parameters, secrets and variables read while running.
#[derive(Clone, Default)]
pub struct Vars {
    slots: BTreeMap<String, Slot>,
    /// Declared parameter names in declaration order, for reports.
    param_order: Vec<String>,
}

impl fmt::Debug for Vars {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut m = f.debug_map();
        for (k, v) in &self.slots {
            match v {
                Slot::Plain(s) => m.entry(k, s),
                Slot::Secret(_) => m.entry(k, &"***"),
                Slot::MissingSecret { env } => m.entry(k, &format!("<unset: {env}>")),
            };
        }
        m.finish()
    }
}

/// One problem with the inputs given to a flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BindProblem {
    /// `--param` names something the flow does not declare.
    UnknownParam {
        name: String,
        suggestion: Option<String>,
        known: Vec<String>,
    },
    /// `--param` names a secret, which must come from the environment.
    SecretAsParam { name: String, env: String },
    /// The same `--param` was given twice.
    DuplicateParam { name: String },
    /// A parameter without default was not given.
    MissingParam {
        name: String,
        description: Option<String>,
        example: Option<String>,
    },
    /// A secret parameter without default was given neither with --param nor in its
    /// environment variable `env` (`POSTNL_PARAM_<NAME>`).
    MissingSecretParam { name: String, env: String },
    /// A required secret is neither in the environment nor was it entered at a prompt.
    MissingSecret { name: String, env: String },
    /// The file named by a secret's `<ENV>_FILE` variable cannot be read (its content is never
    /// shown).
    SecretFile {
        name: String,
        var: String,
        path: PathBuf,
        reason: String,
    },
    /// The value of a secret (or of a secret parameter given with --param) is written literally
    /// in a flow file, at `path:line:col`. The value itself is never shown.
    LiteralSecret {
        name: String,
        env: Option<String>,
        path: PathBuf,
        line: usize,
        col: usize,
    },
}

fn shell_quote(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || "-_.=/:@".contains(c)) {
        s.to_string()
    } else {
        format!("\"{}\"", s.replace('"', "\\\""))
    }
}

impl fmt::Display for BindProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BindProblem::UnknownParam {
                name,
                suggestion,
                known,
            } => {
                write!(f, "unknown parameter `{name}`")?;
                match (suggestion, known.is_empty()) {
                    (Some(s), _) => write!(f, ": did you mean `{s}`?"),
                    (None, true) => write!(f, ": this flow takes no parameters"),
                    (None, false) => {
                        let k: Vec<&str> = known.iter().map(String::as_str).collect();
                        write!(f, ": this flow takes {}", lang::list(&k))
                    }
                }
            }
            BindProblem::SecretAsParam { name, env } => write!(
                f,
                "`{name}` is a secret and cannot be given with --param: set the environment variable {env}"
            ),
            BindProblem::DuplicateParam { name } => {
                write!(f, "parameter `{name}` is given more than once")
            }
            BindProblem::MissingParam {
                name,
                description,
                example,
            } => {
                write!(f, "missing parameter `{name}`")?;
                if let Some(d) = description {
                    write!(f, " ({d})")?;
                }
                let value = example.as_deref().unwrap_or("…");
                write!(f, ": pass --param {}", shell_quote(&format!("{name}={value}")))
            }
            BindProblem::MissingSecretParam { name, env } => write!(
                f,
                "missing secret parameter `{name}`: set the environment variable {env} (or pass --param {name}=…, visible in the process list)"
            ),
            BindProblem::MissingSecret { name, env } => {
                write!(f, "missing secret `{name}`: set the environment variable {env}")
            }
            BindProblem::SecretFile {
                name,
                var,
                path,
                reason,
            } => write!(
                f,
                "secret `{name}`: cannot read the file {var} names ({}): {reason}",
                path.display()
            ),
            BindProblem::LiteralSecret {
                name,
                env,
                path,
                line,
                col,
            } => {
                let what = match env {
                    Some(env) => format!("secret `{name}` ({env})"),
                    None => format!("secret parameter `{name}`"),
                };
                write!(
                    f,
                    "the value of {what} is written literally in {}:{line}:{col}: remove it from the flow file and write ${{{name}}} where it is needed",
                    path.display()
                )
            }
        }
    }
}

/// The flow's inputs are incomplete or wrong; lists every problem.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_problems(.problems))]
pub struct BindError {
    pub problems: Vec<BindProblem>,
}

fn render_problems(problems: &[BindProblem]) -> String {
    let mut out = match problems.len() {
        1 => "the flow's inputs are incomplete:".to_string(),
        n => format!("the flow's inputs have {n} problems:"),
    };
    for p in problems {
        out.push_str(&format!("\n  - {p}"));
    }
    out
}

/// A template or locator could not be filled in while running.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RenderError {
    /// A variable set by `read … into` has not been read (yet).
    #[error("`${{{name}}}` has no value: the `read` that sets it has not run")]
    NotSet { name: String },
    /// An optional secret is needed now but its environment variable is not set.
    #[error("secret `{name}` is needed now but not set: set the environment variable {env}")]
    MissingSecret { name: String, env: String },
    /// The template has a `${` without `}`.
    #[error("unclosed `${{` in {raw:?}")]
    Unclosed { raw: String },
}

/// Asks for a missing secret (a hidden terminal prompt); `None` when nothing was entered.
pub type Prompter<'a> = &'a mut dyn FnMut(&SecretDecl) -> Option<String>;

/// Binds `params` and secrets (looked up with `env`; when `prompt` is true, a missing required
/// secret is asked for with a hidden terminal prompt). Fails naming every problem at once.
pub fn bind(
    flow: &Flow,
    params: &[(String, String)],
    env: &dyn Fn(&str) -> Option<String>,
    prompt: bool,
) -> Result<Vars, BindError> {
    let mut tty = |s: &SecretDecl| {
        let label = s.prompt.as_deref().unwrap_or(&s.name);
        rpassword::prompt_password(format!("{label} ({}): ", s.env)).ok()
    };
    bind_with(flow, params, env, if prompt { Some(&mut tty) } else { None })
}

/// [`bind`] with the process environment, prompting only when stdin is a terminal.
pub fn bind_env(flow: &Flow, params: &[(String, String)]) -> Result<Vars, BindError> {
    use std::io::IsTerminal;
    bind(
        flow,
        params,
        &|name| std::env::var(name).ok(),
        std::io::stdin().is_terminal(),
    )
}

/// [`bind`] with the prompt supplied by the caller (tests inject answers here).
pub fn bind_with(
    flow: &Flow,
    params: &[(String, String)],
    env: &dyn Fn(&str) -> Option<String>,
    mut prompter: Option<Prompter<'_>>,
) -> Result<Vars, BindError> {
    let mut problems = Vec::new();
    let mut vars = Vars {
        param_order: flow.params.iter().map(|p| p.name.clone()).collect(),
        ..Vars::default()
    };
    let mut given: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, value) in params {
        if let Some(s) = flow.secret(name) {
            problems.push(BindProblem::SecretAsParam {
                name: name.clone(),
                env: s.env.clone(),
            });
        } else if flow.param(name).is_none() {
            problems.push(BindProblem::UnknownParam {
                name: name.clone(),
                suggestion: lang::suggest(name, flow.params.iter().map(|p| p.name.as_str())).map(str::to_string),
                known: flow.params.iter().map(|p| p.name.clone()).collect(),
            });
        } else if given.insert(name, value).is_some() {
            problems.push(BindProblem::DuplicateParam { name: name.clone() });
        }
    }
    for p in &flow.params {
        let from_env = || env(&param_env(&p.name)).filter(|v| !v.is_empty());
        let value = given
            .get(p.name.as_str())
            .map(|v| v.to_string())
            .or_else(|| if p.secret { from_env() } else { None })
            .or_else(|| p.default.clone());
        match value {
            Some(v) if p.secret => {
                vars.slots.insert(p.name.clone(), Slot::Secret(Secret(v)));
            }
            Some(v) => {
                vars.slots.insert(p.name.clone(), Slot::Plain(v));
            }
            None if p.secret => problems.push(BindProblem::MissingSecretParam {
                name: p.name.clone(),
                env: param_env(&p.name),
            }),
            None => problems.push(BindProblem::MissingParam {
                name: p.name.clone(),
                description: p.description.clone(),
                example: p.example.clone(),
            }),
        }
    }
    // Only prompt for secrets when everything else is in order.
    if !problems.is_empty() {
        prompter = None;
    }
    for s in &flow.secrets {
        let mut value = env(&s.env).filter(|v| !v.is_empty());
        if value.is_none() {
            match secret_from_file(s, env) {
                Ok(v) => value = v,
                Err(p) => {
                    problems.push(p);
                    continue;
                }
            }
        }
        if value.is_none() && !s.optional {
            if let Some(ask) = prompter.as_mut() {
                value = ask(s).filter(|v| !v.is_empty());
            }
        }
        match value {
            Some(v) => {
                vars.slots.insert(s.name.clone(), Slot::Secret(Secret(v)));
            }
            None if s.optional => {
                vars.slots
                    .insert(s.name.clone(), Slot::MissingSecret { env: s.env.clone() });
            }
            None => problems.push(BindProblem::MissingSecret {
                name: s.name.clone(),
                env: s.env.clone(),
            }),
        }
    }
    problems.extend(literal_secrets(flow, &vars, &given));
    if problems.is_empty() {
        Ok(vars)
    } else {
        Err(BindError { problems })
    }
}

/// The environment variable a secret parameter can come from: `POSTNL_PARAM_<NAME>` (upper
/// case; anything but ASCII letters and digits becomes `_`).
pub fn param_env(name: &str) -> String {
    let upper: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("POSTNL_PARAM_{upper}")
}

/// A secret from the file its `<ENV>_FILE` variable names (the Docker/systemd convention):
/// the file's text without a trailing line break; `None` when the variable is not set or the
/// file is empty.
fn secret_from_file(s: &SecretDecl, env: &dyn Fn(&str) -> Option<String>) -> Result<Option<String>, BindProblem> {
    let var = format!("{}_FILE", s.env);
    let Some(path) = env(&var).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let problem = |reason: String| BindProblem::SecretFile {
        name: s.name.clone(),
        var: var.clone(),
        path: PathBuf::from(&path),
        reason,
    };
    let meta = std::fs::metadata(&path).map_err(|e| problem(e.to_string()))?;
    if !meta.is_file() {
        return Err(problem("not a file".into()));
    }
    if meta.len() > MAX_SECRET_FILE_BYTES {
        return Err(problem(format!("larger than {MAX_SECRET_FILE_BYTES} bytes")));
    }
    let bytes = std::fs::read(&path).map_err(|e| problem(e.to_string()))?;
    let text = String::from_utf8(bytes).map_err(|_| problem("not UTF-8 text".into()))?;
    let value = text.strip_suffix('\n').unwrap_or(&text);
    let value = value.strip_suffix('\r').unwrap_or(value);
    Ok(Some(value.to_string()).filter(|v| !v.is_empty()))
}

/// Largest file a secret is read from.
const MAX_SECRET_FILE_BYTES: u64 = 64 * 1024;

/// Secret values shorter than this are not looked for in the flow's text: a value of one to three
/// characters would be found by chance.
pub const MIN_LITERAL_SECRET_CHARS: usize = 4;

/// Each secret value (and secret parameter given with --param; a default is in the flow by
/// design) that is written literally in one of the flow's files: where it first occurs.
fn literal_secrets(flow: &Flow, vars: &Vars, given: &BTreeMap<&str, &str>) -> Vec<BindProblem> {
    let mut candidates: Vec<(&str, Option<&str>, &str)> = Vec::new();
    for s in &flow.secrets {
        if let Some(Slot::Secret(v)) = vars.slots.get(&s.name) {
            candidates.push((&s.name, Some(&s.env), v.expose()));
        }
    }
    for p in flow.params.iter().filter(|p| p.secret) {
        if let Some(v) = given.get(p.name.as_str()) {
            candidates.push((&p.name, None, v));
        } else if let Some(Slot::Secret(v)) = vars.slots.get(&p.name) {
            // From the environment (a default is in the flow by design).
            if p.default.as_deref() != Some(v.expose()) {
                candidates.push((&p.name, None, v.expose()));
            }
        }
    }
    let mut out = Vec::new();
    for (name, env, value) in candidates {
        if value.chars().count() < MIN_LITERAL_SECRET_CHARS {
            continue;
        }
        let found = flow.sources.iter().find_map(|src| {
            src.text
                .find(value)
                .map(|at| (src, Span::from_range(&src.text, at..at)))
        });
        if let Some((src, span)) = found {
            out.push(BindProblem::LiteralSecret {
                name: name.to_string(),
                env: env.map(str::to_string),
                path: src.path.clone(),
                line: span.line,
                col: span.col,
            });
        }
    }
    out
}

impl Vars {
    /// Fills in the `${name}` placeholders of `t`.
    pub fn render(&self, t: &Template) -> Result<String, RenderError> {
        let mut out = String::new();
        for piece in t.pieces() {
            match piece {
                Piece::Literal(s) => out.push_str(s),
                Piece::Var { name, .. } => match self.slots.get(name) {
                    Some(Slot::Plain(v)) => out.push_str(v),
                    Some(Slot::Secret(v)) => out.push_str(v.expose()),
                    Some(Slot::MissingSecret { env }) => {
                        return Err(RenderError::MissingSecret {
                            name: name.to_string(),
                            env: env.clone(),
                        })
                    }
                    None => return Err(RenderError::NotSet { name: name.to_string() }),
                },
                Piece::Unclosed { .. } => return Err(RenderError::Unclosed { raw: t.raw.clone() }),
            }
        }
        Ok(out)
    }

    /// `text` (e.g. a locator as written) with the `${name}` placeholders of non-secret values
    /// filled in; placeholders of secrets and unset names stay as written.
    pub fn fill_plain(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find("${") {
            out.push_str(&rest[..at]);
            let after = &rest[at + 2..];
            match after.find('}') {
                Some(end) => {
                    let name = after[..end].trim();
                    match self.slots.get(name) {
                        Some(Slot::Plain(v)) => out.push_str(v),
                        _ => out.push_str(&rest[at..at + 2 + end + 1]),
                    }
                    rest = &after[end + 1..];
                }
                None => {
                    out.push_str(&rest[at..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Sets a variable (what `read … into` read from the page).
    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.slots.insert(name.into(), Slot::Plain(value.into()));
    }

    /// True when `name` has a value.
    pub fn is_set(&self, name: &str) -> bool {
        matches!(self.slots.get(name), Some(Slot::Plain(_) | Slot::Secret(_)))
    }

    /// The value of a non-secret variable (parameter or read); `None` for secrets and unset names.
    pub fn get(&self, name: &str) -> Option<String> {
        match self.slots.get(name) {
            Some(Slot::Plain(v)) => Some(v.clone()),
            _ => None,
        }
    }

    /// True when `t` uses a secret (its rendered value must not be shown).
    pub fn is_secret_template(&self, t: &Template) -> bool {
        t.vars()
            .any(|n| matches!(self.slots.get(n), Some(Slot::Secret(_) | Slot::MissingSecret { .. })))
    }

    /// Every secret value (longest first), for redacting text before it is logged or reported.
    pub fn secret_values(&self) -> Vec<String> {
        let mut v: Vec<String> = self
            .slots
            .values()
            .filter_map(|s| match s {
                Slot::Secret(s) if !s.0.is_empty() => Some(s.0.clone()),
                _ => None,
            })
            .collect();
        v.sort_by_key(|s| std::cmp::Reverse(s.len()));
        v.dedup();
        v
    }

    /// `text` with every secret value replaced by `***`.
    pub fn redact(&self, text: &str) -> String {
        let mut out = text.to_string();
        for s in self.secret_values() {
            out = out.replace(&s, "***");
        }
        out
    }

    /// The declared parameters and their values for reports; secret parameters as `***`.
    pub fn shown_params(&self) -> Vec<(String, String)> {
        self.param_order
            .iter()
            .filter_map(|n| match self.slots.get(n)? {
                Slot::Plain(v) => Some((n.clone(), v.clone())),
                _ => Some((n.clone(), "***".to_string())),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::flow::load::parse_str;
    use crate::flow::model::Span;
    use std::path::Path;

    fn flow() -> Flow {
        parse_str(
            Path::new("t.toml"),
            r#"
name = "t"
title = "T"
[params.klantnummer]
example = "9401138"
[params.pin]
secret = true
default = "0000"
[secrets.password]
env = "PW"
[secrets.extra]
env = "EXTRA"
optional = true
[[steps]]
title = "S"
  [[steps.actions]]
  fill = { label = "Wachtwoord", within = { any = [{ role = "dialog" }, { css = "form", within = { role = "main" } }] } }
  with = "${password}"
  [[steps.actions]]
  read = { css = "h1" }
  into = "kop"
"#,
        )
        .unwrap()
    }

    fn tpl(raw: &str) -> Template {
        Template::new(raw, Span::default())
    }

    #[test]
    fn secret_params_from_the_environment_and_secrets_from_files() {
        let f = flow();
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "uit-een-bestand\n").unwrap();
        let path = file.display().to_string();
        let env = |k: &str| match k {
            "POSTNL_PARAM_PIN" => Some("4321".to_string()),
            "PW_FILE" => Some(path.clone()),
            _ => None,
        };
        let vars = bind_with(&f, &[("klantnummer".into(), "1".into())], &env, None).unwrap();
        assert_eq!(vars.render(&tpl("${pin}")).unwrap(), "4321");
        assert_eq!(vars.render(&tpl("${password}")).unwrap(), "uit-een-bestand");
        assert!(vars.secret_values().contains(&"uit-een-bestand".to_string()));
        // The environment variable itself wins over the file.
        let env2 = |k: &str| match k {
            "PW" => Some("direct".to_string()),
            "PW_FILE" => Some("/nonexistent".to_string()),
            _ => None,
        };
        let vars = bind_with(&f, &[("klantnummer".into(), "1".into())], &env2, None).unwrap();
        assert_eq!(vars.render(&tpl("${password}")).unwrap(), "direct");
        // An unreadable file is named, its content never shown.
        let env3 = |k: &str| (k == "PW_FILE").then(|| dir.path().display().to_string());
        let err = bind_with(&f, &[("klantnummer".into(), "1".into())], &env3, None).unwrap_err();
        assert!(
            matches!(&err.problems[..], [BindProblem::SecretFile { var, .. }] if var == "PW_FILE"),
            "{err}"
        );
        assert_eq!(param_env("klant-nummer"), "POSTNL_PARAM_KLANT_NUMMER");
    }

    #[test]
    fn binds_and_renders_and_redacts() {
        let f = flow();
        let env = |k: &str| (k == "PW").then(|| "hunter2".to_string());
        let mut v = bind(&f, &[("klantnummer".into(), "9401138".into())], &env, false).unwrap();
        assert_eq!(v.render(&tpl("PostNL (${klantnummer})")).unwrap(), "PostNL (9401138)");
        assert_eq!(v.render(&tpl("${password}")).unwrap(), "hunter2");
        assert_eq!(
            v.fill_plain("option \"${klantnummer}\" ${password} ${pin} ${nope} ${open"),
            "option \"9401138\" ${password} ${pin} ${nope} ${open"
        );
        assert!(v.is_secret_template(&tpl("x ${password}")));
        assert!(v.is_secret_template(&tpl("${pin}")));
        assert!(!v.is_secret_template(&tpl("${klantnummer}")));
        assert_eq!(v.secret_values(), vec!["hunter2".to_string(), "0000".to_string()]);
        assert_eq!(v.redact("pw hunter2 pin 0000"), "pw *** pin ***");
        let dbg = format!("{v:?}");
        assert!(!dbg.contains("hunter2") && !dbg.contains("0000"), "{dbg}");
        assert_eq!(
            v.render(&tpl("${extra}")).unwrap_err().to_string(),
            "secret `extra` is needed now but not set: set the environment variable EXTRA"
        );
        assert_eq!(
            v.render(&tpl("${kop}")).unwrap_err(),
            RenderError::NotSet { name: "kop".into() }
        );
        v.set("kop", "Welkom");
        assert_eq!(v.render(&tpl("${kop}!")).unwrap(), "Welkom!");
        assert_eq!(
            v.shown_params(),
            vec![
                ("klantnummer".to_string(), "9401138".to_string()),
                ("pin".to_string(), "***".to_string())
            ]
        );
    }

    #[test]
    fn names_every_problem_at_once_and_does_not_prompt_then() {
        let f = flow();
        let mut asked = 0;
        let mut ask = |_: &SecretDecl| {
            asked += 1;
            Some("x".to_string())
        };
        let err = bind_with(
            &f,
            &[("klantnumer".into(), "1".into()), ("password".into(), "p".into())],
            &|_| None,
            Some(&mut ask),
        )
        .unwrap_err();
        assert_eq!(asked, 0);
        assert_eq!(
            err.to_string(),
            "the flow's inputs have 4 problems:\n  \
             - unknown parameter `klantnumer`: did you mean `klantnummer`?\n  \
             - `password` is a secret and cannot be given with --param: set the environment variable PW\n  \
             - missing parameter `klantnummer`: pass --param klantnummer=9401138\n  \
             - missing secret `password`: set the environment variable PW"
        );
    }

    #[test]
    fn a_secret_written_in_the_flow_is_refused_without_showing_it() {
        let mut f = flow();
        f.sources[0].text.push_str("\n# wachtwoord: hunter2\n");
        let env = |k: &str| (k == "PW").then(|| "hunter2".to_string());
        let err = bind(&f, &[("klantnummer".into(), "1".into())], &env, false).unwrap_err();
        let text = err.to_string();
        assert!(!text.contains("hunter2"), "{text}");
        let line = f.sources[0].text.lines().count();
        assert!(
            text.contains(&format!(
                "the value of secret `password` (PW) is written literally in t.toml:{line}:15"
            )),
            "{text}"
        );
        // Short values are not looked for: they would be found by chance.
        let env = |k: &str| (k == "PW").then(|| "hun".to_string());
        assert!(bind(&f, &[("klantnummer".into(), "1".into())], &env, false).is_ok());
    }

    #[test]
    fn prompts_for_missing_required_secrets_only() {
        let f = flow();
        let mut asked = Vec::new();
        let mut ask = |s: &SecretDecl| {
            asked.push(s.name.clone());
            Some("typed".to_string())
        };
        let v = bind_with(&f, &[("klantnummer".into(), "1".into())], &|_| None, Some(&mut ask)).unwrap();
        assert_eq!(asked, vec!["password".to_string()]);
        assert_eq!(v.render(&tpl("${password}")).unwrap(), "typed");
    }
}
