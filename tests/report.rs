//! Report writers: secrets never reach any output, report.json matches its schema, junit.xml has a
//! test case per step, and report.html shows every screenshot in real headless Chromium.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

use chrono::TimeZone;
use postnl_robot::browser::{Browser, BrowserOptions};
use postnl_robot::report::{self, logging, Lang, LogFormat, Progress, Redactor};
use postnl_robot::run::result::{
    ActionResult, BrowserInfo, Ensured, ErrorInfo, FailureKind, FlowInfo, Param, RunResult, Screenshot, ShotKind,
    Status, StepResult, SCHEMA_VERSION,
};
use serde_json::json;

/// Distinctive secrets; none of their characters sequences can occur in base64 by chance.
const PASSWORD: &str = "Zeer$Geheim-Wachtw00rd!7";
const EMAIL: &str = "jan.support+robot@example-klant.nl";

fn redactor() -> Redactor {
    Redactor::new([PASSWORD, EMAIL])
}

// ---------------------------------------------------------------------------------------------
// A tiny PNG encoder (4-bit palette, stored deflate blocks): real, valid files without deps.

const PALETTE: [[u8; 3]; 10] = [
    [0xff, 0xff, 0xff], // 0 white
    [0x00, 0x1d, 0x5c], // 1 navy
    [0xff, 0x62, 0x00], // 2 orange
    [0xe5, 0xe7, 0xeb], // 3 light grey
    [0x9c, 0xa3, 0xaf], // 4 grey
    [0x37, 0x41, 0x51], // 5 dark text
    [0xc8, 0x10, 0x2e], // 6 red
    [0x1a, 0x7f, 0x37], // 7 green
    [0xf3, 0xf4, 0xf7], // 8 page background
    [0xfd, 0xec, 0xee], // 9 pale red
];

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

fn adler32(data: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &d in data {
        a = (a + u32::from(d)) % 65521;
        b = (b + a) % 65521;
    }
    (b << 16) | a
}

fn png_chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend((data.len() as u32).to_be_bytes());
    let mut body = kind.to_vec();
    body.extend_from_slice(data);
    out.extend_from_slice(&body);
    out.extend(crc32(&body).to_be_bytes());
}

fn png(w: u32, h: u32, pixel: impl Fn(u32, u32) -> u8) -> Vec<u8> {
    let mut raw = Vec::new();
    for y in 0..h {
        raw.push(0); // filter: none
        for x in (0..w).step_by(2) {
            let hi = pixel(x, y) & 0x0f;
            let lo = if x + 1 < w { pixel(x + 1, y) & 0x0f } else { 0 };
            raw.push((hi << 4) | lo);
        }
    }
    let mut z = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        z.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        z.extend(len.to_le_bytes());
        z.extend((!len).to_le_bytes());
        z.extend_from_slice(block);
    }
    z.extend(adler32(&raw).to_be_bytes());

    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = Vec::new();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([4, 3, 0, 0, 0]); // 4-bit, palette
    png_chunk(&mut out, b"IHDR", &ihdr);
    png_chunk(&mut out, b"PLTE", &PALETTE.concat());
    png_chunk(&mut out, b"IDAT", &z);
    png_chunk(&mut out, b"IEND", &[]);
    out
}

fn inside(x: u32, y: u32, x0: u32, y0: u32, x1: u32, y1: u32) -> bool {
    (x0..x1).contains(&x) && (y0..y1).contains(&y)
}

/// A mock portal page: navy header with the orange user button, a card with text lines; step
/// `n` draws a different number of lines, `failed` a red-framed message box.
fn mock_screenshot(n: u32, failed: bool) -> Vec<u8> {
    png(640, 400, move |x, y| {
        if y < 48 {
            return if inside(x, y, 20, 14, 44, 34) || inside(x, y, 500, 12, 620, 36) {
                2
            } else if inside(x, y, 56, 20, 150, 28) {
                0
            } else {
                1
            };
        }
        if !inside(x, y, 40, 70, 600, 380) {
            return 8;
        }
        if failed && inside(x, y, 60, 290, 580, 360) {
            let border = !inside(x, y, 63, 293, 577, 357);
            return if border || inside(x, y, 80, 315, 420, 325) {
                6
            } else {
                9
            };
        }
        if inside(x, y, 60, 90, 60 + 70 * n, 104) {
            return 1;
        }
        for k in 0..(2 + n) {
            let y0 = 126 + k * 30;
            if inside(x, y, 60, y0, 60 + 14, y0 + 14) {
                return if k % 2 == 0 { 7 } else { 4 };
            }
            if inside(x, y, 86, y0 + 3, 300 + (k * 53) % 220, y0 + 11) {
                return 5;
            }
        }
        if inside(x, y, 440, 250, 580, 280) {
            return 2;
        }
        0
    })
}

// ---------------------------------------------------------------------------------------------
// Fabricated run results.

const TITLES: [&str; 5] = [
    "Stap 1. Log in op MijnPostNL",
    "Stap 2. Ga naar 'Mijn Account'",
    "Stap 3. Ga naar 'Autorisaties'",
    "Stap 4. Selecteer 'autorisaties voor gebruiker'",
    "Stap 5. Nadat de gebruiker geautoriseerd is",
];

fn slug(i: usize) -> String {
    let s: String = TITLES[i]
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let parts: Vec<&str> = s.split('-').filter(|p| !p.is_empty()).collect();
    format!("{:02}-{}.png", i + 1, parts.join("-"))
}

fn action(desc: &str, locator: Option<&str>, status: Status, ms: u64, detail: Option<&str>) -> ActionResult {
    ActionResult {
        traffic: None,
        trace: None,
        description: desc.into(),
        locator: locator.map(Into::into),
        status,
        duration_ms: ms,
        detail: detail.map(Into::into),
    }
}

/// Writes the run's screenshots into `dir` and returns its result. `failing`: Stap 4 fails (the
/// gebruiker is not listed) and Stap 5 is skipped; otherwise all five steps pass.
fn fixture(dir: &Path, failing: bool) -> RunResult {
    std::fs::create_dir_all(dir.join("downloads")).unwrap();
    let mut steps = Vec::new();
    for i in 0..5 {
        let failed_here = failing && i == 3;
        let skipped_here = failing && i == 4;
        let screenshot = if skipped_here {
            None
        } else {
            let name = slug(i);
            std::fs::write(dir.join(&name), mock_screenshot(i as u32 + 1, false)).unwrap();
            Some(name)
        };
        let mut actions = match i {
            0 => vec![
                action("goto \"/\"", None, Status::Passed, 812, None),
                action(
                    "click button \"Alles accepteren\" (when present)",
                    Some("role button \"Alles accepteren\""),
                    Status::Passed,
                    140,
                    Some("handled obstacle 'cookie banner'"),
                ),
                action(
                    &format!("fill label \"E-mailadres\" with \"{EMAIL}\""),
                    Some("label \"E-mailadres\""),
                    Status::Passed,
                    95,
                    None,
                ),
                action(
                    "fill label \"Wachtwoord\" with secret",
                    Some("label \"Wachtwoord\""),
                    Status::Passed,
                    88,
                    Some(&format!("typed {PASSWORD}")),
                ),
                action(
                    "click button \"Inloggen bij Mijn PostNL\"",
                    Some("role button \"Inloggen bij Mijn PostNL\""),
                    Status::Passed,
                    1204,
                    None,
                ),
            ],
            1 => vec![
                action(
                    "click the orange user menu button",
                    Some("css \"header button.user-menu\""),
                    Status::Passed,
                    230,
                    None,
                ),
                action(
                    "click link \"Mijn Account\"",
                    Some("role link \"Mijn Account\""),
                    Status::Passed,
                    410,
                    None,
                ),
            ],
            2 => vec![
                action(
                    "click text \"Klantnummerinstellingen\"",
                    Some("text \"Klantnummerinstellingen\""),
                    Status::Passed,
                    180,
                    None,
                ),
                action(
                    "click link \"Autorisaties\"",
                    Some("role link \"Autorisaties\""),
                    Status::Passed,
                    655,
                    None,
                ),
            ],
            3 => vec![
                action(
                    "select label \"Klantnummer\" containing \"9401138\"",
                    Some("label \"Klantnummer\""),
                    Status::Passed,
                    210,
                    Some("selected \"9401138 - Webshop B.V.\""),
                ),
                action(
                    "select label \"Gebruiker\" option \"GATUser, PostNL (PostNL)\"",
                    Some("label \"Gebruiker\" option \"GATUser, PostNL (PostNL)\""),
                    if failing { Status::Failed } else { Status::Passed },
                    if failing { 5000 } else { 190 },
                    None,
                ),
                action(
                    "check label \"E-commerce inzichten\"",
                    Some("label \"E-commerce inzichten\""),
                    if failing { Status::Skipped } else { Status::Passed },
                    120,
                    (!failing).then_some("was already ticked"),
                ),
                action(
                    "click button \"Opslaan\"",
                    Some("role button \"Opslaan\""),
                    if failing { Status::Skipped } else { Status::Passed },
                    960,
                    None,
                ),
                action(
                    "expect checked label \"E-commerce inzichten\" after reload",
                    Some("label \"E-commerce inzichten\""),
                    if failing { Status::Skipped } else { Status::Passed },
                    1450,
                    (!failing).then_some("ticked after reload"),
                ),
            ],
            _ => vec![
                action(
                    "wait for tile \"E-commerce Inzichten\" (reload home, up to 60 min)",
                    Some("text \"E-commerce Inzichten\""),
                    Status::Passed,
                    2100,
                    Some("visible after 1 reload"),
                ),
                action(
                    "download link offering the PDF",
                    Some("role link ~ \"pdf\""),
                    Status::Passed,
                    1320,
                    Some("downloads/ecommerce-inzichten.pdf (48 KB, %PDF)"),
                ),
            ],
        };
        if skipped_here {
            actions.clear();
        }
        let error = failed_here.then(|| {
            let shot = "failure-04.png".to_string();
            std::fs::write(dir.join(&shot), mock_screenshot(4, true)).unwrap();
            ErrorInfo {
                kind: FailureKind::ElementAbsent,
                message: format!(
                    "no option \"GATUser, PostNL (PostNL)\" in the list \"Gebruiker\" (logged in as {EMAIL})"
                ),
                locator: Some("label \"Gebruiker\" option \"GATUser, PostNL (PostNL)\"".into()),
                found: vec![
                    "Bakker, Anna (Webshop B.V.)".into(),
                    "de Vries, Pieter (Webshop B.V.)".into(),
                    format!("Support, Jan ({EMAIL})"),
                    "Jansen, Sanne <sanne> & co".into(),
                ],
                screenshot: Some(shot),
                url: Some(format!(
                    "https://mijn.postnl.test/apex/bpg_autorisaties?debug={}",
                    url::form_urlencoded::byte_serialize(PASSWORD.as_bytes()).collect::<String>()
                )),
                did_you_mean: vec![],
            }
        });
        steps.push(StepResult {
            traffic: None,
            trace: None,
            index: i + 1,
            title: TITLES[i].into(),
            status: if failed_here {
                Status::Failed
            } else if skipped_here {
                Status::Skipped
            } else {
                Status::Passed
            },
            skip_reason: skipped_here.then(|| format!("an earlier step failed (run by {EMAIL})")),
            duration_ms: if skipped_here {
                0
            } else {
                [2339, 640, 835, 1930, 3420][i] + if failed_here { 5000 } else { 0 }
            },
            screenshot: screenshot.clone(),
            url: (!skipped_here).then(|| {
                format!(
                    "https://mijn.postnl.test/apex/{}",
                    [
                        "BPG_Home",
                        "bpg_my_account",
                        "bpg_klantnummerinstellingen",
                        "bpg_autorisaties",
                        "ecommerce_inzichten"
                    ][i]
                )
            }),
            screenshots: screenshot
                .clone()
                .into_iter()
                .map(|f| Screenshot {
                    file: f.clone(),
                    kind: ShotKind::Step,
                    name: None,
                })
                .collect(),
            ensured: if i == 3 {
                vec![Ensured {
                    label: "E-commerce inzichten".into(),
                    locator: "label \"E-commerce inzichten\"".into(),
                    before: false,
                    after: true,
                    read_back: (!failing).then_some(true),
                    reloaded: !failing,
                }]
            } else {
                vec![]
            },
            actions,
            error,
            fingerprint: None,
            verify: None,
        });
    }
    let downloads = if failing {
        vec![]
    } else {
        std::fs::write(dir.join("downloads/ecommerce-inzichten.pdf"), b"%PDF-1.4\n%%EOF\n").unwrap();
        vec!["downloads/ecommerce-inzichten.pdf".into()]
    };
    RunResult {
        schema_version: SCHEMA_VERSION,
        tool_version: env!("CARGO_PKG_VERSION").into(),
        flow: FlowInfo {
            name: "autoriseren-ecommerce-inzichten".into(),
            title: "Gebruiker autoriseren voor E-commerce inzichten".into(),
            file: "flows/autoriseren-ecommerce-inzichten.toml".into(),
        },
        params: vec![
            Param {
                name: "klantnummer".into(),
                value: "9401138".into(),
                secret: false,
            },
            Param {
                name: "gebruiker".into(),
                value: "GATUser, PostNL (PostNL)".into(),
                secret: false,
            },
            Param {
                name: "email".into(),
                value: "***".into(),
                secret: true,
            },
            Param {
                name: "password".into(),
                value: PASSWORD.into(),
                secret: true,
            },
            Param {
                name: "opmerking".into(),
                value: format!("ticket <4711> & \"{EMAIL}\""),
                secret: false,
            },
        ],
        base_url: "https://mijn.postnl.test".into(),
        operator: Some("Anna Support".into()),
        ticket: Some("INC-4711".into()),
        lang: "en".into(),
        browser: BrowserInfo {
            name: "chrome".into(),
            version: "148.0.7778.167".into(),
            webdriver: "http://127.0.0.1:9515 (own chromedriver)".into(),
            ..Default::default()
        },
        started: chrono::Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 53).unwrap(),
        finished: chrono::Utc.with_ymd_and_hms(2025, 3, 14, 9, 27, 4).unwrap(),
        duration_ms: if failing { 11_060 } else { 9_164 },
        status: if failing { Status::Failed } else { Status::Passed },
        exit_code: u8::from(failing),
        mode: "run".into(),
        steps,
        downloads,
        error: None,
        verify: None,
        trace: None,
    }
}

// ---------------------------------------------------------------------------------------------
// Checks shared by the tests.

/// Every file under `dir`, recursively.
fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(files_under(&path));
        } else {
            out.push(path);
        }
    }
    out
}

/// The forms of the secrets no output may contain (raw, any case, and URL-encoded).
fn forbidden() -> Vec<String> {
    let mut v = Vec::new();
    for s in [PASSWORD, EMAIL] {
        v.push(s.to_lowercase());
        v.push(
            url::form_urlencoded::byte_serialize(s.as_bytes())
                .collect::<String>()
                .to_lowercase(),
        );
        v.push(serde_json::to_string(s).unwrap().trim_matches('"').to_lowercase());
    }
    v
}

fn assert_no_secret(what: &str, bytes: &[u8]) {
    let text = String::from_utf8_lossy(bytes).to_lowercase();
    for f in forbidden() {
        assert_eq!(text.matches(&f).count(), 0, "{what} contains a secret ({f})");
    }
}

fn assert_no_secret_in_folder(dir: &Path) -> usize {
    let files = files_under(dir);
    for f in &files {
        assert_no_secret(&f.display().to_string(), &std::fs::read(f).unwrap());
        assert_no_secret("a file name", f.to_string_lossy().as_bytes());
    }
    files.len()
}

fn keep_dir(name: &str, dir: &Path) {
    // REPORT_TEST_KEEP=/some/dir keeps a copy of the run folders for inspection.
    if let Some(keep) = std::env::var_os("REPORT_TEST_KEEP") {
        let target = Path::new(&keep).join(name);
        std::fs::create_dir_all(&target).unwrap();
        for f in files_under(dir) {
            let rel = f.strip_prefix(dir).unwrap();
            let to = target.join(rel);
            std::fs::create_dir_all(to.parent().unwrap()).unwrap();
            std::fs::copy(&f, to).unwrap();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// report.json

#[test]
fn report_json_validates_against_the_schema_and_hides_secrets() {
    let schema: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/report.schema.json")).unwrap(),
    )
    .unwrap();
    let validator = jsonschema::validator_for(&schema).expect("schema compiles");
    for failing in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let result = fixture(tmp.path(), failing);
        let path = report::json::write_json(&result, tmp.path(), &redactor()).unwrap();
        let value: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "report.json does not match the schema: {errors:#?}");
        assert_eq!(value["schema_version"], json!(SCHEMA_VERSION));
        assert_eq!(value["steps"].as_array().unwrap().len(), 5);
        assert_eq!(value["status"], json!(if failing { "failed" } else { "passed" }));
        if failing {
            assert_eq!(value["steps"][3]["error"]["found"].as_array().unwrap().len(), 4);
            assert_eq!(value["steps"][3]["error"]["found"][2], json!("Support, Jan (***)"));
            assert_eq!(value["steps"][4]["status"], json!("skipped"));
        }
        // A secret param stays masked; the secret typed into an action detail is masked.
        assert_eq!(value["params"][3]["value"], json!("***"));
        assert_eq!(value["steps"][0]["actions"][3]["detail"], json!("typed ***"));
        assert_no_secret_in_folder(tmp.path());
    }

    // The schema is not a rubber stamp: a wrong status or a missing field is rejected.
    let tmp = tempfile::tempdir().unwrap();
    let mut value = serde_json::to_value(fixture(tmp.path(), true)).unwrap();
    value["steps"][0]["status"] = json!("ok");
    assert!(!validator.is_valid(&value));
    let mut value = serde_json::to_value(fixture(tmp.path(), true)).unwrap();
    value.as_object_mut().unwrap().remove("schema_version");
    assert!(!validator.is_valid(&value));
}

// ---------------------------------------------------------------------------------------------
// junit.xml

#[derive(Debug, Default)]
struct Case {
    name: String,
    classname: String,
    failure: Option<(String, String)>,
    error: Option<(String, String)>,
    failure_text: String,
    skipped: Option<String>,
    system_out: String,
}

/// (testsuite attributes, test cases) of a junit.xml.
fn parse_junit(xml: &str) -> (Vec<(String, String)>, Vec<Case>) {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(xml);
    let attrs = |e: &quick_xml::events::BytesStart| -> Vec<(String, String)> {
        e.attributes()
            .map(|a| {
                let a = a.unwrap();
                (
                    String::from_utf8(a.key.as_ref().to_vec()).unwrap(),
                    a.unescape_value().unwrap().into_owned(),
                )
            })
            .collect()
    };
    let get = |v: &[(String, String)], k: &str| {
        v.iter()
            .find(|(n, _)| n == k)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let mut suite = Vec::new();
    let mut suites = 0;
    let mut cases: Vec<Case> = Vec::new();
    let mut path: Vec<String> = Vec::new();
    loop {
        match reader.read_event().expect("junit.xml is well-formed") {
            Event::Start(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let a = attrs(&e);
                match name.as_str() {
                    "testsuite" => {
                        suites += 1;
                        suite = a;
                    }
                    "testcase" => cases.push(Case {
                        name: get(&a, "name"),
                        classname: get(&a, "classname"),
                        ..Default::default()
                    }),
                    "failure" => cases.last_mut().unwrap().failure = Some((get(&a, "message"), get(&a, "type"))),
                    "error" => cases.last_mut().unwrap().error = Some((get(&a, "message"), get(&a, "type"))),
                    _ => {}
                }
                path.push(name);
            }
            Event::Empty(e) => {
                let name = String::from_utf8(e.name().as_ref().to_vec()).unwrap();
                let a = attrs(&e);
                match name.as_str() {
                    "skipped" => cases.last_mut().unwrap().skipped = Some(get(&a, "message")),
                    "testcase" => cases.push(Case {
                        name: get(&a, "name"),
                        classname: get(&a, "classname"),
                        ..Default::default()
                    }),
                    _ => {}
                }
            }
            Event::Text(t) => {
                let text = t.unescape().unwrap().into_owned();
                match path.last().map(String::as_str) {
                    Some("system-out") => cases.last_mut().unwrap().system_out.push_str(&text),
                    Some("failure") => cases.last_mut().unwrap().failure_text.push_str(&text),
                    _ => {}
                }
            }
            Event::End(_) => {
                path.pop();
            }
            Event::Eof => break,
            _ => {}
        }
    }
    assert_eq!(suites, 1, "one testsuite per flow");
    (suite, cases)
}

#[test]
fn junit_has_a_testcase_per_step_with_failures_and_skips() {
    let get = |v: &[(String, String)], k: &str| v.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()).unwrap();

    // Passing run.
    let tmp = tempfile::tempdir().unwrap();
    let result = fixture(tmp.path(), false);
    let path = report::junit::write_junit(&result, tmp.path(), &redactor()).unwrap();
    let xml = std::fs::read_to_string(&path).unwrap();
    let (suite, cases) = parse_junit(&xml);
    // The class name carries the non-secret parameters: runs with other parameters differ.
    let class = "autoriseren-ecommerce-inzichten[klantnummer=9401138, gebruiker=GATUser, PostNL (PostNL), \
                 opmerking=ticket <4711> & \"***\"]";
    assert_eq!(get(&suite, "name"), class);
    assert_eq!(get(&suite, "tests"), "5");
    assert_eq!(get(&suite, "failures"), "0");
    assert_eq!(get(&suite, "errors"), "0");
    assert_eq!(get(&suite, "skipped"), "0");
    assert_eq!(get(&suite, "time"), "9.164");
    assert_eq!(get(&suite, "timestamp"), "2025-03-14T09:26:53");
    assert_eq!(cases.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), TITLES);
    assert!(cases.iter().all(|c| c.classname == class));
    // Each step's screenshot as an attachment CI can show.
    for (i, c) in cases.iter().enumerate() {
        let line = format!("[[ATTACHMENT|{}]]", tmp.path().join(slug(i)).display());
        assert!(c.system_out.contains(&line), "{line} not in {}", c.system_out);
    }
    assert!(cases.iter().all(|c| c.failure.is_none() && c.skipped.is_none()));
    assert!(
        cases[0].system_out.contains("click button \"Alles accepteren\""),
        "{}",
        cases[0].system_out
    );
    assert!(cases[0].system_out.contains("typed ***"));
    assert_no_secret_in_folder(tmp.path());

    // Failing run: Stap 4 failed, Stap 5 skipped.
    let tmp = tempfile::tempdir().unwrap();
    let result = fixture(tmp.path(), true);
    let path = report::junit::write_junit(&result, tmp.path(), &redactor()).unwrap();
    let xml = std::fs::read_to_string(&path).unwrap();
    let (suite, cases) = parse_junit(&xml);
    assert_eq!(get(&suite, "tests"), "5");
    assert_eq!(get(&suite, "failures"), "1");
    assert_eq!(get(&suite, "skipped"), "1");
    assert_eq!(cases.len(), 5);
    assert!(cases[..3].iter().all(|c| c.failure.is_none() && c.skipped.is_none()));
    let (message, kind) = cases[3].failure.clone().expect("Stap 4 has a <failure>");
    assert_eq!(
        message,
        "no option \"GATUser, PostNL (PostNL)\" in the list \"Gebruiker\" (logged in as ***)"
    );
    assert!(!kind.is_empty());
    assert_eq!(cases[4].skipped.as_deref(), Some("an earlier step failed (run by ***)"));
    // The failure's details: locator, what the page offered, URL, screenshot.
    let details = &cases[3].failure_text;
    for expected in [
        "Error: no option",
        "Locator: label \"Gebruiker\" option \"GATUser, PostNL (PostNL)\"",
        "  - Jansen, Sanne <sanne> & co",
        "  - Support, Jan (***)",
        "URL: https://mijn.postnl.test/apex/bpg_autorisaties?debug=***",
        "Screenshot: failure-04.png",
    ] {
        assert!(
            details.contains(expected),
            "failure details lack {expected:?}:\n{details}"
        );
    }
    assert!(
        xml.contains("Jansen, Sanne &lt;sanne&gt; &amp; co"),
        "escaped in the document"
    );
    assert!(
        cases[3].system_out.contains("✗ select label \"Gebruiker\""),
        "{}",
        cases[3].system_out
    );
    assert_no_secret_in_folder(tmp.path());
}

// ---------------------------------------------------------------------------------------------
// report.html in headless Chromium

/// The robot's own browser (its chromedriver, session and profile), for looking at reports.
async fn browser() -> (Browser, tempfile::TempDir) {
    let downloads = tempfile::tempdir().unwrap();
    let browser = Browser::launch(&BrowserOptions::new(downloads.path()))
        .await
        .expect("a Chromium session");
    (browser, downloads)
}

fn file_url(path: &Path) -> String {
    url::Url::from_file_path(path).unwrap().to_string()
}

/// Loads a report, checks every screenshot decoded, the lightbox opens, and returns a full-page
/// PNG of it.
async fn check_report_in_browser(client: &fantoccini::Client, html: &Path, expected_images: usize) -> Vec<u8> {
    client.set_window_size(1280, 900).await.unwrap();
    client.goto(&file_url(html)).await.unwrap();
    // A big file:// page can still be parsing when navigation returns: look until it has loaded
    // (bounded), then judge what is there.
    let mut images = Vec::new();
    for _ in 0..100 {
        let v = client
            .execute(
                "if (document.readyState !== 'complete') return null;
                 return Array.from(document.querySelectorAll('figure img')).map(function (i) {
                     return {alt: i.alt, complete: i.complete, w: i.naturalWidth, h: i.naturalHeight,
                             data: i.src.slice(0, 22)};
                 });",
                vec![],
            )
            .await
            .unwrap();
        if let Some(list) = v.as_array() {
            images = list.clone();
            if images.iter().all(|i| i["complete"] == json!(true)) {
                break;
            }
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert_eq!(images.len(), expected_images, "screenshots in the report: {images:#?}");
    for img in &images {
        assert_eq!(img["complete"], json!(true), "{img}");
        assert!(img["w"].as_u64().unwrap() > 0, "image not loaded: {img}");
        assert_eq!(img["w"], json!(640), "{img}");
        assert_eq!(
            img["data"],
            json!("data:image/png;base64,"),
            "embedded, not linked: {img}"
        );
    }
    // Everything else is inline too: no external resources at all.
    let external = client
        .execute(
            "return performance.getEntriesByType('resource').map(function (r) { return r.name; })
                 .filter(function (n) { return !n.startsWith('data:'); });",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(external, json!([]), "report.html loads external resources");

    // Click to enlarge, Escape to close.
    let lightbox_state = "var b = document.getElementById('lightbox');
         return {hidden: b.hidden, w: b.querySelector('img').naturalWidth};";
    assert_eq!(
        client.execute(lightbox_state, vec![]).await.unwrap()["hidden"],
        json!(true)
    );
    client
        .find(fantoccini::Locator::Css("figure img.zoom"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let state = client.execute(lightbox_state, vec![]).await.unwrap();
    assert_eq!(state["hidden"], json!(false), "the lightbox opens on click");
    assert!(state["w"].as_u64().unwrap() > 0, "the lightbox shows the image");
    client
        .execute(
            "document.dispatchEvent(new KeyboardEvent('keydown', {key: 'Escape'}));",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(
        client.execute(lightbox_state, vec![]).await.unwrap()["hidden"],
        json!(true)
    );

    // Full-page picture of the report.
    let height = client
        .execute("return document.documentElement.scrollHeight;", vec![])
        .await
        .unwrap()
        .as_u64()
        .unwrap();
    client
        .set_window_size(1280, height.min(16_000) as u32 + 140)
        .await
        .unwrap();
    client.screenshot().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn html_report_shows_every_screenshot_in_headless_chromium() {
    let (browser, _downloads) = browser().await;
    let client = browser.client().clone();
    for failing in [false, true] {
        let tmp = tempfile::tempdir().unwrap();
        let result = fixture(tmp.path(), failing);
        let paths = report::write_all(&result, tmp.path(), &redactor()).unwrap();
        assert_eq!(paths.html, tmp.path().join("report.html"));

        let html = std::fs::read_to_string(&paths.html).unwrap();
        // Escaped, not interpreted; secret parameter masked.
        assert!(html.contains("ticket &lt;4711&gt; &amp; &quot;***&quot;"));
        assert!(!html.contains("<4711>"));
        if failing {
            assert!(html.contains("Jansen, Sanne &lt;sanne&gt; &amp; co"));
        }
        for t in TITLES {
            assert!(html.contains(&t.replace('\'', "&#39;")), "{t} missing");
        }

        // Passing: one per step; failing: three passed steps + the failure screenshot of Stap 4
        // plus its end-of-step screenshot (Stap 5 skipped, none).
        let expected = 5;
        let shot = check_report_in_browser(&client, &paths.html, expected).await;
        assert!(shot.starts_with(b"\x89PNG"));
        let name = if failing {
            "report-failing.png"
        } else {
            "report-passing.png"
        };
        std::fs::write(tmp.path().join(name), &shot).unwrap();

        if failing {
            let text = client
                .find(fantoccini::Locator::Css("#step-4 .failure"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert!(text.contains("What the page offered instead (4)"), "{text}");
            assert!(text.contains("de Vries, Pieter (Webshop B.V.)"), "{text}");
            let skipped = client
                .find(fantoccini::Locator::Css("#step-5 .skip-reason"))
                .await
                .unwrap()
                .text()
                .await
                .unwrap();
            assert_eq!(skipped, "Skipped: an earlier step failed (run by ***)");
        }
        keep_dir(if failing { "failing" } else { "passing" }, tmp.path());
        assert_no_secret_in_folder(tmp.path());
    }
    browser.close().await;
}

// ---------------------------------------------------------------------------------------------
// Console progress

#[derive(Clone, Default)]
struct Shared(Arc<Mutex<Vec<u8>>>);

impl Write for Shared {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn plain_progress_lines_and_summary_are_redacted() {
    let tmp = tempfile::tempdir().unwrap();
    let result = fixture(tmp.path(), true);
    let out = Shared::default();
    let progress = Progress::plain(out.clone())
        .with_redactor(redactor())
        .with_lang(Lang::En);
    assert!(!progress.is_live());
    for step in &result.steps {
        if step.status != Status::Skipped {
            progress.step_started(step.index, result.steps.len(), &step.title);
        }
        progress.step_finished(step);
    }
    progress.note(&format!("logged in as {EMAIL}"));
    progress.finish(&result, tmp.path());
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "[1/5] ✓ Stap 1. Log in op MijnPostNL (2.3 s)");
    assert_eq!(lines[1], "[2/5] ✓ Stap 2. Ga naar 'Mijn Account' (640 ms)");
    assert_eq!(
        lines[3],
        "[4/5] ✗ Stap 4. Selecteer 'autorisaties voor gebruiker' (6.9 s)"
    );
    assert!(
        lines[4].contains("Error: no option \"GATUser, PostNL (PostNL)\""),
        "{text}"
    );
    assert!(
        text.contains(
            "[5/5] – Stap 5. Nadat de gebruiker geautoriseerd is (skipped: an earlier step failed (run by ***))"
        ),
        "{text}"
    );
    assert!(
        text.contains("What the page offered instead: Bakker, Anna (Webshop B.V.) | de Vries"),
        "{text}"
    );
    assert!(text.contains("logged in as ***"));
    assert!(text.contains("✗ Failed at Stap 4. Selecteer 'autorisaties voor gebruiker' — 5 steps: 3 passed, 1 failed, 1 skipped — 11.1 s"), "{text}");
    assert!(
        text.trim_end()
            .ends_with(&format!("Report: {}", tmp.path().join("report.html").display())),
        "{text}"
    );
    // The failure is shown once: in its step's lines, not again in the summary.
    assert_eq!(text.matches("no option").count(), 1, "{text}");
    assert_no_secret("progress output", text.as_bytes());

    // Dutch by default.
    let out = Shared::default();
    let progress = Progress::plain(out.clone()).with_redactor(redactor());
    for step in &result.steps {
        progress.step_finished(step);
    }
    progress.finish(&result, tmp.path());
    let text = String::from_utf8(out.0.lock().unwrap().clone()).unwrap();
    for want in [
        "Fout: no option",
        "(overgeslagen: an earlier step failed (run by ***))",
        "✗ Mislukt bij Stap 4. Selecteer 'autorisaties voor gebruiker' — 5 stappen: 3 geslaagd, 1 mislukt, 1 overgeslagen",
        "Verslag: ",
    ] {
        assert!(text.contains(want), "{want} not in {text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Logging at trace level, in a child process so stdout/stderr can be captured.

const CHILD_DIR: &str = "REPORT_TEST_CHILD_DIR";
const CHILD_FORMAT: &str = "REPORT_TEST_CHILD_FORMAT";

/// The child's work: a whole "run" with RUST_LOG=trace, a real browser session typing the
/// secrets, log events carrying them in every shape, progress on stdout and the three reports.
fn child_run(dir: &Path, format: LogFormat) {
    let _guard = logging::init(format, false);
    let secrets = redactor();
    logging::set_global_redactor(Redactor::new(["global-only-secret-42"]));
    logging::set_run_log(&dir.join(report::LOG_FILE), secrets.clone()).unwrap();
    assert_eq!(logging::run_log_path(), Some(dir.join(report::LOG_FILE)));

    tracing::info!(user = %EMAIL, "logging in");
    tracing::info!(user = EMAIL, password = PASSWORD, "as str fields (Debug-quoted)");
    tracing::debug!(body = ?json!({"text": PASSWORD, "user": EMAIL}), "webdriver request");
    tracing::debug!(body = %json!({"text": PASSWORD}), "webdriver request body");
    tracing::trace!(
        "raw {PASSWORD} and {}",
        url::form_urlencoded::byte_serialize(EMAIL.as_bytes()).collect::<String>()
    );
    tracing::warn!("warning mentions {EMAIL} and global-only-secret-42");

    // A real WebDriver session at trace level: type the secrets, read them back.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let (browser, _downloads) = browser().await;
        let client = browser.client().clone();
        client
            .goto("data:text/html,<label>E-mailadres <input id=e type=email></label><label>Wachtwoord <input id=p type=password></label>")
            .await
            .unwrap();
        let e = client.find(fantoccini::Locator::Id("e")).await.unwrap();
        e.send_keys(EMAIL).await.unwrap();
        let p = client.find(fantoccini::Locator::Id("p")).await.unwrap();
        p.send_keys(PASSWORD).await.unwrap();
        let back = p.prop("value").await.unwrap();
        assert_eq!(back.as_deref(), Some(PASSWORD));
        tracing::trace!(value = ?back, "read back the password field");
        browser.close().await;
    });

    let result = fixture(dir, true);
    let progress = Progress::new(true).with_lang(Lang::En);
    for step in &result.steps {
        progress.step_started(step.index, result.steps.len(), &step.title);
        progress.step_finished(step);
    }
    progress.note(&format!("logged in as {EMAIL}"));
    report::write_all(&result, dir, &secrets).unwrap();
    progress.finish(&result, dir);
    tracing::info!(password = PASSWORD, "run finished");
    logging::clear_run_log();
    tracing::error!("after the run: global-only-secret-42 is still masked");
}

#[test]
fn trace_logs_stdout_stderr_and_every_file_are_free_of_secrets() {
    if let Some(dir) = std::env::var_os(CHILD_DIR) {
        let format = std::env::var(CHILD_FORMAT).unwrap().parse().unwrap();
        child_run(Path::new(&dir), format);
        return;
    }
    for format in ["text", "json"] {
        let tmp = tempfile::tempdir().unwrap();
        let out = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "trace_logs_stdout_stderr_and_every_file_are_free_of_secrets",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(CHILD_DIR, tmp.path())
            .env(CHILD_FORMAT, format)
            .env("RUST_LOG", "trace")
            .env_remove("NO_COLOR")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "child failed ({format}):\n{stdout}\n{stderr}");

        let log = std::fs::read_to_string(tmp.path().join("run.log")).unwrap();
        // The log is really at trace level, including the dependencies' events.
        for expected in [
            "logging in",
            "webdriver request",
            "read back the password field",
            "run finished",
            "TRACE",
        ] {
            assert!(log.contains(expected), "run.log ({format}) lacks {expected:?}");
        }
        assert!(
            log.lines().any(|l| !l.contains("report::") && l.contains("hyper")),
            "run.log ({format}) has no trace events of the HTTP client"
        );
        assert!(log.contains("***"));
        assert!(!log.contains("after the run"), "run.log was closed by clear_run_log");
        assert!(
            stderr.contains("after the run: *** is still masked"),
            "stderr ({format}):\n{stderr}"
        );
        assert!(!log.contains("global-only-secret-42"));
        if format == "json" {
            for line in log.lines() {
                serde_json::from_str::<serde_json::Value>(line).unwrap_or_else(|e| panic!("{e}: {line}"));
            }
        }
        // RUST_LOG=trace reaches stderr too; the progress went to stdout.
        assert!(
            stderr.contains("warning mentions *** and ***"),
            "stderr ({format}):\n{stderr}"
        );
        assert!(
            stdout.contains("[1/5] ✓ Stap 1. Log in op MijnPostNL (2.3 s)"),
            "stdout:\n{stdout}"
        );
        assert!(stdout.contains("logged in as ***"), "stdout:\n{stdout}");
        assert!(stdout.contains("Report: "));

        assert_no_secret(&format!("stdout ({format})"), stdout.as_bytes());
        assert_no_secret(&format!("stderr ({format})"), stderr.as_bytes());
        let files = assert_no_secret_in_folder(tmp.path());
        assert!(files >= 9, "run folder has {files} files");
        keep_dir(&format!("trace-{format}"), tmp.path());
    }
}

// ---------------------------------------------------------------------------------------------
// Edge cases: a missing screenshot, and a run-level error no step owns.

#[test]
fn missing_screenshot_and_run_level_error_are_reported() {
    let tmp = tempfile::tempdir().unwrap();
    let mut result = fixture(tmp.path(), false);
    result.steps[1].screenshot = Some("gone.png".into());
    let html = report::html::to_html(&result, tmp.path(), &redactor());
    assert!(html.contains("Screenshot not available (<code>gone.png</code>)"));
    assert_eq!(html.matches("data:image/png;base64,").count(), 4);

    // The browser never started: every step skipped, the error belongs to the run.
    let mut result = fixture(tmp.path(), false);
    result.status = Status::Failed;
    result.downloads.clear();
    for s in &mut result.steps {
        s.status = Status::Skipped;
        s.skip_reason = Some("the browser did not start".into());
        s.actions.clear();
        s.screenshot = None;
        s.url = None;
    }
    result.error = Some(ErrorInfo {
        kind: FailureKind::NoBrowser,
        message: format!("chromedriver not found on PATH (user {EMAIL})"),
        ..Default::default()
    });
    let paths = report::write_all(&result, tmp.path(), &redactor()).unwrap();
    let html = std::fs::read_to_string(&paths.html).unwrap();
    assert!(html.contains("The run could not complete: chromedriver not found on PATH (user ***)"));
    let (suite, cases) = parse_junit(&std::fs::read_to_string(&paths.junit).unwrap());
    let get = |k: &str| suite.iter().find(|(n, _)| n == k).unwrap().1.clone();
    // No browser is an infrastructure problem: an <error>, not a <failure>.
    assert_eq!(
        (get("tests"), get("failures"), get("errors"), get("skipped")),
        ("6".into(), "0".into(), "1".into(), "5".into())
    );
    assert_eq!(cases.last().unwrap().name, report::junit::RUN_CASE);
    assert!(cases.last().unwrap().failure.is_none());
    assert_eq!(
        cases.last().unwrap().error.as_ref().unwrap(),
        &(
            "chromedriver not found on PATH (user ***)".to_string(),
            "NoBrowser".to_string()
        )
    );
    assert_no_secret_in_folder(tmp.path());
}

#[cfg(unix)]
#[test]
fn reports_replace_a_planted_symlink_instead_of_writing_through_it() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("run");
    let result = fixture(&dir, false);
    let victim = tmp.path().join("elsewhere.txt");
    std::fs::write(&victim, "untouched").unwrap();
    std::os::unix::fs::symlink(&victim, dir.join("report.json")).unwrap();
    std::fs::write(dir.join("junit.xml"), "previous").unwrap();
    report::write_all(&result, &dir, &redactor()).unwrap();
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "untouched");
    let meta = std::fs::symlink_metadata(dir.join("report.json")).unwrap();
    assert!(meta.file_type().is_file(), "report.json is a file of its own now");
    assert!(std::fs::read_to_string(dir.join("junit.xml"))
        .unwrap()
        .starts_with("<?xml"));
    let temps: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".tmp-"))
        .collect();
    assert!(temps.is_empty(), "{temps:?}");
}
