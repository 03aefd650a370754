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

#[test]
fn compose_has_the_browser_the_replica_and_the_robot() {
    let c = compose();
    let services = c["services"].as_mapping().unwrap();
    let names: Vec<&str> = services.keys().map(|k| k.as_str().unwrap()).collect();
    assert_eq!(names, ["selenium", "portal", "robot", "scheduler"]);
    assert!(c["services"]["selenium"]["image"]
        .as_str()
        .unwrap()
        .starts_with("selenium/standalone-chromium"));
    assert_eq!(c["services"]["portal"]["build"].as_str(), Some("."));
    assert!(std::path::Path::new("Dockerfile").is_file());
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
    assert_eq!(at("--webdriver"), "http://selenium:4444");
    assert_eq!(at("--base-url"), "http://portal:8080");
    // The browser's downloads land in the robot's run folder through the same volume.
    let out = at("--out");
    for service in ["selenium", "robot"] {
        let vols: Vec<&str> = c["services"][service]["volumes"]
            .as_sequence()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert!(
            vols.iter().any(|v| v.ends_with(":/runs") && out.starts_with("/runs/")),
            "{service}: {vols:?}"
        );
    }
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
    assert_eq!(at("--webdriver"), "http://selenium:4444");
    // Its run folders are on the shared volume (the browser's downloads land there too).
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
