//! Secret redaction: every occurrence of a secret value (and of its usual encodings) becomes `***`.
//!
//! A [`Redactor`] knows the secret values of a run (password, e-mail, secret `--param`s). It
//! replaces each of them — and the forms they take once serialized: URL-encoded (`%40`, `+`),
//! JSON-escaped (also nested, and with `\uXXXX` for non-ASCII), Rust-`Debug`-escaped and
//! HTML/XML-escaped — by [`MASK`]. Matching ignores ASCII case, so `%2f`/`%2F` and a re-cased
//! e-mail address are caught too.
//!
//! Values shorter than [`MIN_SECRET_LEN`] characters are **ignored**: redacting `a` or `12` would
//! mangle every line of every report while protecting nothing. Such a secret is not a secret.

use std::borrow::Cow;
use std::fmt;
use std::io::{self, Write};
use std::sync::Arc;

use tracing_subscriber::fmt::MakeWriter;

/// What a secret is replaced with.
pub use crate::flow::MASK;

/// Secrets with fewer characters than this are ignored (see the module docs).
pub const MIN_SECRET_LEN: usize = 3;

/// Replaces secret values by [`MASK`]. Cheap to clone (an `Arc` inside); `Debug` never shows
/// the secrets.
#[derive(Clone, Default)]
pub struct Redactor {
    inner: Arc<Inner>,
}

#[derive(Default)]
struct Inner {
    /// The secrets as given (deduplicated), kept for [`Redactor::merge`].
    secrets: Vec<String>,
    /// Every form to look for, ASCII-lowercased, longest first.
    needles: Vec<Vec<u8>>,
    /// `first[b]` is true when some needle starts with the (lowercased) byte `b`.
    first: Vec<bool>,
}

impl Redactor {
    /// A redactor for these secret values; values shorter than [`MIN_SECRET_LEN`] are ignored.
    pub fn new<I, S>(secrets: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut kept: Vec<String> = Vec::new();
        for s in secrets {
            let s = s.as_ref();
            if s.chars().count() >= MIN_SECRET_LEN && !kept.iter().any(|k| k == s) {
                kept.push(s.to_owned());
            }
        }
        let mut needles: Vec<Vec<u8>> = Vec::new();
        for s in &kept {
            for form in forms(s) {
                let form = form.to_ascii_lowercase().into_bytes();
                if !needles.contains(&form) {
                    needles.push(form);
                }
            }
        }
        needles.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
        let mut first = vec![false; 256];
        for n in &needles {
            first[n[0] as usize] = true;
        }
        Redactor {
            inner: Arc::new(Inner {
                secrets: kept,
                needles,
                first,
            }),
        }
    }

    /// A redactor that changes nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// A redactor for the secrets of both.
    pub fn merge(&self, other: &Redactor) -> Redactor {
        if other.is_empty() {
            return self.clone();
        }
        if self.is_empty() {
            return other.clone();
        }
        Redactor::new(self.inner.secrets.iter().chain(other.inner.secrets.iter()))
    }

    /// A redactor for these secrets plus `more`.
    pub fn with<I, S>(&self, more: I) -> Redactor
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.merge(&Redactor::new(more))
    }

    /// True when no secret (of at least [`MIN_SECRET_LEN`] characters) is known.
    pub fn is_empty(&self) -> bool {
        self.inner.secrets.is_empty()
    }

    /// Number of secret values known (not counting their encoded forms).
    pub fn len(&self) -> usize {
        self.inner.secrets.len()
    }

    /// `text` with every occurrence of a secret, in any of its forms, replaced by [`MASK`].
    pub fn redact<'a>(&self, text: &'a str) -> Cow<'a, str> {
        let Some((start, len)) = self.find(text.as_bytes(), 0) else {
            return Cow::Borrowed(text);
        };
        let bytes = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut copied = 0;
        let mut hit = Some((start, len));
        while let Some((s, l)) = hit {
            // Matches start and end on char boundaries: needles are whole UTF-8 strings and
            // ASCII case folding never touches multi-byte sequences.
            out.push_str(&text[copied..s]);
            out.push_str(MASK);
            copied = s + l;
            hit = self.find(bytes, copied);
        }
        out.push_str(&text[copied..]);
        Cow::Owned(out)
    }

    /// Like [`Redactor::redact`], for an owned string.
    pub fn redact_string(&self, text: String) -> String {
        match self.redact(&text) {
            Cow::Borrowed(_) => text,
            Cow::Owned(s) => s,
        }
    }

    /// True when `text` contains a secret in any of its forms.
    pub fn contains_secret(&self, text: &str) -> bool {
        self.find(text.as_bytes(), 0).is_some()
    }

    /// Redacts every string inside a JSON value, in place.
    pub fn redact_json(&self, value: &mut serde_json::Value) {
        use serde_json::Value;
        if self.is_empty() {
            return;
        }
        match value {
            Value::String(s) => {
                if let Cow::Owned(r) = self.redact(s) {
                    *s = r;
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|v| self.redact_json(v)),
            Value::Object(map) => map.values_mut().for_each(|v| self.redact_json(v)),
            _ => {}
        }
    }

    /// First match at or after `from`: (start, length), longest needle first.
    fn find(&self, hay: &[u8], from: usize) -> Option<(usize, usize)> {
        let inner = &*self.inner;
        if inner.needles.is_empty() {
            return None;
        }
        (from..hay.len()).find_map(|i| {
            if !inner.first[hay[i].to_ascii_lowercase() as usize] {
                return None;
            }
            inner
                .needles
                .iter()
                .find(|n| {
                    hay.len() - i >= n.len()
                        && hay[i..i + n.len()]
                            .iter()
                            .zip(n.iter())
                            .all(|(h, n)| h.to_ascii_lowercase() == *n)
                })
                .map(|n| (i, n.len()))
        })
    }
}

impl fmt::Debug for Redactor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Redactor")
            .field("secrets", &self.inner.secrets.len())
            .finish()
    }
}

/// The forms a secret takes once serialized somewhere.
fn forms(secret: &str) -> Vec<String> {
    let bases = [
        secret.to_owned(),
        percent_encode(secret),
        url::form_urlencoded::byte_serialize(secret.as_bytes()).collect::<String>(),
    ];
    let escapes: [fn(&str) -> String; 5] = [
        |s| s.to_owned(),
        json_escape,
        json_escape_ascii,
        debug_escape,
        html_escape,
    ];
    let outer: [fn(&str) -> String; 3] = [|s| s.to_owned(), json_escape, debug_escape];
    let mut out: Vec<String> = Vec::new();
    for b in &bases {
        for e in escapes {
            for o in outer {
                let f = o(&e(b));
                if !out.contains(&f) {
                    out.push(f);
                }
            }
        }
    }
    out
}

fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 3);
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn json_escape(s: &str) -> String {
    let quoted = serde_json::to_string(s).unwrap_or_default();
    quoted[1..quoted.len() - 1].to_owned()
}

fn json_escape_ascii(s: &str) -> String {
    let mut out = String::new();
    for c in json_escape(s).chars() {
        if c.is_ascii() {
            out.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    out
}

fn debug_escape(s: &str) -> String {
    let quoted = format!("{s:?}");
    quoted[1..quoted.len() - 1].to_owned()
}

fn html_escape(s: &str) -> String {
    crate::markup::escape(s)
}

/// A writer that collects what is written and passes it on redacted.
///
/// Content reaches the inner writer on `flush` (up to the last newline, so a secret is never
/// split across two writes) and on drop (everything). tracing-subscriber's fmt layer writes each
/// event with one `write_all` and then drops the writer, so every log line is redacted whole.
pub struct RedactingWriter<W: Write> {
    inner: W,
    redactor: Redactor,
    buf: Vec<u8>,
}

impl<W: Write> RedactingWriter<W> {
    /// Wraps `inner`; everything written is redacted with `redactor`.
    pub fn new(inner: W, redactor: Redactor) -> Self {
        RedactingWriter {
            inner,
            redactor,
            buf: Vec::new(),
        }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        if upto == 0 {
            return Ok(());
        }
        let chunk: Vec<u8> = self.buf.drain(..upto).collect();
        let text = String::from_utf8_lossy(&chunk);
        self.inner.write_all(self.redactor.redact(&text).as_bytes())?;
        self.inner.flush()
    }
}

impl<W: Write> Write for RedactingWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(data);
        Ok(data.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        let upto = self.buf.iter().rposition(|b| *b == b'\n').map_or(0, |p| p + 1);
        self.emit(upto)
    }
}

impl<W: Write> Drop for RedactingWriter<W> {
    fn drop(&mut self) {
        let all = self.buf.len();
        let _ = self.emit(all);
    }
}

/// A tracing-subscriber [`MakeWriter`] whose writers redact each formatted event before it is
/// written to the wrapped writer.
#[derive(Clone, Debug)]
pub struct RedactingMakeWriter<M> {
    inner: M,
    redactor: Redactor,
}

impl<M> RedactingMakeWriter<M> {
    /// Wraps `inner` (e.g. `std::io::stderr`).
    pub fn new(inner: M, redactor: Redactor) -> Self {
        RedactingMakeWriter { inner, redactor }
    }
}

impl<'a, M: MakeWriter<'a>> MakeWriter<'a> for RedactingMakeWriter<M> {
    type Writer = RedactingWriter<M::Writer>;

    fn make_writer(&'a self) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer(), self.redactor.clone())
    }

    fn make_writer_for(&'a self, meta: &tracing::Metadata<'_>) -> Self::Writer {
        RedactingWriter::new(self.inner.make_writer_for(meta), self.redactor.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_raw_and_encoded_forms() {
        let r = Redactor::new(["Pa ss/wörd\"1", "jan@example.nl"]);
        let text = "a Pa ss/wörd\"1 b Pa%20ss%2Fw%C3%B6rd%221 c Pa+ss%2Fw%C3%B6rd%221 \
                    d Pa ss/wörd\\\"1 e Pa ss/w\\u00f6rd\\\"1 f jan%40example.nl g JAN@EXAMPLE.NL \
                    h Pa ss/wörd&quot;1 i Pa ss/wörd\\\\\\\"1";
        let out = r.redact(text);
        assert_eq!(out, "a *** b *** c *** d *** e *** f *** g *** h *** i ***", "{out}");
    }

    #[test]
    fn short_and_empty_values_are_ignored() {
        let r = Redactor::new(["", "ab", "xyz"]);
        assert_eq!(r.len(), 1);
        assert_eq!(r.redact("ab xyz ab"), "ab *** ab");
        assert!(matches!(Redactor::none().redact("anything"), Cow::Borrowed(_)));
    }

    #[test]
    fn longest_form_wins_and_merge_keeps_both() {
        let r = Redactor::new(["secret"]).merge(&Redactor::new(["secret-longer"]));
        assert_eq!(r.redact("xsecret-longery secret"), "x***y ***");
        assert_eq!(format!("{r:?}"), "Redactor { secrets: 2 }");
    }

    #[test]
    fn writer_redacts_whole_lines_even_when_split() {
        let mut out = Vec::new();
        {
            let mut w = RedactingWriter::new(&mut out, Redactor::new(["hunter2"]));
            w.write_all(b"typed hun").unwrap();
            w.flush().unwrap();
            w.write_all(b"ter2 ok\nnext hunter2").unwrap();
        }
        assert_eq!(String::from_utf8(out).unwrap(), "typed *** ok\nnext ***");
    }
}
