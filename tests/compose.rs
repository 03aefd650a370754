//! docker-compose.yml cannot run here (no Docker engine): check it by reading it.

use clap::Parser;
use serde_yml::Value;

fn compose() -> Value {
    serde_yml::from_str(&std::fs::read_to_string("docker-compose.yml").unwrap()).expect("valid YAML")
}

fn command(service: &Value) -> Vec<String> {
    service["command"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

fn env(service: &Value, name: &str) -> Option<String> {
    service["environment"][name].as_str().map(str::to_string)
}

#[test]
fn compose_has_a_grid_the_replica_and_the_robot() {
    let c = compose();
    let services = c["services"].as_mapping().unwrap();
    let names: Vec<&str> = services.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, ["hub", "chromium", "firefox", "portal", "robot", "scheduler"]);
    let image = |s: &str| c["services"][s]["image"].as_str().unwrap().to_string();
    assert!(image("hub").starts_with("selenium/hub:"));
    assert!(image("chromium").starts_with("selenium/node-chromium:"));
    assert!(image("firefox").starts_with("selenium/node-firefox:"));
    // One Selenium version for the whole Grid.
    let version = |s: &str| image(s).split(':').nth(1).unwrap().to_string();
    assert_eq!(version("chromium"), version("hub"));
    assert_eq!(version("firefox"), version("hub"));
    for node in ["chromium", "firefox"] {
        let n = &c["services"][node];
        assert_eq!(env(n, "SE_EVENT_BUS_HOST").as_deref(), Some("hub"), "{node}");
        assert_eq!(env(n, "SE_EVENT_BUS_PUBLISH_PORT").as_deref(), Some("4442"), "{node}");
        assert_eq!(env(n, "SE_EVENT_BUS_SUBSCRIBE_PORT").as_deref(), Some("4443"), "{node}");
        assert_eq!(
            env(n, "SE_NODE_ENABLE_MANAGED_DOWNLOADS").as_deref(),
            Some("true"),
            "{node}: the robot fetches downloads from the node"
        );
        assert_eq!(n["depends_on"]["hub"]["condition"].as_str(), Some("service_healthy"));
    }
    assert_eq!(c["services"]["portal"]["build"].as_str(), Some("."));
    let dockerfile = std::fs::read_to_string("Dockerfile").unwrap();
    assert_eq!(
        dockerfile.matches("\nFROM ").count() + usize::from(dockerfile.starts_with("FROM ")),
        2
    );
    assert!(dockerfile.contains("COPY --from=build"), "a multi-stage build");
}

#[test]
fn compose_commands_are_valid_robot_command_lines() {
    let c = compose();
    for service in ["portal", "robot", "scheduler"] {
        let mut argv = vec!["postnl-robot".to_string()];
        argv.extend(command(&c["services"][service]));
        if let Err(e) = postnl_robot::cli::Cli::try_parse_from(&argv) {
            panic!("{service}: {e}");
        }
    }
    let robot = command(&c["services"]["robot"]);
    let flow = &robot[1];
    assert!(
        std::path::Path::new(flow).is_file(),
        "{flow} exists in the repo (copied into the image)"
    );
    let at = |flag: &str| robot[robot.iter().position(|a| a == flag).unwrap() + 1].clone();
    assert_eq!(at("--webdriver"), "http://hub:4444");
    assert_eq!(at("--base-url"), "http://portal:8080");
    assert_eq!(at("--browser"), "chromium");
    // The run folder (with the PDF fetched from the node) lands on the host.
    let out = at("--out");
    let vols: Vec<&str> = c["services"]["robot"]["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(
        vols.iter().any(|v| v.ends_with(":/runs") && out.starts_with("/runs/")),
        "{vols:?}"
    );
    assert_eq!(
        c["services"]["robot"]["depends_on"]["hub"]["condition"].as_str(),
        Some("service_healthy")
    );
    // Secrets come from the environment, never from the command line.
    assert!(!robot.iter().any(|a| a.contains("Wachtwoord") || a.contains('@')));
}

#[test]
fn the_scheduler_runs_the_shipped_schedule_file_against_the_replica() {
    let c = compose();
    let scheduler = &c["services"]["scheduler"];
    let cmd = command(scheduler);
    assert_eq!(cmd[0], "schedule");
    let file = std::path::Path::new(&cmd[1]);
    let schedule = postnl_robot::schedule::load(file).expect("the schedule file checks");
    assert!(!schedule.jobs.is_empty());
    for job in &schedule.jobs {
        assert!(job.flow.is_file(), "{}: {:?}", job.name, job.flow);
        postnl_robot::flow::load(&job.flow).expect("the job's flow loads");
        assert_eq!(job.base_url.as_deref(), Some("http://portal:8080"));
        assert!(job.out.starts_with("/runs/"), "{:?}", job.out);
    }
    let at = |flag: &str| cmd[cmd.iter().position(|a| a == flag).unwrap() + 1].clone();
    assert_eq!(at("--webdriver"), "http://hub:4444");
    // Its run folders are on the host.
    let vols: Vec<&str> = scheduler["volumes"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(vols.contains(&"./runs:/runs"), "{vols:?}");
    // Not started by a plain `docker compose up robot`; secrets from the environment only.
    assert_eq!(scheduler["profiles"][0].as_str(), Some("scheduler"));
    assert!(!cmd.iter().any(|a| a.contains("Wachtwoord") || a.contains('@')));
    let dockerfile = std::fs::read_to_string("Dockerfile").unwrap();
    assert!(
        dockerfile.contains("COPY deploy /app/deploy"),
        "the image holds the schedule file"
    );
}
