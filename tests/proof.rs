//! The hand-over proof, end to end in real headless Chromium against the replica: the report's
//! summary (before → after → read back), Dutch furniture, resolved locators, an embedded named
//! screenshot, the manifest (checked with `sha256sum -c`) and junit.xml's attachments.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use postnl_robot::app::{run_flow, OutputSettings, RunOutcome, RunRequest};
use postnl_robot::error::CliError;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use postnl_robot::report::Lang;
use postnl_robot::run::{Mode, Status};
use postnl_robot::signals::Interrupt;

/// The shipped flow and its login, copied into a folder, with a named screenshot added to Stap 4
/// right after the box is ticked.
fn flow_with_named_screenshot() -> PathBuf {
    let dir = tempfile::tempdir().unwrap().keep();
    let shipped = std::fs::read_to_string(FLOW).unwrap();
    let anchor = "  check = { label = \"E-commerce inzichten\" }\n";
    assert!(shipped.contains(anchor));
    let flow = shipped.replace(
        anchor,
        &format!("{anchor}\n  [[steps.actions]]\n  screenshot = \"Vinkje gezet\"\n"),
    );
    std::fs::write(dir.join("flow.toml"), flow).unwrap();
    std::fs::copy("flows/login.toml", dir.join("login.toml")).unwrap();
    dir.join("flow.toml")
}

async fn run_as_admin(
    base_url: &str,
    flow: &Path,
    out: &Path,
    gebruiker: &str,
    lang: Lang,
) -> Result<RunOutcome, CliError> {
    let env = |name: &str| match name {
        "POSTNL_EMAIL" => Some(DEMO_ADMIN_EMAIL.to_string()),
        "POSTNL_PASSWORD" => Some(DEMO_PASSWORD.to_string()),
        _ => None,
    };
    let req = RunRequest {
        flow: flow.to_path_buf(),
        base_url: Some(base_url.to_string()),
        params: vec![
            ("klantnummer".into(), KLANTNUMMER.into()),
            ("gebruiker".into(), gebruiker.into()),
        ],
        prompt: false,
        browser: browser_args(),
        output: OutputSettings {
            out: Some(out.to_path_buf()),
            quiet: true,
            lang,
            operator: Some("Anna de Vries (servicedesk)".into()),
            ticket: Some("INC-4711".into()),
            ..OutputSettings::default()
        },
        mode: Mode::Run,
        pause_on_failure: false,
    };
    run_flow(req, &env, &Interrupt::new()).await
}

fn text_of(html: &str) -> String {
    // Enough for assertions: style, script and tags out, entities of the texts we look for decoded.
    let cut = |s: &str, open: &str, close: &str| match (s.find(open), s.find(close)) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &s[..a], &s[b + close.len()..]),
        _ => s.to_string(),
    };
    let html = cut(&cut(html, "<style>", "</style>"), "<script>", "</script>");
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.replace("&#39;", "'").replace("&quot;", "\"").replace("&amp;", "&")
}

fn sha256sum_check(dir: &Path) -> std::process::Output {
    std::process::Command::new("sha256sum")
        .args(["-c", "--strict", "manifest.sha256"])
        .current_dir(dir)
        .output()
        .expect("sha256sum runs")
}

/// Attachments and error/failure elements of junit.xml, parsed.
fn junit_facts(xml: &str) -> (Vec<String>, usize, usize) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let (mut attachments, mut failures, mut errors) = (vec![], 0, 0);
    let mut in_out = false;
    loop {
        match reader.read_event().expect("junit.xml is well-formed") {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"system-out" => in_out = true,
                b"failure" => failures += 1,
                b"error" => errors += 1,
                _ => {}
            },
            Event::End(e) if e.name().as_ref() == b"system-out" => in_out = false,
            Event::Text(t) if in_out => {
                for line in t.unescape().unwrap().lines() {
                    if let Some(p) = line.strip_prefix("[[ATTACHMENT|").and_then(|l| l.strip_suffix("]]")) {
                        attachments.push(p.to_string());
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    (attachments, failures, errors)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_report_is_a_dutch_hand_over_with_before_after_and_read_back() {
    let portal = portal(PortalConfig::default()).await;
    let flow = flow_with_named_screenshot();
    let out = out_dir("proof-pass");
    let outcome = run_as_admin(&portal.base_url(), &flow, &out, ADMIN, Lang::Nl)
        .await
        .unwrap_or_else(|e| panic!("run failed: {e}"));
    assert_eq!(outcome.result.status, Status::Passed);
    // The portal really holds the flag now.
    let state = portal.state().to_string();
    assert!(state.contains("E-commerce inzichten"), "{state}");

    // The executor recorded the box's facts: unticked before, ticked after, read back after reload.
    let stap4 = &outcome.result.steps[3];
    assert_eq!(stap4.ensured.len(), 1, "{:?}", stap4.ensured);
    let e = &stap4.ensured[0];
    assert_eq!(
        (e.label.as_str(), e.before, e.after, e.read_back, e.reloaded),
        ("E-commerce inzichten", false, true, Some(true), true)
    );
    let named: Vec<_> = stap4.screenshots.iter().filter_map(|s| s.name.clone()).collect();
    assert_eq!(named, vec!["Vinkje gezet".to_string()]);

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let text = text_of(&html);
    assert!(html.contains("<html lang=\"nl\">"));
    for want in [
        "Samenvatting",
        "Wat is er gedaan",
        "Uitgevoerd door",
        "Anna de Vries (servicedesk)",
        "INC-4711",
        "klantnummer 9401138",
        "gebruiker GATUser, PostNL (PostNL)",
        "Alle 5 stappen zijn gelukt.",
        "E-commerce inzichten: niet aangevinkt → aangevinkt, na herladen bevestigd",
        "Technische details",
        "Controle achteraf",
        "Schermafbeelding: Vinkje gezet",
    ] {
        assert!(text.contains(want), "`{want}` missing from the report");
    }
    for english in ["Summary", "Passed", "What went wrong", "click to enlarge"] {
        assert!(!text.contains(english), "English `{english}` in the Dutch report");
    }
    // Locators with their values filled in; no placeholder left.
    assert!(!html.contains("${klantnummer}") && !html.contains("${gebruiker}"));
    assert!(text.contains("option \"9401138\""), "resolved locator missing");
    // The named screenshot is embedded (6 images: one per step plus the named one).
    assert_eq!(html.matches("src=\"data:image/png;base64,").count(), 6);
    // The digests of screenshots and the download are listed.
    let manifest = std::fs::read_to_string(out.join("manifest.sha256")).unwrap();
    for line in manifest.lines().filter(|l| l.contains(".png") || l.contains(".pdf")) {
        let (sum, file) = line.split_once("  ").unwrap();
        assert!(html.contains(sum), "digest of {file} missing from report.html");
    }
    // Every file of the run folder is in the manifest and sha256sum agrees.
    for f in ["report.html", "report.json", "junit.xml", "run.log", "vinkje-gezet.png"] {
        assert!(manifest.contains(&format!("  {f}\n")), "{f} not in the manifest");
    }
    assert!(manifest.contains("  downloads/e-commerce-inzichten-9401138.pdf\n"));
    let check = sha256sum_check(&out);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));

    // junit.xml: attachments for every step's screenshots (the named one included), all present.
    let (attachments, failures, errors) = junit_facts(&std::fs::read_to_string(out.join("junit.xml")).unwrap());
    assert_eq!((failures, errors), (0, 0));
    assert_eq!(attachments.len(), 6, "{attachments:?}");
    assert!(attachments
        .iter()
        .all(|a| Path::new(a).is_absolute() && Path::new(a).is_file()));
    assert!(attachments.iter().any(|a| a.ends_with("vinkje-gezet.png")));

    // report.json lists the screenshots per step.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["steps"][3]["screenshots"].as_array().unwrap().len(), 2);
    assert_eq!(json["operator"], "Anna de Vries (servicedesk)");
    assert_eq!(json["ticket"], "INC-4711");
    assert_eq!(json["lang"], "nl");

    // Tampering shows.
    std::fs::write(out.join("report.json"), b"{}").unwrap();
    assert!(!sha256sum_check(&out).status.success());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_report_in_english_explains_and_attaches_the_failure() {
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let flow = flow_with_named_screenshot();
    let out = out_dir("proof-fail");
    let err = run_as_admin(&portal.base_url(), &flow, &out, "Niemand, Bestaat (PostNL)", Lang::En)
        .await
        .err()
        .expect("an unknown gebruiker fails");
    assert!(matches!(err, CliError::Failed(_)), "{err}");
    let (removed, added) = diff(&before, &portal.state());
    assert!(
        removed.is_empty() && added.is_empty(),
        "nothing may change: {removed:?} {added:?}"
    );

    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    let text = text_of(&html);
    assert!(html.contains("<html lang=\"en\">"));
    for want in [
        "Summary",
        "Carried out by",
        "The run stopped at Stap 4. Selecteer 'autorisaties voor gebruiker'",
        "What went wrong",
        "What the page offered instead",
        "GATUser, PostNL (PostNL)",
        "Moment of failure",
    ] {
        assert!(text.contains(want), "`{want}` missing from the report");
    }
    assert!(!text.contains("Samenvatting"));
    // No box was ensured: no before → after line.
    assert!(!text.contains("→ ticked"));
    let (attachments, failures, errors) = junit_facts(&std::fs::read_to_string(out.join("junit.xml")).unwrap());
    assert_eq!(
        (failures, errors),
        (1, 0),
        "a missing gebruiker is a failure, not an error"
    );
    assert!(
        attachments
            .iter()
            .any(|a| a.ends_with("04-stap-4-selecteer-autorisaties-voor-gebruiker-mislukt.png")),
        "{attachments:?}"
    );
    let check = sha256sum_check(&out);
    assert!(check.status.success(), "{}", String::from_utf8_lossy(&check.stdout));
}
