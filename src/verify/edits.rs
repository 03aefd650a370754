//! The fix for a locator that no longer matches: for the best near miss of each text a
//! locator wanted, every line of the flow (and of the files it includes) where a locator of that
//! kind is written with that text, as `file:line  label "old" → "new"`. A text that came from a
//! `${parameter}` is not written in the flow: no edit then (the parameter is what to change).

use std::path::{Path, PathBuf};

use crate::run::result::{Edit, Suggestion};

/// The edits that repair the flow `file` (as given on the command line) for `suggestions`
/// (best first, as a failure lists them).
pub fn propose(file: &str, suggestions: &[Suggestion]) -> Vec<Edit> {
    let mut best: Vec<&Suggestion> = vec![];
    for s in suggestions {
        if !best.iter().any(|b| b.kind == s.kind && b.wanted == s.wanted) {
            best.push(s);
        }
    }
    let files = flow_files(Path::new(file));
    let mut out = vec![];
    for (path, text) in &files {
        for (i, line) in text.lines().enumerate() {
            for s in &best {
                if writes(line, &s.kind, &s.wanted) {
                    let e = Edit {
                        file: path.display().to_string(),
                        line: i + 1,
                        kind: s.kind.clone(),
                        old: s.wanted.clone(),
                        new: s.offered.clone(),
                    };
                    if !out.contains(&e) {
                        out.push(e);
                    }
                }
            }
        }
    }
    out
}

/// The flow file and the files it includes (`include = "…"`, relative to the including file),
/// with their text; unreadable files are left out.
fn flow_files(file: &Path) -> Vec<(PathBuf, String)> {
    let mut out: Vec<(PathBuf, String)> = vec![];
    let mut todo = vec![file.to_path_buf()];
    while let Some(p) = todo.pop() {
        if out.iter().any(|(q, _)| q == &p) {
            continue;
        }
        let Ok(text) = std::fs::read_to_string(&p) else {
            continue;
        };
        let dir = p.parent().map(Path::to_path_buf).unwrap_or_default();
        for line in text.lines() {
            let l = line.trim_start();
            if let Some(rest) = l.strip_prefix("include") {
                if let Some(inc) = rest.trim_start().strip_prefix('=').map(str::trim).and_then(unquote) {
                    todo.push(dir.join(inc));
                }
            }
        }
        out.push((p, text));
    }
    out
}

fn unquote(s: &str) -> Option<&str> {
    let s = s.split('#').next()?.trim();
    s.strip_prefix('"')
        .and_then(|r| r.strip_suffix('"'))
        .or_else(|| s.strip_prefix('\'').and_then(|r| r.strip_suffix('\'')))
}

/// Whether `line` writes `kind = "text"` (basic or literal TOML string).
fn writes(line: &str, kind: &str, text: &str) -> bool {
    let basic = format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""));
    let literal = format!("'{text}'");
    [basic, literal].iter().any(|quoted| {
        line.match_indices(quoted.as_str()).any(|(at, _)| {
            let before = line[..at].trim_end();
            let Some(key) = before.strip_suffix('=') else {
                return false;
            };
            let key = key.trim_end();
            key.ends_with(kind)
                && !key[..key.len() - kind.len()]
                    .chars()
                    .next_back()
                    .is_some_and(|c| c.is_alphanumeric() || c == '_')
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn suggestion(kind: &str, wanted: &str, offered: &str, score: f64) -> Suggestion {
        Suggestion {
            kind: kind.into(),
            wanted: wanted.into(),
            offered: offered.into(),
            score,
        }
    }

    #[test]
    fn every_line_writing_the_locator_gets_an_edit_from_the_best_suggestion() {
        let dir = tempfile::tempdir().unwrap();
        let flow = dir.path().join("flow.toml");
        std::fs::write(
            &flow,
            "name = \"x\"\n[[steps]]\ninclude = \"sub.toml\"\n\
             [[steps.actions]]\ncheck = { label = \"E-commerce inzichten\" }\n\
             [[steps.actions]]\nexpect = { checked = { label = \"E-commerce inzichten\" } }\n\
             [[steps.actions]]\nclick = { text = \"E-commerce inzichten\" }\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("sub.toml"),
            "fill = { label=\"E-commerce inzichten\" }\n",
        )
        .unwrap();
        let s = [
            suggestion("label", "E-commerce inzichten", "E-commerce Insights", 0.93),
            suggestion("label", "E-commerce inzichten", "Facturen", 0.61),
        ];
        let file = flow.display().to_string();
        let edits = propose(&file, &s);
        let lines: Vec<String> = edits.iter().map(|e| e.to_string()).collect();
        assert_eq!(
            lines,
            vec![
                format!("{file}:5  label \"E-commerce inzichten\" → \"E-commerce Insights\""),
                format!("{file}:7  label \"E-commerce inzichten\" → \"E-commerce Insights\""),
                format!(
                    "{}:1  label \"E-commerce inzichten\" → \"E-commerce Insights\"",
                    dir.path().join("sub.toml").display()
                ),
            ]
        );
    }

    #[test]
    fn only_the_locator_key_counts() {
        assert!(writes("  check = { label = \"A\" }", "label", "A"));
        assert!(writes("x = { name = 'A' }", "name", "A"));
        assert!(!writes("x = { rolename = \"A\" }", "name", "A"));
        assert!(!writes("title = \"A\"", "label", "A"));
        assert!(!writes("label = \"AB\"", "label", "A"));
    }
}
