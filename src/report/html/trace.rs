//! `--trace` in `report.html`: the trace of a stopped step, and the timeline of the actions
//! (`--trace on`) — links to the screenshots before and after and to the DOM snapshot, the
//! console messages and the network requests, each timed from the start of the run.

use std::fmt::Write as _;

use super::Page;
use crate::report::i18n::Msg;
use crate::run::result::{ActionResult, Trace};

impl Page<'_> {
    /// The trace of the moment a step stopped (folded away).
    pub(super) fn stop_trace(&mut self, t: &Trace) {
        let _ = writeln!(
            self.out,
            "<details class=\"tech trace\">\n<summary>{}</summary>",
            self.m(Msg::TraceAtStop)
        );
        self.trace_body(t);
        self.out.push_str("</details>\n");
    }

    /// The actions that have a trace, in order, each with its links and entries (folded away).
    pub(super) fn timeline(&mut self, actions: &[ActionResult]) {
        let traced: Vec<(&ActionResult, &Trace)> = actions
            .iter()
            .filter_map(|a| a.trace.as_ref().map(|t| (a, t)))
            .collect();
        if traced.is_empty() {
            return;
        }
        let _ = writeln!(
            self.out,
            "<details class=\"tech trace\">\n<summary>{} ({})</summary>\n<ol class=\"timeline\">",
            self.m(Msg::Timeline),
            traced.len()
        );
        for (a, t) in traced {
            let _ = writeln!(
                self.out,
                "<li class=\"st-{status}\"><div class=\"tl-head\"><span class=\"tl-at\">{at}</span> \
                 <span class=\"dot dot-{status}\">{mark}</span> {desc}</div>",
                status = crate::report::text::status_word(a.status),
                mark = crate::report::text::status_mark(a.status),
                at = self.offset(t.at),
                desc = self.t(&a.description),
            );
            self.trace_body(t);
            self.out.push_str("</li>\n");
        }
        self.out.push_str("</ol>\n</details>\n");
    }

    /// Links (page before, page after, DOM), the address, a note, and the console and network
    /// tables.
    fn trace_body(&mut self, t: &Trace) {
        let mut links = vec![];
        for (file, label) in [
            (&t.before, Msg::PageBefore),
            (&t.after, Msg::PageAfter),
            (&t.dom, Msg::Dom),
        ] {
            if let Some(f) = file {
                links.push(format!("<a href=\"{href}\">{}</a>", self.m(label), href = self.t(f)));
            }
        }
        if let Some(url) = &t.url {
            links.push(format!("<code>{}</code>", self.t(url)));
        }
        if !links.is_empty() {
            let _ = writeln!(self.out, "<p class=\"tl-links\">{}</p>", links.join(" · "));
        }
        if let Some(note) = &t.note {
            let _ = writeln!(
                self.out,
                "<p class=\"tl-note\"><strong>{}:</strong> {}</p>",
                self.m(Msg::TraceNote),
                self.t(note)
            );
        }
        if t.console.is_empty() {
            self.empty(Msg::Console);
        } else {
            let _ = writeln!(self.out, "<h4>{} ({})</h4>", self.m(Msg::Console), t.console.len());
            let _ = writeln!(
                self.out,
                "<table class=\"actions trace-console\"><thead><tr><th class=\"c-time\">{}</th><th>{}</th>\
                 <th>{}</th></tr></thead><tbody>",
                self.m(Msg::Time),
                self.m(Msg::Level),
                self.m(Msg::Console),
            );
            for c in &t.console {
                let _ = writeln!(
                    self.out,
                    "<tr class=\"lvl-{lvl}\"><td class=\"c-time\">{at}</td><td>{lvl}</td><td><code>{text}</code></td></tr>",
                    at = self.offset(c.at),
                    lvl = self.t(&c.level),
                    text = self.t(&c.text),
                );
            }
            self.out.push_str("</tbody></table>\n");
        }
        if t.network.is_empty() {
            self.empty(Msg::Network);
        } else {
            let _ = writeln!(self.out, "<h4>{} ({})</h4>", self.m(Msg::Network), t.network.len());
            let _ = writeln!(
                self.out,
                "<table class=\"actions trace-network\"><thead><tr><th class=\"c-time\">{}</th><th>{}</th>\
                 <th>{}</th><th>{}</th><th>{}</th><th class=\"c-time\">{}</th></tr></thead><tbody>",
                self.m(Msg::Time),
                self.m(Msg::Method),
                self.m(Msg::Status),
                self.m(Msg::Kind),
                self.m(Msg::Address),
                self.m(Msg::Duration),
            );
            for r in &t.network {
                let bad = r.error.is_some() || r.status.is_some_and(|s| s >= 400);
                let status = match (r.status, &r.error) {
                    (Some(s), _) => s.to_string(),
                    (None, Some(e)) => self.t(e),
                    (None, None) => "—".into(),
                };
                let _ = writeln!(
                    self.out,
                    "<tr{cls}><td class=\"c-time\">{at}</td><td>{method}</td><td>{status}</td><td>{kind}</td>\
                     <td class=\"c-url\"><code>{url}</code></td><td class=\"c-time\">{ms}</td></tr>",
                    cls = if bad { " class=\"bad\"" } else { "" },
                    at = self.offset(r.at),
                    method = self.t(r.method.as_deref().unwrap_or("—")),
                    kind = self.t(&r.kind),
                    url = self.t(&r.url),
                    ms = r.duration_ms.map(|m| format!("{m} ms")).unwrap_or_else(|| "—".into()),
                );
            }
            self.out.push_str("</tbody></table>\n");
        }
    }

    /// One line for an empty list: "Console: geen".
    fn empty(&mut self, what: Msg) {
        let _ = writeln!(
            self.out,
            "<p class=\"tl-empty muted\"><strong>{}</strong>: {}</p>",
            self.m(what),
            self.m(Msg::NoEntries)
        );
    }

    /// `+12.345 s` since the run started.
    fn offset(&self, at: chrono::DateTime<chrono::Utc>) -> String {
        let ms = (at - self.started).num_milliseconds();
        format!(
            "{}{:.3} s",
            if ms < 0 { "−" } else { "+" },
            ms.unsigned_abs() as f64 / 1000.0
        )
    }
}
