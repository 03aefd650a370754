//! The schedule file: `[[jobs]]` tables, parsed with their positions and checked as a whole.
//!
//! ```toml
//! [[jobs]]
//! name = "ochtend"
//! cron = "0 30 7 * * Mon-Fri"      # six fields (with seconds) or five
//! tz = "Europe/Amsterdam"          # default: the machine's local time
//! flow = "flows/autoriseren-ecommerce-inzichten.toml"
//! mode = "run"                     # or "verify"
//! params = { klantnummer = "1001", gebruiker = "Jan Jansen" }   # or: batch = "lijst.csv"
//! out = "runs/ochtend"
//! keep = 30
//! webhook = "https://hooks.example.nl/robot"
//! notify = "failure"               # or "always"
//! ```

use crate::flow::{FlowError, FlowErrors, Span};
use chrono::{DateTime, Utc};
use croner::parser::{CronParser, Seconds, Year};
use croner::Cron;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// A checked schedule file.
#[derive(Debug, Clone)]
pub struct Schedule {
    pub path: PathBuf,
    pub jobs: Vec<Job>,
}

/// Whether a job replays the guide or only verifies the portal against a baseline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    #[default]
    Run,
    Verify,
}

/// When the webhook is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Notify {
    /// Only when a run fails (the default).
    #[default]
    Failure,
    /// After every run.
    Always,
}

/// The time zone a job's cron expression is read in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobTz {
    /// The machine's local time zone.
    Local,
    Named(chrono_tz::Tz),
}

/// What a job runs the flow with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobInput {
    /// One run with these parameters.
    Params(BTreeMap<String, String>),
    /// A batch over this CSV (path resolved against the schedule file's folder).
    Batch(PathBuf),
}

/// One checked job. Relative paths are resolved against the schedule file's folder.
#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    /// The cron expression as written.
    pub cron_text: String,
    pub cron: Cron,
    pub tz: JobTz,
    pub flow: PathBuf,
    pub mode: Mode,
    pub input: JobInput,
    pub baseline: Option<PathBuf>,
    pub base_url: Option<String>,
    /// Folder for this job's run folders, `history.jsonl` and `status.json`
    /// (default `runs/<name>` next to the schedule file).
    pub out: PathBuf,
    /// How many run folders to keep (older ones are deleted); `None` keeps all.
    pub keep: Option<usize>,
    pub webhook: Option<url::Url>,
    pub notify: Notify,
    /// Where the job's table starts in the schedule file.
    pub span: Span,
}

impl Job {
    /// The first time strictly after `after` at which the job is due, if it ever is again.
    /// Daylight-saving changes are handled in the job's time zone: a local time skipped by the
    /// change fires once right after it (02:30 → 03:00), a repeated one fires once.
    pub fn next_after(&self, after: DateTime<Utc>) -> Option<DateTime<Utc>> {
        match self.tz {
            JobTz::Local => self
                .cron
                .find_next_occurrence(&after.with_timezone(&chrono::Local), false)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
            JobTz::Named(tz) => self
                .cron
                .find_next_occurrence(&after.with_timezone(&tz), false)
                .ok()
                .map(|t| t.with_timezone(&Utc)),
        }
    }
}

/// Why a schedule file cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ScheduleError {
    #[error("{}: cannot read: {source}", path.display())]
    Io { path: PathBuf, source: std::io::Error },
    /// Syntax errors, unknown keys and failed checks, each with `file:line:col`.
    #[error("{0}")]
    Invalid(FlowErrors),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    jobs: Vec<Spanned<RawJob>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    name: Spanned<String>,
    cron: Spanned<String>,
    tz: Option<Spanned<String>>,
    flow: Spanned<String>,
    #[serde(default)]
    mode: Mode,
    params: Option<Spanned<BTreeMap<String, Spanned<toml::Value>>>>,
    batch: Option<Spanned<String>>,
    baseline: Option<Spanned<String>>,
    base_url: Option<Spanned<String>>,
    out: Option<Spanned<String>>,
    keep: Option<Spanned<i64>>,
    webhook: Option<Spanned<String>>,
    #[serde(default)]
    notify: Notify,
}

/// Reads and checks the schedule file at `path`.
pub fn load(path: &Path) -> Result<Schedule, ScheduleError> {
    let text = std::fs::read_to_string(path).map_err(|source| ScheduleError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    parse(path, &text)
}

/// Parses and checks schedule text; `path` names the file in errors and anchors relative paths.
pub fn parse(path: &Path, text: &str) -> Result<Schedule, ScheduleError> {
    let at = |range: std::ops::Range<usize>, msg: String| FlowError::at(path, text, Span::from_range(text, range), msg);
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let err = match e.span() {
            Some(range) => at(range, e.message().to_string()),
            None => FlowError::file(path, e.message().to_string()),
        };
        ScheduleError::Invalid(err.into())
    })?;
    let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let resolve = |p: &str| {
        if Path::new(p).is_absolute() {
            PathBuf::from(p)
        } else {
            base.join(p)
        }
    };

    let mut errors: Vec<FlowError> = Vec::new();
    if raw.jobs.is_empty() {
        errors.push(FlowError::file(path, "no jobs: add a [[jobs]] table"));
    }
    let parser = CronParser::builder()
        .seconds(Seconds::Optional)
        .year(Year::Disallowed)
        .build();
    let mut jobs = Vec::new();
    for spanned in raw.jobs {
        let job_span = Span::from_range(text, spanned.span());
        let r = spanned.into_inner();
        let before = errors.len();
        let mut err = |range, msg: String| errors.push(at(range, msg));

        let name = r.name.get_ref().trim().to_string();
        if name.is_empty()
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
        {
            err(
                r.name.span(),
                format!("job name `{name}` must be letters, digits, `-`, `_` or `.` (it names folders)"),
            );
        }

        let tz = match &r.tz {
            None => JobTz::Local,
            Some(t) => match t.get_ref().parse::<chrono_tz::Tz>() {
                Ok(tz) => JobTz::Named(tz),
                Err(_) => {
                    err(
                        t.span(),
                        format!(
                            "unknown time zone `{}` (use an IANA name such as \"Europe/Amsterdam\")",
                            t.get_ref()
                        ),
                    );
                    JobTz::Local
                }
            },
        };

        let fields = r.cron.get_ref().split_whitespace().count();
        let cron = if !r.cron.get_ref().trim_start().starts_with('@') && !(5..=6).contains(&fields) {
            err(
                r.cron.span(),
                format!(
                    "cron `{}` has {fields} fields; use 6 (with seconds) or 5",
                    r.cron.get_ref()
                ),
            );
            None
        } else {
            match parser.parse(r.cron.get_ref()) {
                Ok(c) => Some(c),
                Err(e) => {
                    err(r.cron.span(), format!("invalid cron `{}`: {e}", r.cron.get_ref()));
                    None
                }
            }
        };

        let input = match (&r.params, &r.batch) {
            (Some(_), Some(b)) => {
                err(b.span(), "give either `params` or `batch`, not both".into());
                None
            }
            (None, None) => {
                err(
                    spanned_key_span(&r.name),
                    "give `params` (a table) or `batch` (a CSV path)".into(),
                );
                None
            }
            (None, Some(b)) => Some(JobInput::Batch(resolve(b.get_ref()))),
            (Some(p), None) => {
                let mut params = BTreeMap::new();
                for (k, v) in p.get_ref() {
                    match v.get_ref() {
                        toml::Value::String(s) => {
                            params.insert(k.clone(), s.clone());
                        }
                        toml::Value::Integer(i) => {
                            params.insert(k.clone(), i.to_string());
                        }
                        _ => err(v.span(), format!("parameter `{k}` must be a string")),
                    }
                }
                Some(JobInput::Params(params))
            }
        };

        match (&r.baseline, r.mode) {
            (Some(b), Mode::Run) => err(b.span(), "`baseline` is only used with mode = \"verify\"".into()),
            (None, Mode::Verify) => err(
                spanned_key_span(&r.name),
                format!("job `{name}`: mode = \"verify\" needs `baseline` (the folder verify --update-baseline wrote)"),
            ),
            _ => {}
        }
        let keep = match &r.keep {
            Some(k) if *k.get_ref() < 1 => {
                err(k.span(), "`keep` must be at least 1".into());
                None
            }
            k => k.as_ref().map(|k| *k.get_ref() as usize),
        };
        let webhook = match &r.webhook {
            None => None,
            Some(w) => match url::Url::parse(w.get_ref()) {
                Ok(u) if matches!(u.scheme(), "http" | "https") => Some(u),
                Ok(_) => {
                    err(w.span(), "webhook must be an http:// or https:// URL".into());
                    None
                }
                Err(e) => {
                    err(w.span(), format!("invalid webhook URL: {e}"));
                    None
                }
            },
        };
        if let Some(u) = &r.base_url {
            if url::Url::parse(u.get_ref()).is_err() {
                err(u.span(), format!("invalid base_url `{}`", u.get_ref()));
            }
        }

        let flow = resolve(r.flow.get_ref());
        if !flow.is_file() {
            err(r.flow.span(), format!("flow file {} not found", flow.display()));
        }
        if let (Some(JobInput::Batch(csv)), Some(b)) = (&input, &r.batch) {
            if !csv.is_file() {
                err(b.span(), format!("batch CSV {} not found", csv.display()));
            }
        }
        let out = r
            .out
            .as_ref()
            .map_or_else(|| base.join("runs").join(&name), |o| resolve(o.get_ref()));

        if let (Some(other), true) = (jobs.iter().find(|j: &&Job| j.name == name), !name.is_empty()) {
            let msg = format!("a job named `{name}` is defined at line {} already", other.span.line);
            errors.push(at(r.name.span(), msg));
        } else if let Some(other) = jobs.iter().find(|j| j.out == out) {
            let msg = format!(
                "job `{}` writes to {} already; give each job its own `out`",
                other.name,
                out.display()
            );
            let range = r.out.as_ref().map_or(r.name.span(), |o| o.span());
            errors.push(at(range, msg));
        }

        let (Some(cron), Some(input), true) = (cron, input, errors.len() == before) else {
            continue;
        };
        let job = Job {
            name,
            cron_text: r.cron.get_ref().clone(),
            cron,
            tz,
            flow,
            mode: r.mode,
            input,
            baseline: r.baseline.as_ref().map(|b| resolve(b.get_ref())),
            base_url: r.base_url.map(Spanned::into_inner),
            out,
            keep,
            webhook,
            notify: r.notify,
            span: job_span,
        };
        if job.next_after(Utc::now()).is_none() {
            errors.push(at(r.cron.span(), format!("cron `{}` never fires", job.cron_text)));
            continue;
        }
        jobs.push(job);
    }
    errors.sort_by_key(|e| e.span.map(|s| (s.line, s.col)));
    if errors.is_empty() {
        Ok(Schedule {
            path: path.to_path_buf(),
            jobs,
        })
    } else {
        Err(ScheduleError::Invalid(FlowErrors { errors }))
    }
}

/// The span used for problems concerning the job as a whole: its `name`.
fn spanned_key_span<T>(name: &Spanned<T>) -> std::ops::Range<usize> {
    name.span()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    struct Dir {
        dir: tempfile::TempDir,
    }

    impl Dir {
        fn new() -> Dir {
            let dir = tempfile::tempdir().unwrap();
            std::fs::write(dir.path().join("flow.toml"), "").unwrap();
            std::fs::write(dir.path().join("lijst.csv"), "klantnummer\n1\n").unwrap();
            Dir { dir }
        }
        fn parse(&self, text: &str) -> Result<Schedule, ScheduleError> {
            parse(&self.dir.path().join("schedule.toml"), text)
        }
        fn errors(&self, text: &str) -> Vec<String> {
            match self.parse(text) {
                Err(ScheduleError::Invalid(e)) => e
                    .errors
                    .iter()
                    .map(|e| e.to_string().replace(&self.dir.path().display().to_string(), "DIR"))
                    .collect(),
                other => panic!("expected errors, got {other:?}"),
            }
        }
    }

    const GOOD: &str = r#"
[[jobs]]
name = "ochtend"
cron = "0 30 7 * * Mon-Fri"
tz = "Europe/Amsterdam"
flow = "flow.toml"
params = { klantnummer = "1001", gebruiker = "Jan Jansen", nummer = 7 }
keep = 3
webhook = "http://127.0.0.1:9/hook"
notify = "always"

[[jobs]]
name = "lijst"
cron = "*/5 * * * *"
flow = "flow.toml"
mode = "verify"
batch = "lijst.csv"
baseline = "baseline"
out = "/tmp/elders"
"#;

    #[test]
    fn parses_a_good_file() {
        let d = Dir::new();
        let s = d.parse(GOOD).unwrap();
        assert_eq!(s.jobs.len(), 2);
        let (a, b) = (&s.jobs[0], &s.jobs[1]);
        assert_eq!(a.name, "ochtend");
        assert_eq!(a.tz, JobTz::Named(chrono_tz::Europe::Amsterdam));
        assert_eq!(a.flow, d.dir.path().join("flow.toml"));
        assert_eq!(a.mode, Mode::Run);
        let JobInput::Params(p) = &a.input else { panic!() };
        assert_eq!(p["gebruiker"], "Jan Jansen");
        assert_eq!(p["nummer"], "7");
        assert_eq!(a.out, d.dir.path().join("runs/ochtend"));
        assert_eq!(a.keep, Some(3));
        assert_eq!(a.notify, Notify::Always);
        assert_eq!(a.span.line, 2);
        assert_eq!(b.tz, JobTz::Local);
        assert_eq!(b.mode, Mode::Verify);
        assert_eq!(b.input, JobInput::Batch(d.dir.path().join("lijst.csv")));
        assert_eq!(b.baseline, Some(d.dir.path().join("baseline")));
        assert_eq!(b.out, PathBuf::from("/tmp/elders"));
        assert_eq!(b.notify, Notify::Failure);
        assert_eq!(b.keep, None);
    }

    #[test]
    fn unknown_keys_and_bad_values_have_positions() {
        let d = Dir::new();
        let e =
            d.errors("[[jobs]]\nname = \"a\"\ncron = \"* * * * *\"\nflow = \"flow.toml\"\nparams = {}\nkeeep = 3\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("DIR/schedule.toml:6:1: unknown field `keeep`"),
            "{e:?}"
        );
        let e = d.errors(
            "[[jobs]]\nname = \"a\"\ncron = \"* * * * *\"\nflow = \"flow.toml\"\nparams = {}\nmode = \"walk\"\n",
        );
        assert!(
            e[0].starts_with("DIR/schedule.toml:6:8: unknown variant `walk`"),
            "{e:?}"
        );
        let e = d.errors("[settings]\n");
        assert!(e[0].starts_with("DIR/schedule.toml:1:"), "{e:?}");
        assert!(e[0].contains("unknown field `settings`"), "{e:?}");
        let e = d.errors("[[jobs]\n");
        assert!(e[0].starts_with("DIR/schedule.toml:1:"), "{e:?}");
    }

    #[test]
    fn checks_every_job_and_reports_all_problems() {
        let d = Dir::new();
        let text = r#"[[jobs]]
name = "a b"
cron = "* * * *"
tz = "Mars/Olympus"
flow = "missing.toml"
params = { k = "v" }
batch = "lijst.csv"
baseline = "b"
keep = 0
webhook = "ftp://x"

[[jobs]]
name = "c"
cron = "61 * * * *"
flow = "flow.toml"

[[jobs]]
name = "d"
cron = "0 0 30 2 *"
flow = "flow.toml"
params = { x = ["no"] }
"#;
        let e = d.errors(text);
        let expected = [
            "DIR/schedule.toml:2:8: job name `a b` must be letters",
            "DIR/schedule.toml:3:8: cron `* * * *` has 4 fields; use 6 (with seconds) or 5",
            "DIR/schedule.toml:4:6: unknown time zone `Mars/Olympus`",
            "DIR/schedule.toml:5:8: flow file DIR/missing.toml not found",
            "DIR/schedule.toml:7:9: give either `params` or `batch`, not both",
            "DIR/schedule.toml:8:12: `baseline` is only used with mode = \"verify\"",
            "DIR/schedule.toml:9:8: `keep` must be at least 1",
            "DIR/schedule.toml:10:11: webhook must be an http:// or https:// URL",
            "DIR/schedule.toml:13:8: give `params` (a table) or `batch` (a CSV path)",
            "DIR/schedule.toml:14:8: invalid cron `61 * * * *`",
            "DIR/schedule.toml:21:16: parameter `x` must be a string",
        ];
        for (got, want) in e.iter().zip(expected) {
            assert!(got.starts_with(want), "got {got:?}, want {want:?}\nall: {e:#?}");
        }
        assert_eq!(e.len(), expected.len(), "{e:#?}");
    }

    #[test]
    fn a_verify_job_needs_a_baseline() {
        let d = Dir::new();
        let e = d.errors(
            "[[jobs]]\nname = \"qa\"\ncron = \"0 30 7 * * *\"\nflow = \"flow.toml\"\nmode = \"verify\"\nparams = {}\n",
        );
        assert_eq!(e.len(), 1, "{e:#?}");
        assert!(
            e[0].starts_with("DIR/schedule.toml:2:8: job `qa`: mode = \"verify\" needs `baseline`"),
            "{e:#?}"
        );
    }

    #[test]
    fn never_firing_cron_duplicate_names_and_shared_out() {
        let d = Dir::new();
        let e = d.errors("[[jobs]]\nname = \"a\"\ncron = \"0 0 30 2 *\"\nflow = \"flow.toml\"\nparams = {}\n");
        assert_eq!(e, vec!["DIR/schedule.toml:3:8: cron `0 0 30 2 *` never fires"]);
        let job = |name: &str, out: &str| {
            format!("[[jobs]]\nname = \"{name}\"\ncron = \"* * * * *\"\nflow = \"flow.toml\"\nparams = {{}}\nout = \"{out}\"\n")
        };
        let e = d.errors(&format!("{}{}", job("a", "x"), job("a", "y")));
        assert_eq!(
            e,
            vec!["DIR/schedule.toml:8:8: a job named `a` is defined at line 1 already"]
        );
        let e = d.errors(&format!("{}{}", job("a", "x"), job("b", "x")));
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("DIR/schedule.toml:12:7: job `a` writes to DIR/x already"),
            "{e:?}"
        );
        assert_eq!(d.errors(""), vec!["DIR/schedule.toml: no jobs: add a [[jobs]] table"]);
    }

    #[test]
    fn next_fire_with_seconds_five_fields_and_dst() {
        let d = Dir::new();
        let job = |cron: &str, tz: &str| {
            let text = format!(
                "[[jobs]]\nname = \"a\"\ncron = \"{cron}\"\ntz = \"{tz}\"\nflow = \"flow.toml\"\nparams = {{}}\n"
            );
            d.parse(&text).unwrap().jobs.remove(0)
        };
        let t = Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 0).unwrap();
        let every_2s = job("*/2 * * * * *", "UTC");
        assert_eq!(
            every_2s.next_after(t),
            Some(Utc.with_ymd_and_hms(2025, 3, 1, 12, 0, 2).unwrap())
        );
        let five = job("30 7 * * *", "UTC");
        assert_eq!(
            five.next_after(t),
            Some(Utc.with_ymd_and_hms(2025, 3, 2, 7, 30, 0).unwrap())
        );
        // 07:30 in Amsterdam: UTC+1 in winter, UTC+2 after the last Sunday of March.
        let ams = job("0 30 7 * * *", "Europe/Amsterdam");
        let before_dst = Utc.with_ymd_and_hms(2025, 3, 29, 12, 0, 0).unwrap();
        assert_eq!(
            ams.next_after(before_dst),
            Some(Utc.with_ymd_and_hms(2025, 3, 30, 5, 30, 0).unwrap())
        );
        assert_eq!(
            ams.next_after(t),
            Some(Utc.with_ymd_and_hms(2025, 3, 2, 6, 30, 0).unwrap())
        );
        // 02:30 does not exist on 30 March 2025 in Amsterdam: the run happens once, at the
        // first moment after the gap (03:00 CEST = 01:00 UTC), and the next one the night after.
        let gap = job("0 30 2 * * *", "Europe/Amsterdam");
        let next = gap.next_after(before_dst).unwrap();
        assert_eq!(next, Utc.with_ymd_and_hms(2025, 3, 30, 1, 0, 0).unwrap());
        assert_eq!(
            gap.next_after(next),
            Some(Utc.with_ymd_and_hms(2025, 3, 31, 0, 30, 0).unwrap())
        );
        // 02:30 happens twice on 26 October 2025 (clocks go back at 03:00 CEST): fired once.
        let twice = job("0 30 2 * * *", "Europe/Amsterdam");
        let first = twice
            .next_after(Utc.with_ymd_and_hms(2025, 10, 25, 12, 0, 0).unwrap())
            .unwrap();
        assert_eq!(first, Utc.with_ymd_and_hms(2025, 10, 26, 0, 30, 0).unwrap());
        let second = twice.next_after(first).unwrap();
        assert_eq!(second, Utc.with_ymd_and_hms(2025, 10, 27, 1, 30, 0).unwrap());
    }

    #[test]
    fn load_reports_a_missing_file() {
        let err = load(Path::new("/nonexistent/schedule.toml")).unwrap_err();
        assert!(
            err.to_string().starts_with("/nonexistent/schedule.toml: cannot read:"),
            "{err}"
        );
    }
}
