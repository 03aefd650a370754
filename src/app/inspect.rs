//! `inspect URL [--login FLOW] [--headed --pause]`: opens the page (after the login sub-flow;
//! when that flow ends on the page, as it left it),
//! prints what a person sees there as flow locators grouped by region, optionally leaves the
//! browser open, and always closes it (and removes its temporary folder) on the way out.

use std::time::Duration;

use super::{is_terminal, no_display, wait_for_enter, BrowserSettings};
use crate::browser::{inspect, Browser, BrowserOptions};
use crate::cli::InspectArgs;
use crate::error::{CliError, Signal};
use crate::flow;
use crate::report::redact::Redactor;
use crate::run::{self, Mode, Plan, RunOptions, Silent, Status};
use crate::signals::Interrupt;

/// How long the page may stay busy (requests, spinners) before it is read anyway.
const SETTLE: Duration = Duration::from_secs(10);

pub(super) async fn inspect_command(args: InspectArgs, interrupt: &Interrupt) -> Result<(), CliError> {
    if args.pause && !args.browser.headed {
        return Err(CliError::Invalid(
            "--pause refused: it needs --headed: a headless browser cannot be looked at".into(),
        ));
    }
    if args.pause && !is_terminal() {
        return Err(CliError::Invalid(
            "--pause refused: it needs a terminal to press Enter on, but stdin is not one".into(),
        ));
    }
    let settings: BrowserSettings = args.browser.clone().into();
    let env = |name: &str| std::env::var(name).ok();
    let login = match &args.login {
        Some(path) => {
            let f = flow::load(path).map_err(|e| CliError::Invalid(e.render()))?;
            let vars = flow::bind::bind(&f, &[], &env, !args.no_prompt && is_terminal())
                .map_err(|e| CliError::Invalid(e.to_string()))?;
            Some((f, vars))
        }
        None => None,
    };
    let redactor = Redactor::new(login.as_ref().map(|(_, v)| v.secret_values()).unwrap_or_default());
    if let Some(f) = no_display(&settings) {
        return Err(CliError::NoBrowser(f.message));
    }
    let scratch = tempfile::Builder::new()
        .prefix("postnl-inspect-")
        .tempdir()
        .map_err(|e| CliError::Other(e.into()))?;
    std::fs::create_dir_all(scratch.path().join("login")).map_err(|e| CliError::Other(e.into()))?;
    let opts = BrowserOptions {
        webdriver: settings.webdriver.clone(),
        driver_path: settings.driver.clone(),
        headed: settings.headed,
        download_dir: scratch.path().join("downloads"),
        ..BrowserOptions::default()
    };
    let cancel = interrupt.token();
    let browser = tokio::select! {
        biased;
        _ = cancel.cancelled() => return Err(interrupted(interrupt)),
        b = Browser::launch(&opts) => b.map_err(|e| CliError::NoBrowser(redactor.redact(&e.to_string()).into_owned()))?,
    };
    let work = async {
        if let Some((f, vars)) = login {
            let plan = Plan {
                flow: &f,
                file: args.login.as_ref().map(|p| p.display().to_string()).unwrap_or_default(),
                vars,
            };
            let run_opts = RunOptions {
                trace: crate::run::TraceMode::Off,
                out_dir: scratch.path().join("login"),
                base_url: origin(&args.url),
                timeout: settings.timeout,
                max_wait: settings.max_wait,
                mode: Mode::Run,
            };
            let result = run::run(plan, &browser, &run_opts, &mut Silent, cancel).await;
            if result.status == Status::Interrupted {
                return Err(interrupted(interrupt));
            }
            if result.status.is_failure() {
                let step = result.steps.iter().find(|s| s.status.is_failure());
                let why = step
                    .and_then(|s| s.error.as_ref().map(|e| format!("{}: {}", s.title, e.message)))
                    .or_else(|| result.error.as_ref().map(|e| e.message.clone()))
                    .unwrap_or_default();
                return Err(CliError::Failed(
                    redactor.redact(&format!("the login flow failed at {why}")).into_owned(),
                ));
            }
        }
        let seen = tokio::select! {
            biased;
            _ = cancel.cancelled() => return Err(interrupted(interrupt)),
            r = async {
                // A login flow that went on to the page (e.g. chose a gebruiker) left it as it
                // should be inspected: no reload.
                if !same_page(&browser.current_url().await?, &args.url) {
                    browser.goto(&args.url).await?;
                }
                browser.wait_until_idle(SETTLE).await?;
                browser.inspect().await
            } => r.map_err(|e| CliError::Failed(redactor.redact(&format!("cannot inspect {}: {e}", args.url)).into_owned()))?,
        };
        print!("{}", redactor.redact(&inspect::render(&seen)));
        if args.pause {
            eprintln!("The browser stays open: press Enter to close it.");
            wait_for_enter(cancel).await;
            if cancel.is_cancelled() {
                return Err(interrupted(interrupt));
            }
        }
        Ok(())
    };
    let result = work.await;
    browser.close().await;
    drop(scratch);
    // No run summary shows a failure here: say it once.
    if let Err(CliError::Failed(msg)) = &result {
        eprintln!("{msg}");
    }
    result
}

fn interrupted(interrupt: &Interrupt) -> CliError {
    CliError::Interrupted(interrupt.signal().unwrap_or(Signal::Int))
}

/// Is `here` the page `wanted` names: the same origin and path (case-insensitive, ignoring a
/// trailing slash), with every query parameter of `wanted` (the page may have added more, e.g.
/// the chosen klantnummer)?
fn same_page(here: &str, wanted: &str) -> bool {
    let (Ok(h), Ok(w)) = (url::Url::parse(here), url::Url::parse(wanted)) else {
        return false;
    };
    let path = |u: &url::Url| u.path().trim_end_matches('/').to_lowercase();
    let params: Vec<(String, String)> = h.query_pairs().map(|(k, v)| (k.into_owned(), v.into_owned())).collect();
    h.origin() == w.origin()
        && path(&h) == path(&w)
        && w.query_pairs()
            .all(|(k, v)| params.iter().any(|(hk, hv)| *hk == k && *hv == v))
}

/// `https://host:port` of a URL (the login flow's base URL).
fn origin(url: &str) -> String {
    url::Url::parse(url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_else(|_| url.to_string())
}

#[cfg(test)]
mod tests {
    use super::same_page;

    #[test]
    fn the_page_a_flow_left_counts_when_it_keeps_the_wanted_parameters() {
        let want = "http://127.0.0.1:8080/apex/BPG_My_Account?PageTile=ShowMyAuthorizations";
        assert!(same_page(
            "http://127.0.0.1:8080/apex/bpg_my_account/?PageTile=ShowMyAuthorizations&klantnummer=9401138",
            want
        ));
        assert!(!same_page("http://127.0.0.1:8080/apex/bpg_my_account", want));
        assert!(!same_page(
            "http://127.0.0.1:8080/apex/BPG_Home?PageTile=ShowMyAuthorizations",
            want
        ));
        assert!(!same_page(
            "http://127.0.0.1:9090/apex/BPG_My_Account?PageTile=ShowMyAuthorizations",
            want
        ));
    }
}
