//! Bad input as a corpus: every `tests/bad_input/<case>/` is one run of the built binary that must
//! end before any browser starts — exit 2 and exactly `expected.err` on stderr, nothing on
//! stdout, never the password.
//!
//! A case folder holds `cmd` (the arguments after the binary, one per line), optionally `env`
//! (extra `NAME=VALUE` lines for the environment), the flow files it names, `expected.err` and
//! `expected.code`. The binary runs in the case folder with `POSTNL_EMAIL` and `POSTNL_PASSWORD`
//! set. Set `BLESS=1` to (re)write the expected files after reviewing the output.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

const PASSWORD: &str = "Wachtw00rd!geheim";
const EMAIL: &str = "admin@example.com";

#[test]
fn bad_input_ends_cleanly_before_any_browser_starts() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad_input");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("cmd").exists())
        .collect();
    cases.sort();
    let flows_failed = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/flows_failed"))
        .unwrap()
        .count();
    assert!(
        cases.len() + flows_failed >= 60,
        "the bad-input corpus has {} + {flows_failed} cases",
        cases.len()
    );
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let cmd = std::fs::read_to_string(case.join("cmd")).unwrap();
        let args: Vec<&str> = cmd.strip_suffix('\n').unwrap_or(&cmd).split('\n').collect();
        let mut command = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
        command
            .args(&args)
            .current_dir(case)
            .stdin(Stdio::null())
            .env("POSTNL_EMAIL", EMAIL)
            .env("POSTNL_PASSWORD", PASSWORD)
            .env_remove("POSTNL_NEW_PASSWORD")
            .env_remove("RUST_BACKTRACE")
            .env("NO_COLOR", "1");
        if let Ok(env) = std::fs::read_to_string(case.join("env")) {
            for line in env.lines() {
                let (k, v) = line.split_once('=').expect("env lines are NAME=VALUE");
                command.env(k, v);
            }
        }
        let out = command.output().unwrap();
        let code = out.status.code().map_or("killed".to_string(), |c| c.to_string());
        let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
        let name = case.file_name().unwrap().to_string_lossy();
        if stderr.contains(PASSWORD) || String::from_utf8_lossy(&out.stdout).contains(PASSWORD) {
            failures.push(format!("--- {name}: the password is in the output:\n{stderr}"));
            continue;
        }
        if !out.stdout.is_empty() {
            failures.push(format!(
                "--- {name}: wrote to stdout:\n{}",
                String::from_utf8_lossy(&out.stdout)
            ));
        }
        if bless {
            std::fs::write(case.join("expected.err"), &stderr).unwrap();
            std::fs::write(case.join("expected.code"), format!("{code}\n")).unwrap();
        }
        let expected_code = std::fs::read_to_string(case.join("expected.code")).unwrap_or_default();
        let expected_err = std::fs::read_to_string(case.join("expected.err")).unwrap_or_default();
        if code != "2" || expected_code.trim() != "2" {
            failures.push(format!("--- {name}: exit {code} (every case must exit 2):\n{stderr}"));
        } else if stderr != expected_err {
            failures.push(format!("--- {name}\nexpected:\n{expected_err}\nactual:\n{stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
