//! `postnl-robot check FLOW...`: validate flow files offline and report what is wrong.

use std::path::PathBuf;

use crate::flow::load::load_any;

/// Validates each file; returns the text to print and whether every file is valid.
/// A valid file prints `ok: PATH (N steps, M actions)` (a handler file: `ok: PATH (handler file,
/// N handlers)`); an invalid one its errors, then `failed: PATH (N errors)`.
pub fn check(paths: &[PathBuf]) -> (String, bool) {
    let mut out = String::new();
    let mut ok = true;
    for path in paths {
        match load_any(path) {
            Ok(flow) if flow.steps.is_empty() => {
                let n = flow.handlers.len();
                out.push_str(&format!(
                    "ok: {} (handler file, {n} handler{})\n",
                    path.display(),
                    plural(n)
                ));
            }
            Ok(flow) => {
                let steps = flow.steps.len();
                let actions = flow.action_count();
                out.push_str(&format!(
                    "ok: {} ({steps} step{}, {actions} action{})\n",
                    path.display(),
                    plural(steps),
                    plural(actions)
                ));
            }
            Err(errors) => {
                ok = false;
                out.push_str(&errors.render());
                let n = errors.len();
                out.push_str(&format!("\nfailed: {} ({n} error{})\n", path.display(), plural(n)));
            }
        }
    }
    (out, ok)
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}
