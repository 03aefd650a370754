//! The vocabulary of the flow language: which keys each table takes, which names are valid, the
//! ranges of durations, and "did you mean" suggestions for near misses. Shared by parsing,
//! validation and binding; depends on nothing else in the crate.

use std::time::Duration;

/// Keys of the top-level table.
pub const TOP_KEYS: &[&str] = &[
    "name",
    "title",
    "description",
    "base_url",
    "params",
    "secrets",
    "handlers",
    "steps",
];
/// Keys of a `[params.NAME]` table.
pub const PARAM_KEYS: &[&str] = &["description", "example", "default", "secret"];
/// Keys of a `[secrets.NAME]` table.
pub const SECRET_KEYS: &[&str] = &["env", "prompt", "optional"];
/// Keys of a `[[handlers]]` table.
pub const HANDLER_KEYS: &[&str] = &["name", "when", "actions"];
/// Keys of a step's `fail_when` table.
pub const FAIL_WHEN_KEYS: &[&str] = &["visible"];
/// Keys of a `[[steps]]` table.
pub const STEP_KEYS: &[&str] = &[
    "title",
    "guide_url",
    "phase",
    "when",
    "skip_reason",
    "fail_when",
    "include",
    "actions",
    "depends_on_commit",
    "mask",
];
/// The actions; an action table holds exactly one of these.
pub const ACTIONS: &[&str] = &[
    "goto",
    "click",
    "fill",
    "select",
    "check",
    "uncheck",
    "expect",
    "wait_for",
    "download",
    "screenshot",
    "reload",
    "read",
    "if",
];
/// Keys that go with one action: (key, action).
pub const COMPANIONS: &[(&str, &str)] = &[
    ("with", "fill"),
    ("reload_every", "wait_for"),
    ("expect", "download"),
    ("into", "read"),
    ("then", "if"),
    ("else", "if"),
];
/// Keys any action may carry.
pub const MODIFIERS: &[&str] = &["optional", "timeout", "commits", "note"];
/// Keys of a `select = { … }` table.
pub const SELECT_KEYS: &[&str] = &["option", "match", "from"];
/// Keys of an `expect = { … }` table.
pub const EXPECT_KEYS: &[&str] = &[
    "visible",
    "hidden",
    "url",
    "checked",
    "unchecked",
    "text",
    "value",
    "match",
    "equals",
    "contains",
];
/// Keys of an expectation that qualify the kind rather than name it.
pub const EXPECT_QUALIFIERS: &[&str] = &["match", "equals", "contains"];
/// Keys of a condition table.
pub const CONDITION_KEYS: &[&str] = &["visible", "within", "same_person", "equals", "not"];
/// The ways a locator finds an element; a locator holds exactly one.
pub const LOCATOR_BY: &[&str] = &["text", "label", "role", "placeholder", "css", "xpath", "any"];
/// Keys of a locator table.
pub const LOCATOR_KEYS: &[&str] = &[
    "text",
    "label",
    "role",
    "placeholder",
    "css",
    "xpath",
    "any",
    "name",
    "popup",
    "match",
    "within",
];

/// ARIA roles a `role` locator may name.
pub const ROLES: &[&str] = &[
    "alert",
    "alertdialog",
    "application",
    "article",
    "banner",
    "blockquote",
    "button",
    "caption",
    "cell",
    "checkbox",
    "code",
    "columnheader",
    "combobox",
    "complementary",
    "contentinfo",
    "definition",
    "dialog",
    "document",
    "feed",
    "figure",
    "form",
    "grid",
    "gridcell",
    "group",
    "heading",
    "img",
    "link",
    "list",
    "listbox",
    "listitem",
    "log",
    "main",
    "marquee",
    "math",
    "menu",
    "menubar",
    "menuitem",
    "menuitemcheckbox",
    "menuitemradio",
    "meter",
    "navigation",
    "none",
    "note",
    "option",
    "paragraph",
    "presentation",
    "progressbar",
    "radio",
    "radiogroup",
    "region",
    "row",
    "rowgroup",
    "rowheader",
    "scrollbar",
    "search",
    "searchbox",
    "separator",
    "slider",
    "spinbutton",
    "status",
    "switch",
    "tab",
    "table",
    "tablist",
    "tabpanel",
    "term",
    "textbox",
    "timer",
    "toolbar",
    "tooltip",
    "tree",
    "treegrid",
    "treeitem",
];

/// What a declared `${name}` is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VarKind {
    /// Declared under `[params.NAME]`.
    Param,
    /// Declared under `[secrets.NAME]`.
    Secret,
}

impl VarKind {
    /// "parameter" or "secret".
    pub fn noun(self) -> &'static str {
        match self {
            VarKind::Param => "parameter",
            VarKind::Secret => "secret",
        }
    }
}

/// The candidate closest to `word` when it is close enough to be a likely misspelling.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let w = word.to_lowercase();
    let limit = w.chars().count().div_ceil(3);
    let mut best: Option<(usize, &'a str)> = None;
    for c in candidates {
        let d = strsim::damerau_levenshtein(&w, &c.to_lowercase());
        let prefix = w.len() >= 3 && (c.starts_with(w.as_str()) || w.starts_with(c));
        let d = if prefix { d.min(limit.max(1)) } else { d };
        if d <= limit.max(1) && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, c));
        }
    }
    best.map(|(_, c)| c)
}

/// `a`, `b` or `c`.
pub fn list(items: &[&str]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| format!("`{i}`")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        Some((last, _)) => last.clone(),
        None => String::new(),
    }
}

/// A name usable in `${name}`: a letter or `_`, then letters, digits or `_`.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// The error message for a name that is not an identifier.
pub fn bad_identifier(what: &str, name: &str) -> String {
    format!("invalid {what} name `{name}`: use letters, digits and `_`, starting with a letter")
}

/// A flow `name`: lowercase ASCII letters, digits, `-` and `_` (it becomes part of folder names).
pub fn is_slug(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
}

/// `s` made into a slug: lowercase, runs of other characters become one `-`.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// An environment variable name: letters, digits and `_`, not starting with a digit.
pub fn is_env_name(s: &str) -> bool {
    is_identifier(s)
}

/// The longest duration a flow or the command line may ask for: 24 hours.
pub const MAX_SECONDS: f64 = 86_400.0;

/// The shortest `reload_every`: reloading faster would hammer the portal.
pub const MIN_RELOAD_SECONDS: f64 = 1.0;

/// Flow files larger than this are refused unread (16 MiB).
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// `secs` as a duration when `min < secs ≤ MAX_SECONDS` (or `secs == min` when `min_inclusive`).
/// Rejects NaN, infinities and negative values; never panics.
pub fn duration_in_range(secs: f64, min: f64, min_inclusive: bool) -> Option<Duration> {
    let above_min = if min_inclusive { secs >= min } else { secs > min };
    (secs.is_finite() && above_min && secs <= MAX_SECONDS).then(|| Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(suggest("clik", ACTIONS.iter().copied()), Some("click"));
        assert_eq!(suggest("Click", ACTIONS.iter().copied()), Some("click"));
        assert_eq!(suggest("wiht", ["with", "optional"]), Some("with"));
        assert_eq!(suggest("wait", ACTIONS.iter().copied()), Some("wait_for"));
        assert_eq!(suggest("waitfor", ACTIONS.iter().copied()), Some("wait_for"));
        assert_eq!(suggest("zzzzzz", ACTIONS.iter().copied()), None);
        assert_eq!(suggest("contain", ["exact", "contains"]), Some("contains"));
    }

    #[test]
    fn durations() {
        assert_eq!(duration_in_range(1.5, 0.0, false), Some(Duration::from_millis(1500)));
        assert_eq!(duration_in_range(0.0, 0.0, false), None);
        assert_eq!(duration_in_range(0.0, 0.0, true), Some(Duration::ZERO));
        for bad in [f64::NAN, f64::INFINITY, -1.0, 1e19, 1e300, MAX_SECONDS + 0.001] {
            assert_eq!(duration_in_range(bad, 0.0, false), None, "{bad}");
        }
        assert_eq!(
            duration_in_range(MAX_SECONDS, 0.0, false),
            Some(Duration::from_secs(86_400))
        );
    }

    #[test]
    fn names() {
        assert!(is_identifier("ingelogde_gebruiker"));
        assert!(!is_identifier("1x"));
        assert!(!is_identifier("a-b"));
        assert!(is_slug("autoriseren-ecommerce-inzichten"));
        assert!(!is_slug("Mijn Flow"));
        assert_eq!(slugify("Mijn Flow!"), "mijn-flow");
        assert_eq!(list(&["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
