//! The flow model: what a parsed and validated flow file says, with source spans kept.
//!
//! A flow is a list of guide steps; each step is a list of actions; actions act on elements found
//! by [`Locator`]s, the way a person reads the page (visible text, label, role + name).
//! Strings may hold `${name}` placeholders, resolved by [`crate::flow::bind`].

use std::path::PathBuf;
use std::time::Duration;

/// A position in a flow file, 1-based line and column, plus the byte range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    pub line: usize,
    pub col: usize,
    pub start: usize,
    pub end: usize,
}

/// A whole flow file, parsed, with sub-flows (`include`) already expanded into its steps.
#[derive(Debug, Clone)]
pub struct Flow {
    /// The file the flow came from.
    pub path: PathBuf,
    /// Short machine name (`autoriseren-ecommerce-inzichten`), used in folder names.
    pub name: String,
    /// The guide's title, shown in reports.
    pub title: String,
    pub description: Option<String>,
    /// The portal the flow targets unless `--base-url` overrides it.
    pub base_url: Option<String>,
    pub params: Vec<ParamDecl>,
    pub secrets: Vec<SecretDecl>,
    /// Obstacles that may appear at any moment (cookie banner, interstitials) and how to clear them.
    pub handlers: Vec<Handler>,
    pub steps: Vec<Step>,
    /// The text of this file and of every file it includes, in the order read: binding looks in
    /// them for secret values written literally.
    pub sources: Vec<Source>,
}

/// The text of one flow file.
#[derive(Clone)]
pub struct Source {
    pub path: PathBuf,
    pub text: String,
}

impl std::fmt::Debug for Source {
    /// The path and size only: a flow's text is long.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Source({}, {} bytes)", self.path.display(), self.text.len())
    }
}

/// A parameter the caller supplies with `--param NAME=VALUE` (or a batch CSV column).
#[derive(Debug, Clone)]
pub struct ParamDecl {
    pub name: String,
    pub description: Option<String>,
    pub example: Option<String>,
    pub default: Option<String>,
    /// A secret parameter is redacted as `***` everywhere.
    pub secret: bool,
    pub span: Span,
}

/// A secret read from the environment (or a hidden prompt), never from the flow file or argv.
#[derive(Debug, Clone)]
pub struct SecretDecl {
    pub name: String,
    /// Environment variable holding it, e.g. `POSTNL_PASSWORD`.
    pub env: String,
    /// Prompt text for a hidden terminal prompt when the variable is missing.
    pub prompt: Option<String>,
    /// Optional secrets are only needed when an action using them runs.
    pub optional: bool,
    pub span: Span,
}

/// An obstacle handler: when `when` is visible, run `actions`, then retry what was blocked.
#[derive(Debug, Clone)]
pub struct Handler {
    pub name: String,
    pub when: Locator,
    pub actions: Vec<Action>,
    pub span: Span,
    /// Where the name is written (duplicate names are reported there).
    pub name_span: Span,
}

/// When a step (or batch) repeats: once per browser session, or once per CSV row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Phase {
    /// Session set-up (log in): once per browser session.
    Session,
    /// Per parameter row: repeats for each batch row.
    #[default]
    Row,
}

/// One guide step ("Stap 1. Log in op MijnPostNL").
#[derive(Debug, Clone)]
pub struct Step {
    pub title: String,
    /// The guide's URL for this step, informational (shown in reports; used by `verify`).
    pub guide_url: Option<String>,
    pub phase: Phase,
    /// The step runs only when this holds; otherwise it is reported as skipped with `skip_reason`.
    pub when: Option<Condition>,
    pub skip_reason: Option<String>,
    /// While the step runs: as soon as this is visible (e.g. the login form's alert), the step
    /// fails with the element's text as the message.
    pub fail_when: Option<Locator>,
    pub actions: Vec<Action>,
    pub span: Span,
    /// Where the title is written (duplicate titles are reported there).
    pub title_span: Span,
    /// The sub-flow this step includes, as written; its actions are inlined before the step's own.
    pub include: Option<Include>,
    /// The step only makes sense once an earlier committing action was performed (e.g. the tile
    /// that appears after the save): `verify` reports it as not verified and does not run it.
    pub depends_on_commit: bool,
    /// Regions `verify` ignores in this step's fingerprint and screenshot (a date, a counter).
    pub mask: Vec<Locator>,
}

/// A step's `include = "path"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Include {
    /// The path as written, relative to the including file's folder.
    pub path: String,
    pub span: Span,
    /// The including step sets `phase` itself (otherwise it takes the sub-flow's).
    pub step_sets_phase: bool,
}

/// One action with its modifiers.
#[derive(Debug, Clone)]
pub struct Action {
    pub kind: ActionKind,
    /// An optional action that cannot find its target within its timeout is skipped, not failed.
    pub optional: bool,
    /// Overrides the run's default action timeout.
    pub timeout: Option<Duration>,
    /// A committing action (e.g. 'Opslaan') changes the portal; `verify` skips it.
    pub commits: bool,
    /// A short human note shown in reports.
    pub note: Option<String>,
    pub span: Span,
}

/// What an action does.
#[derive(Debug, Clone)]
pub enum ActionKind {
    /// Open a URL; relative paths resolve against the base URL.
    Goto(Template),
    /// Click the one element the locator finds (after actionability checks).
    Click(Locator),
    /// Type a value into a field (cleared first).
    Fill { target: Locator, value: Template },
    /// Choose an option by its visible text: in a native `<select>`, a listbox, or a list of items.
    /// `from` narrows where to look; without it every select/listbox/list on the page is searched.
    Select { from: Option<Locator>, option: TextMatch },
    /// Ensure a checkbox is ticked (`true`) or unticked (`false`); clicks only when needed.
    SetChecked { target: Locator, checked: bool },
    /// Assert something, waiting up to the timeout for it to hold.
    Expect(Expectation),
    /// Wait until the locator finds a visible element; optionally reload the page every
    /// `reload_every` while waiting (tiles that appear late).
    WaitFor {
        target: Locator,
        reload_every: Option<Duration>,
    },
    /// Click a link/button that downloads a file and wait until it has landed in `downloads/`.
    Download { target: Locator, expect: Option<FileKind> },
    /// Take an extra named screenshot.
    Screenshot(String),
    /// Reload the current page.
    Reload,
    /// Read an element's visible text into a variable (e.g. the logged-in user's name).
    Read { target: Locator, into: String },
    /// Run `then` when the condition holds, else `otherwise`.
    If {
        condition: Condition,
        then: Vec<Action>,
        otherwise: Vec<Action>,
    },
}

/// An assertion.
#[derive(Debug, Clone)]
pub enum Expectation {
    /// The locator finds a visible element.
    Visible(Locator),
    /// The current URL matches.
    Url(TextMatch),
    /// The checkbox is (un)ticked.
    Checked { target: Locator, checked: bool },
    /// The locator finds no visible element (absent or hidden), waiting until it goes.
    Hidden(Locator),
    /// The element's visible text (`text`) or a form field's value (`value`) equals or
    /// contains the wanted text, waiting until it does.
    Content {
        target: Locator,
        of: ContentOf,
        want: TextMatch,
    },
}

/// What of an element `expect = { text|value = … }` reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentOf {
    /// Its visible text (a form field's value).
    Text,
    /// A form field's value.
    Value,
}

/// Kinds of downloaded file the robot can verify.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Starts with `%PDF-` and ends with `%%EOF`.
    Pdf,
}

/// A condition for `if` or a step's `when`.
#[derive(Debug, Clone)]
pub enum Condition {
    /// The locator finds a visible element (checked without waiting beyond `within`).
    Visible {
        target: Locator,
        within: Option<Duration>,
    },
    /// Two names denote the same person: every word of the shorter appears in the longer,
    /// ignoring case and punctuation ("GATUser, PostNL" ~ "GATUser, PostNL (PostNL)").
    SamePerson(Template, Template),
    /// Both strings are equal after whitespace normalisation.
    Equals(Template, Template),
    Not(Box<Condition>),
}

/// A string with `${name}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    /// The text as written in the flow file (placeholders intact). Shown in reports.
    pub raw: String,
    pub span: Span,
}

/// How a text is compared: always whitespace-normalised and case-insensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum MatchMode {
    /// The whole text equals the wanted text.
    #[default]
    Exact,
    /// The text contains the wanted text.
    Contains,
}

/// A text and how to match it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TextMatch {
    pub text: Template,
    pub mode: MatchMode,
}

/// How to find an element, the way a person reads the page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Locator {
    pub by: By,
    /// Search only inside the one element this locator finds.
    pub within: Option<Box<Locator>>,
    pub span: Span,
}

/// The ways of finding an element, from most to least human.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum By {
    /// Visible text of the element.
    Text(TextMatch),
    /// A form control by its label (`<label for>`, wrapping label, `aria-label`, `aria-labelledby`).
    Label(TextMatch),
    /// ARIA role (explicit or implicit) and optionally accessible name. `popup` requires
    /// a menu button (`aria-haspopup`/`aria-expanded`).
    Role {
        role: String,
        name: Option<TextMatch>,
        popup: bool,
    },
    /// Placeholder text of an input.
    Placeholder(TextMatch),
    /// Last resort: a CSS selector.
    Css(String),
    /// Last resort: an XPath expression.
    XPath(String),
    /// Alternatives, tried in order: the first that finds exactly one visible element wins.
    Any(Vec<Locator>),
}

/// A piece of a [`Template`]: literal text or a `${name}` placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Piece<'a> {
    /// Text taken as written.
    Literal(&'a str),
    /// A `${name}` placeholder; `at` is the byte offset of `$` in [`Template::raw`].
    Var { name: &'a str, at: usize },
    /// A `${` without its closing `}`; `at` is the byte offset of `$`.
    Unclosed { at: usize },
}

impl Template {
    /// A template from its raw text and where it was written.
    pub fn new(raw: impl Into<String>, span: Span) -> Template {
        Template { raw: raw.into(), span }
    }

    /// The literal parts and `${name}` placeholders, in order.
    pub fn pieces(&self) -> Vec<Piece<'_>> {
        let raw = self.raw.as_str();
        let mut out = Vec::new();
        let mut rest = 0;
        while let Some(i) = raw[rest..].find("${") {
            let at = rest + i;
            if at > rest {
                out.push(Piece::Literal(&raw[rest..at]));
            }
            match raw[at + 2..].find('}') {
                Some(j) => {
                    out.push(Piece::Var {
                        name: &raw[at + 2..at + 2 + j],
                        at,
                    });
                    rest = at + 2 + j + 1;
                }
                None => {
                    out.push(Piece::Unclosed { at });
                    return out;
                }
            }
        }
        if rest < raw.len() {
            out.push(Piece::Literal(&raw[rest..]));
        }
        out
    }

    /// The names of the `${name}` placeholders, in order.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.pieces().into_iter().filter_map(|p| match p {
            Piece::Var { name, .. } => Some(name),
            _ => None,
        })
    }

    /// The placeholder name when the template is exactly one `${name}` and nothing else.
    pub fn sole_var(&self) -> Option<&str> {
        match self.pieces().as_slice() {
            [Piece::Var { name, .. }] => Some(name),
            _ => None,
        }
    }
}

impl Action {
    /// The actions nested in this one (the branches of an `if`), in order.
    pub fn children(&self) -> impl Iterator<Item = &Action> {
        let (a, b): (&[Action], &[Action]) = match &self.kind {
            ActionKind::If { then, otherwise, .. } => (then, otherwise),
            _ => (&[], &[]),
        };
        a.iter().chain(b.iter())
    }

    /// This action and all actions nested in it, depth first.
    pub fn walk(&self) -> Vec<&Action> {
        let mut out = vec![self];
        for c in self.children() {
            out.extend(c.walk());
        }
        out
    }
}

impl Step {
    /// Number of actions in the step, nested `if` branches included.
    pub fn action_count(&self) -> usize {
        self.actions.iter().map(|a| a.walk().len()).sum()
    }
}

impl Flow {
    /// Number of actions in all steps, nested `if` branches included.
    pub fn action_count(&self) -> usize {
        self.steps.iter().map(Step::action_count).sum()
    }

    /// The declared secret with this name.
    pub fn secret(&self, name: &str) -> Option<&SecretDecl> {
        self.secrets.iter().find(|s| s.name == name)
    }

    /// The declared parameter with this name.
    pub fn param(&self, name: &str) -> Option<&ParamDecl> {
        self.params.iter().find(|p| p.name == name)
    }
}
