//! Loading a flow: reading its files, then parse → include → validate → inline.
//!
//! For each file: [`parse`] builds its model; the files its steps `include` are loaded the same
//! way (recursively); their parameters, secrets and handlers join the including flow; [`validate`]
//! checks the file against that scope; finally the sub-flows' actions are inlined into the
//! including steps. Every problem of every file is collected.
//!
//! Rules for the files (the text of a file that is not a flow is never shown):
//! - a flow file is at most [`lang::MAX_FILE_BYTES`] (16 MiB), UTF-8 text without NUL bytes;
//! - `include` paths are relative to the including file's folder and stay inside the folder of
//!   the flow given to `check`/`run` (no absolute paths, no `..` out of it; symlinks resolved);
//! - an included file is a flow (with `[[steps]]`) or a handler file (only `[[handlers]]`).

use std::collections::{BTreeMap, BTreeSet};
use std::io::Read;
use std::path::{Component, Path, PathBuf};

use crate::flow::lang::{self, VarKind};
use crate::flow::model::*;
use crate::flow::parse::{parse, Role};
use crate::flow::span::{FlowError, FlowErrors};
use crate::flow::validate::{validate, Scope};

/// Reads, parses and validates the flow file at `path`, expanding its includes. A handler file
/// (no steps) is refused: there is nothing to run.
pub fn load(path: &Path) -> Result<Flow, FlowErrors> {
    let flow = load_any(path)?;
    if flow.steps.is_empty() {
        return Err(FlowError::file(path, "a handler file has no steps to run")
            .with_help("include it from a flow: `include = \"…\"` on a step")
            .into());
    }
    Ok(flow)
}

/// [`load`], accepting a handler file too (what `check` does).
pub fn load_any(path: &Path) -> Result<Flow, FlowErrors> {
    let text = read_flow_file(path)
        .map_err(|reason| FlowErrors::from(FlowError::file(path, format!("cannot read flow file: {reason}"))))?;
    parse_str(path, &text)
}

/// Parses and validates `text` as the flow file `path`; includes are read relative to `path`.
pub fn parse_str(path: &Path, text: &str) -> Result<Flow, FlowErrors> {
    if text.len() as u64 > lang::MAX_FILE_BYTES {
        return Err(FlowError::file(path, too_big(text.len() as u64)).into());
    }
    let dir = folder(path);
    let root = std::fs::canonicalize(&dir).unwrap_or_else(|_| absolute(&dir));
    let mut loader = Loader {
        root,
        root_shown: dir,
        stack: vec![(canonical(path), path.to_path_buf())],
    };
    loader
        .file(path, text.to_string(), Role::Top)
        .map_err(|errors| FlowErrors { errors })
}

fn too_big(len: u64) -> String {
    format!(
        "the file is {:.1} MiB: flow files are limited to {} MiB",
        len as f64 / (1024.0 * 1024.0),
        lang::MAX_FILE_BYTES / (1024 * 1024)
    )
}

/// Reads a flow file as text: a regular file, at most [`lang::MAX_FILE_BYTES`], UTF-8. The reason
/// it cannot be read never quotes the file.
fn read_flow_file(path: &Path) -> Result<String, String> {
    let meta = std::fs::metadata(path).map_err(|e| io_reason(&e))?;
    if !meta.is_file() {
        return Err("not a regular file".into());
    }
    if meta.len() > lang::MAX_FILE_BYTES {
        return Err(too_big(meta.len()));
    }
    let file = std::fs::File::open(path).map_err(|e| io_reason(&e))?;
    let mut bytes = Vec::new();
    file.take(lang::MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| io_reason(&e))?;
    if bytes.len() as u64 > lang::MAX_FILE_BYTES {
        return Err(too_big(bytes.len() as u64));
    }
    String::from_utf8(bytes).map_err(|_| "not a text file (not UTF-8)".to_string())
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file".to_string(),
        std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
        _ => e.to_string(),
    }
}

/// The folder a file is in, `.` for a bare file name.
fn folder(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

fn absolute(path: &Path) -> PathBuf {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    normalize(&abs)
}

fn canonical(path: &Path) -> PathBuf {
    std::fs::canonicalize(path).unwrap_or_else(|_| absolute(path))
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
                Some(Component::RootDir | Component::Prefix(_)) => {}
                _ => out.push(c),
            },
            _ => out.push(c),
        }
    }
    out.iter().collect()
}

/// Why an include failed: a problem at the `include` line, or the included file's own errors.
enum IncludeError {
    Here(Box<FlowError>),
    There(Vec<FlowError>),
}

struct Loader {
    /// The folder of the flow given to `check`/`run`, canonical: includes stay inside it.
    root: PathBuf,
    /// The same folder as the user wrote it, for messages.
    root_shown: PathBuf,
    /// The files being read, outermost first, as (canonical path, path as shown).
    stack: Vec<(PathBuf, PathBuf)>,
}

impl Loader {
    /// Parses, resolves includes, validates and inlines one file.
    fn file(&mut self, path: &Path, text: String, role: Role) -> Result<Flow, Vec<FlowError>> {
        let parsed = parse(path, &text, role);
        let Some(mut flow) = parsed.flow else {
            return Err(parsed.errors);
        };
        let mut errors = parsed.errors;
        let mut included_errors = Vec::new();

        // Sub-flows: their parameters, secrets and handlers join this flow's scope.
        let mut declared: BTreeMap<String, VarKind> = BTreeMap::new();
        for p in &flow.params {
            declared.entry(p.name.clone()).or_insert(VarKind::Param);
        }
        for s in &flow.secrets {
            declared.entry(s.name.clone()).or_insert(VarKind::Secret);
        }
        let includes: Vec<(usize, Include)> = flow
            .steps
            .iter()
            .enumerate()
            .filter_map(|(i, s)| Some((i, s.include.clone()?)))
            .collect();
        let mut subs: BTreeMap<usize, Flow> = BTreeMap::new();
        let mut scope = Scope::default();
        let mut sub_handlers = Vec::new();
        let mut sources = Vec::new();
        for (i, inc) in includes {
            let sub = match self.include(path, &text, &inc) {
                Ok(sub) => sub,
                Err(e) => {
                    scope.complete = false;
                    match e {
                        IncludeError::Here(e) => errors.push(*e),
                        IncludeError::There(es) => included_errors.extend(es),
                    }
                    continue;
                }
            };
            let mut merge = |name: &str, kind: VarKind, errors: &mut Vec<FlowError>| match declared.get(name) {
                Some(k) if *k == kind => false,
                Some(k) => {
                    let message = format!(
                        "the included flow declares `{name}` as a {}, but this flow declares it as a {}",
                        kind.noun(),
                        k.noun()
                    );
                    errors.push(FlowError::at(path, &text, inc.span, message));
                    false
                }
                None => {
                    declared.insert(name.to_string(), kind);
                    true
                }
            };
            for p in &sub.params {
                if merge(&p.name, VarKind::Param, &mut errors) {
                    flow.params.push(p.clone());
                }
            }
            for s in &sub.secrets {
                if merge(&s.name, VarKind::Secret, &mut errors) {
                    flow.secrets.push(s.clone());
                }
            }
            let reads = sub
                .steps
                .iter()
                .flat_map(|s| &s.actions)
                .flat_map(Action::walk)
                .filter_map(|a| match &a.kind {
                    ActionKind::Read { into, .. } => Some(into.clone()),
                    _ => None,
                })
                .collect();
            scope.reads_by_step.insert(i, reads);
            sub_handlers.extend(sub.handlers.iter().cloned());
            subs.insert(i, sub);
        }

        errors.extend(validate(&flow, &text, &scope));

        for h in sub_handlers {
            if !flow.handlers.iter().any(|o| o.name == h.name) {
                flow.handlers.push(h);
            }
        }
        for (i, step) in flow.steps.iter_mut().enumerate() {
            if let Some(sub) = subs.remove(&i) {
                if let Some(e) = inline(step, sub.steps, path, &text) {
                    errors.push(e);
                }
                sources.extend(sub.sources);
            }
        }
        errors.sort_by_key(|e| e.span.map_or(0, |s| s.start));
        errors.extend(included_errors);
        flow.sources.push(Source {
            path: path.to_path_buf(),
            text,
        });
        flow.sources.extend(sources);
        if errors.is_empty() {
            Ok(flow)
        } else {
            Err(errors)
        }
    }

    /// Loads the sub-flow a step includes, enforcing the rules for included files.
    fn include(&mut self, from: &Path, from_text: &str, inc: &Include) -> Result<Flow, IncludeError> {
        let here = |message: String, help: Option<String>| {
            IncludeError::Here(Box::new(
                FlowError::at(from, from_text, inc.span, message).with_help_opt(help),
            ))
        };
        let root_shown = self.root_shown.display().to_string();
        let rel = Path::new(&inc.path);
        if rel.has_root() || rel.is_absolute() || matches!(rel.components().next(), Some(Component::Prefix(_))) {
            return Err(here(
                "`include` must be a path relative to this file's folder, found an absolute path".into(),
                Some(format!("included files stay inside the flow's folder ({root_shown})")),
            ));
        }
        let base = folder(from);
        let shown = normalize(&base.join(rel));
        let outside = || {
            here(
                format!(
                    "`include` must stay inside the flow's folder ({root_shown}): `{}` is outside it",
                    inc.path
                ),
                Some("symbolic links are followed; move the file into the folder".into()),
            )
        };
        let canon = match std::fs::canonicalize(&shown) {
            Ok(c) => c,
            Err(e) => {
                if !absolute(&shown).starts_with(absolute(&self.root_shown)) {
                    return Err(outside());
                }
                return Err(here(
                    format!("cannot read included file `{}`: {}", shown.display(), io_reason(&e)),
                    Some(format!(
                        "paths are relative to the including file's folder ({})",
                        base.display()
                    )),
                ));
            }
        };
        if !canon.starts_with(&self.root) {
            return Err(outside());
        }
        if let Some(pos) = self.stack.iter().position(|(c, _)| *c == canon) {
            let chain: Vec<String> = self.stack[pos..]
                .iter()
                .map(|(_, p)| p.display().to_string())
                .chain(std::iter::once(shown.display().to_string()))
                .collect();
            return Err(here(
                format!("include cycle: {}", chain.join(" -> ")),
                Some("a flow cannot include itself, directly or through another file".into()),
            ));
        }
        let text = read_flow_file(&canon).map_err(|reason| {
            here(
                format!("cannot read included file `{}`: {reason}", shown.display()),
                None,
            )
        })?;
        self.stack.push((canon, shown.clone()));
        let result = self.file(&shown, text, Role::Included);
        self.stack.pop();
        result.map_err(IncludeError::There)
    }
}

/// Inlines a sub-flow's steps into the including `step`: all their actions, in order, before the
/// step's own (a sub-flow step with a `when` becomes an `if`). The step takes the sub-flow's
/// phase unless it sets one, and its `guide_url` and `fail_when` unless it has them.
/// Returns the problem when the step must set `phase` itself.
fn inline(step: &mut Step, sub_steps: Vec<Step>, path: &Path, text: &str) -> Option<FlowError> {
    let inc = step.include.clone()?;
    let mut problem = None;
    if !inc.step_sets_phase {
        let phases: BTreeSet<u8> = sub_steps.iter().map(|s| s.phase as u8).collect();
        if phases.len() > 1 {
            problem = Some(
                FlowError::at(
                    path,
                    text,
                    inc.span,
                    "the included flow mixes `session` and `row` steps",
                )
                .with_help("set `phase` on this step"),
            );
        } else if let Some(first) = sub_steps.first() {
            step.phase = first.phase;
        }
    }
    if step.guide_url.is_none() {
        step.guide_url = sub_steps.iter().find_map(|s| s.guide_url.clone());
    }
    if step.fail_when.is_none() {
        step.fail_when = sub_steps.iter().find_map(|s| s.fail_when.clone());
    }
    let mut actions = Vec::new();
    for s in sub_steps {
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
    actions.append(&mut step.actions);
    step.actions = actions;
    problem
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

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

    #[test]
    fn steps_take_depends_on_commit_and_masks() {
        let f = parse_str(
            Path::new("t.toml"),
            &format!(
                "{HEAD}[[steps]]\ntitle = \"S\"\ndepends_on_commit = true\nmask = [{{ css = \".datum\" }}, {{ text = \"Bijgewerkt\", match = \"contains\" }}]\n[[steps.actions]]\nreload = true\n"
            ),
        )
        .unwrap();
        assert!(f.steps[0].depends_on_commit);
        assert_eq!(f.steps[0].mask.len(), 2);
        assert!(matches!(f.steps[0].mask[0].by, By::Css(_)));
        let out = errs(&format!(
            "{HEAD}[[steps]]\ntitle = \"S\"\ndepends_on_commit = \"ja\"\nmask = \".datum\"\n[[steps.actions]]\nreload = true\n[[steps]]\ntitle = \"T\"\nmask = [{{ lable = \"x\" }}]\n[[steps.actions]]\nreload = true\n"
        ));
        assert!(out.contains("`depends_on_commit`"), "{out}");
        assert!(out.contains("`mask`"), "{out}");
        assert!(out.contains("did you mean `label`?"), "{out}");
    }
}
