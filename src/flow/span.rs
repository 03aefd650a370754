//! Source positions and flow-file errors, rendered rustc/hurl-style:
//!
//! ```text
//! error: unknown action `clik`
//!   --> flows/x.toml:12:3
//!    |
//! 12 |   clik = { text = "Opslaan" }
//!    |   ^^^^ did you mean `click`?
//! ```

use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use crate::flow::model::Span;

impl Span {
    /// The span of the byte range `range` in `src`, with 1-based line and (character) column.
    /// Scans `src` up to `range`; to make many spans in one file, use [`LineIndex`].
    pub fn from_range(src: &str, range: Range<usize>) -> Span {
        LineIndex::new(src).span(src, range)
    }

    /// The byte range of this span.
    pub fn range(&self) -> Range<usize> {
        self.start..self.end
    }
}

/// Where each line of a text starts, so that a span's line and column cost a binary search
/// instead of a scan from the top of the file (loading stays linear in the file size). Spans asked
/// for in file order cost less still: the line of the previous one is tried first.
#[derive(Debug, Clone)]
pub struct LineIndex {
    /// Byte offset of the first character of each line; `starts[0] == 0`.
    starts: Vec<usize>,
    /// The (0-based) line of the last span made.
    last: std::cell::Cell<usize>,
}

impl LineIndex {
    /// Indexes the lines of `src`.
    pub fn new(src: &str) -> LineIndex {
        let mut starts = Vec::with_capacity(src.len() / 32 + 1);
        starts.push(0);
        starts.extend(src.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex {
            starts,
            last: std::cell::Cell::new(0),
        }
    }

    /// The 0-based line containing byte `at`.
    fn line_of(&self, at: usize) -> usize {
        let last = self.last.get();
        let within = |l: usize| self.starts[l] <= at && self.starts.get(l + 1).is_none_or(|&next| at < next);
        let line = if within(last) {
            last
        } else if last + 1 < self.starts.len() && within(last + 1) {
            last + 1
        } else {
            self.starts.partition_point(|&s| s <= at) - 1
        };
        self.last.set(line);
        line
    }

    /// The span of the byte range `range` in `src` (the text this index was built from).
    pub fn span(&self, src: &str, range: Range<usize>) -> Span {
        let start = floor_char_boundary(src, range.start.min(src.len()));
        let end = floor_char_boundary(src, range.end.clamp(start, src.len()));
        let line = self.line_of(start);
        let line_start = self.starts[line];
        let col = src[line_start..start].chars().count() + 1;
        Span {
            line: line + 1,
            col,
            start,
            end,
        }
    }
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The text of the line `span` starts on (without its line ending).
fn line_of(src: &str, span: Span) -> String {
    let start = floor_char_boundary(src, span.start.min(src.len()));
    let line_start = src[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = src[line_start..].find('\n').map_or(src.len(), |i| line_start + i);
    src[line_start..line_end].trim_end_matches('\r').to_string()
}

/// One problem in a flow file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowError {
    /// The file the problem is in (an included file names itself, not the includer).
    pub path: PathBuf,
    /// Where in the file; `None` when the problem concerns the file as a whole.
    pub span: Option<Span>,
    /// What is wrong, e.g. "unknown action `clik`".
    pub message: String,
    /// A hint shown under the caret, e.g. "did you mean `click`?".
    pub help: Option<String>,
    /// The source line the span starts on, kept so the error renders without the file.
    pub source_line: Option<String>,
}

impl FlowError {
    /// An error at `span` in the file `path` whose text is `src`.
    pub fn at(path: &Path, src: &str, span: Span, message: impl Into<String>) -> FlowError {
        FlowError {
            path: path.to_path_buf(),
            span: Some(span),
            message: message.into(),
            help: None,
            source_line: Some(line_of(src, span)),
        }
    }

    /// An error about the file as a whole.
    pub fn file(path: &Path, message: impl Into<String>) -> FlowError {
        FlowError {
            path: path.to_path_buf(),
            span: None,
            message: message.into(),
            help: None,
            source_line: None,
        }
    }

    /// Adds a hint.
    pub fn with_help(mut self, help: impl Into<String>) -> FlowError {
        self.help = Some(help.into());
        self
    }

    /// Adds a hint when there is one.
    pub fn with_help_opt(mut self, help: Option<String>) -> FlowError {
        if help.is_some() {
            self.help = help;
        }
        self
    }

    /// Renders the error as plain text (no colour), ending with a newline.
    pub fn render(&self) -> String {
        let mut out = format!("error: {}\n", self.message);
        let path = self.path.display();
        let (Some(span), Some(line)) = (self.span, &self.source_line) else {
            out.push_str(&format!(" --> {path}\n"));
            if let Some(help) = &self.help {
                out.push_str(&format!("  = help: {help}\n"));
            }
            return out;
        };
        let num = span.line.to_string();
        let pad = " ".repeat(num.len());
        out.push_str(&format!("{pad}--> {path}:{}:{}\n", span.line, span.col));
        out.push_str(&format!("{pad} |\n"));
        let shown: String = line.chars().map(|c| if c == '\t' { ' ' } else { c }).collect();
        out.push_str(format!("{num} | {shown}").trim_end());
        out.push('\n');
        let line_chars = shown.chars().count();
        let offset = span.col - 1;
        // Underline up to the end of the span or of the line, at least one caret.
        let span_chars = {
            let len = span.end.saturating_sub(span.start);
            // Characters of the span that lie on this line.
            let rest: String = shown.chars().skip(offset).collect();
            let mut n = 0;
            let mut bytes = 0;
            for c in rest.chars() {
                if bytes >= len {
                    break;
                }
                bytes += c.len_utf8();
                n += 1;
            }
            n
        };
        let width = span_chars.clamp(1, line_chars.saturating_sub(offset).max(1));
        let mut marker = format!("{pad} | {}{}", " ".repeat(offset), "^".repeat(width));
        if let Some(help) = &self.help {
            marker.push(' ');
            marker.push_str(help);
        }
        out.push_str(&marker);
        out.push('\n');
        out
    }
}

impl fmt::Display for FlowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.span {
            Some(s) => write!(f, "{}:{}:{}: {}", self.path.display(), s.line, s.col, self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// All the problems found in a flow file (and the files it includes), in file order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", summary(.errors))]
pub struct FlowErrors {
    pub errors: Vec<FlowError>,
}

fn summary(errors: &[FlowError]) -> String {
    match errors {
        [one] => one.to_string(),
        [first, ..] => format!("{first} (and {} more errors)", errors.len() - 1),
        [] => "no errors".to_string(),
    }
}

impl FlowErrors {
    /// Renders every error, separated by blank lines.
    pub fn render(&self) -> String {
        self.errors.iter().map(FlowError::render).collect::<Vec<_>>().join("\n")
    }

    /// Number of errors.
    pub fn len(&self) -> usize {
        self.errors.len()
    }

    /// True when there are no errors.
    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }
}

impl From<FlowError> for FlowErrors {
    fn from(e: FlowError) -> Self {
        FlowErrors { errors: vec![e] }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_from_bytes() {
        let src = "a = 1\nbé = 2\n  c = 3\n";
        let s = Span::from_range(src, 16..17);
        assert_eq!((s.line, s.col), (3, 3));
        // Columns count characters, not bytes.
        let eq = src.find("= 2").unwrap();
        let s = Span::from_range(src, eq..eq + 1);
        assert_eq!((s.line, s.col), (2, 4));
        let s = Span::from_range(src, 0..0);
        assert_eq!((s.line, s.col), (1, 1));
    }

    #[test]
    fn renders_like_rustc() {
        let src = "name = \"x\"\n\n\n\n\n\n\n\n\n\n\n  clik = { text = \"Opslaan\" }\n";
        let start = src.find("clik").unwrap();
        let span = Span::from_range(src, start..start + 4);
        let e = FlowError::at(Path::new("flows/x.toml"), src, span, "unknown action `clik`")
            .with_help("did you mean `click`?");
        assert_eq!(
            e.render(),
            "error: unknown action `clik`\n  --> flows/x.toml:12:3\n   |\n12 |   clik = { text = \"Opslaan\" }\n   |   ^^^^ did you mean `click`?\n"
        );
    }

    #[test]
    fn empty_span_gets_one_caret_and_multiline_span_stops_at_line_end() {
        let src = "title = \"y\n";
        let span = Span::from_range(src, 10..10);
        let e = FlowError::at(Path::new("f.toml"), src, span, "bad");
        assert_eq!(
            e.render(),
            "error: bad\n --> f.toml:1:11\n  |\n1 | title = \"y\n  |           ^\n"
        );
        let src = "a = { x = [\n 1 ] }\n";
        let span = Span::from_range(src, 4..src.len() - 1);
        let e = FlowError::at(Path::new("f.toml"), src, span, "bad");
        assert!(e.render().ends_with("  |     ^^^^^^^\n"), "{}", e.render());
    }

    #[test]
    fn file_level_error_has_no_source_line() {
        let e = FlowError::file(Path::new("f.toml"), "cannot read").with_help("check the path");
        assert_eq!(
            e.render(),
            "error: cannot read\n --> f.toml\n  = help: check the path\n"
        );
    }
}
