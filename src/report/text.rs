//! Small formatting helpers shared by the report writers.

use crate::run::result::Status;

/// A duration for people: `850 ms`, `1.2 s`, `2 min 05 s`, `1 h 02 min`.
pub(crate) fn duration(ms: u64) -> String {
    if ms < 1000 {
        format!("{ms} ms")
    } else if ms < 60_000 {
        format!("{:.1} s", ms as f64 / 1000.0)
    } else if ms < 3_600_000 {
        format!("{} min {:02} s", ms / 60_000, (ms / 1000) % 60)
    } else {
        format!("{} h {:02} min", ms / 3_600_000, (ms / 60_000) % 60)
    }
}

/// Seconds with millisecond precision, as JUnit wants them: `1.234`.
pub(crate) fn seconds(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// `passed` / `failed` / `skipped` / `interrupted` / `committed-unknown`.
pub(crate) fn status_word(status: Status) -> &'static str {
    status.as_str()
}

/// The mark shown for a status: ✓ ✗ – ⏹ ? (verify: · ✓ ≠ ✗).
pub(crate) fn status_mark(status: Status) -> &'static str {
    match status {
        Status::Passed => "✓",
        Status::Failed => "✗",
        Status::Skipped => "–",
        Status::Interrupted => "⏹",
        Status::CommittedUnknown => "?",
        Status::NotVerified => "·",
        Status::Unchanged => "✓",
        Status::Changed => "≠",
        Status::Broken => "✗",
    }
}

/// Escapes text for HTML/XML content and attribute values; drops characters XML 1.0 forbids.
pub(crate) fn escape(s: &str) -> String {
    crate::markup::escape(s)
}

/// A share (0–1) as a percentage: `0.12 %`.
pub fn percent(share: f64) -> String {
    format!("{:.2} %", share * 100.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(850), "850 ms");
        assert_eq!(duration(1234), "1.2 s");
        assert_eq!(duration(125_000), "2 min 05 s");
        assert_eq!(duration(3_720_000), "1 h 02 min");
        assert_eq!(seconds(1234), "1.234");
    }

    #[test]
    fn escapes_markup_and_control_characters() {
        assert_eq!(
            escape("<a href=\"x\">&'\u{1}"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;\u{FFFD}"
        );
    }
}
