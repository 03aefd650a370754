//! The flow language end to end: the shipped flows load with the guide's structure; every
//! malformed file under `tests/flows_failed/` fails with exactly its `expected.err`; binding names
//! every missing input at once.

use std::path::{Path, PathBuf};

use postnl_robot::flow::bind::{bind, bind_with, BindProblem};
use postnl_robot::flow::{self, ActionKind, By, Condition, Phase};

const SHIPPED: &str = "flows/autoriseren-ecommerce-inzichten.toml";

#[test]
fn shipped_flows_check_clean() {
    let (out, ok) = flow::check(&[PathBuf::from(SHIPPED), PathBuf::from("flows/login.toml")]);
    assert!(ok, "{out}");
    assert_eq!(
        out,
        "ok: flows/autoriseren-ecommerce-inzichten.toml (5 steps, 33 actions)\n\
         ok: flows/login.toml (1 step, 11 actions)\n"
    );
}

#[test]
fn shipped_flow_has_the_guides_structure() {
    let f = flow::load(Path::new(SHIPPED)).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(f.name, "autoriseren-ecommerce-inzichten");
    assert_eq!(f.base_url.as_deref(), Some("https://mijn.postnl.nl"));
    let titles: Vec<&str> = f.steps.iter().map(|s| s.title.as_str()).collect();
    assert_eq!(
        titles,
        [
            "Stap 1. Log in op MijnPostNL",
            "Stap 2. Ga naar 'Mijn Account'",
            "Stap 3. Ga naar 'Autorisaties'",
            "Stap 4. Selecteer 'autorisaties voor gebruiker'",
            "Stap 5. Nadat de gebruiker geautoriseerd is",
        ]
    );
    let phases: Vec<Phase> = f.steps.iter().map(|s| s.phase).collect();
    assert_eq!(phases, [Phase::Session, Phase::Row, Phase::Row, Phase::Row, Phase::Row]);

    // Stap 1 is the login sub-flow, inlined: its actions, params/secrets and handlers merged.
    let login = flow::load(Path::new("flows/login.toml")).unwrap();
    let stap1 = &f.steps[0];
    assert_eq!(stap1.actions.len(), login.steps[0].actions.len());
    assert!(matches!(&stap1.actions[0].kind, ActionKind::Goto(t) if t.raw == "/"));
    assert!(matches!(stap1.actions.last().unwrap().kind, ActionKind::Expect(_)));
    assert_eq!(stap1.guide_url.as_deref(), Some("mijn.postnl.nl"));
    let params: Vec<&str> = f.params.iter().map(|p| p.name.as_str()).collect();
    assert_eq!(params, ["klantnummer", "gebruiker"]);
    let secrets: Vec<(&str, &str, bool)> = f
        .secrets
        .iter()
        .map(|s| (s.name.as_str(), s.env.as_str(), s.optional))
        .collect();
    assert_eq!(
        secrets,
        [
            ("email", "POSTNL_EMAIL", false),
            ("password", "POSTNL_PASSWORD", false),
            ("new_password", "POSTNL_NEW_PASSWORD", true),
        ]
    );
    let handlers: Vec<&str> = f.handlers.iter().map(|h| h.name.as_str()).collect();
    assert_eq!(handlers, ["melding sluiten", "cookiemelding"]);

    // Stap 4: ensure-ticked, the committing click, and the read-back.
    let stap4: Vec<String> = f.steps[3].actions.iter().map(|a| a.to_string()).collect();
    assert!(stap4.contains(&r#"check label "E-commerce inzichten""#.to_string()));
    assert!(stap4.contains(&r#"click role button "Opslaan""#.to_string()));
    assert!(stap4.contains(&r#"expect checked label "E-commerce inzichten""#.to_string()));
    let commits: Vec<String> = f
        .steps
        .iter()
        .flat_map(|s| &s.actions)
        .filter(|a| a.commits)
        .map(|a| a.to_string())
        .collect();
    assert_eq!(commits, [r#"click role button "Opslaan""#]);

    // Stap 5 runs only for the logged-in user, with the reason it is skipped otherwise.
    let stap5 = &f.steps[4];
    assert!(matches!(
        &stap5.when,
        Some(Condition::SamePerson(a, b)) if a.raw == "${gebruiker}" && b.raw == "${ingelogde_gebruiker}"
    ));
    assert!(stap5.skip_reason.as_deref().unwrap().contains("andere gebruiker"));
    let wait = stap5
        .actions
        .iter()
        .find(|a| matches!(a.kind, ActionKind::WaitFor { .. }))
        .unwrap();
    assert_eq!(wait.timeout.unwrap().as_secs(), 3600);
    assert!(matches!(
        &stap5.actions.last().unwrap().kind,
        ActionKind::Download { target, expect: Some(flow::FileKind::Pdf) } if matches!(target.by, By::Any(_))
    ));
}

#[test]
fn shipped_flow_binds_from_params_and_environment() {
    let f = flow::load(Path::new(SHIPPED)).unwrap();
    let env = |k: &str| match k {
        "POSTNL_EMAIL" => Some("admin@example.com".to_string()),
        "POSTNL_PASSWORD" => Some("s3cret!".to_string()),
        _ => None,
    };
    let params = [
        ("klantnummer".to_string(), "9401138".to_string()),
        ("gebruiker".to_string(), "GATUser, PostNL (PostNL)".to_string()),
    ];
    let vars = bind(&f, &params, &env, false).unwrap();
    let mut secrets = vars.secret_values();
    secrets.sort();
    assert_eq!(secrets, ["admin@example.com", "s3cret!"]);
    // Displaying an action that types a secret shows the placeholder, never the value.
    let fill = f.steps[0]
        .actions
        .iter()
        .find(|a| a.to_string().contains("${password}"))
        .unwrap();
    assert_eq!(
        fill.to_string(),
        r#"fill any[label "Wachtwoord", placeholder "Wachtwoord"] with ${password}"#
    );
    let ActionKind::Fill { value, .. } = &fill.kind else {
        unreachable!()
    };
    assert!(vars.is_secret_template(value));
    assert_eq!(vars.render(value).unwrap(), "s3cret!");
    assert!(!format!("{vars:?}").contains("s3cret!"));
}

#[test]
fn bind_names_everything_missing_at_once() {
    let f = flow::load(Path::new(SHIPPED)).unwrap();
    let err = bind(&f, &[("gebruikr".to_string(), "x".to_string())], &|_| None, false).unwrap_err();
    assert_eq!(
        err.problems,
        [
            BindProblem::UnknownParam {
                name: "gebruikr".into(),
                suggestion: Some("gebruiker".into()),
                known: vec!["klantnummer".into(), "gebruiker".into()],
            },
            BindProblem::MissingParam {
                name: "klantnummer".into(),
                description: Some("Het klantnummer waarvoor je de gebruiker wil autoriseren".into()),
                example: Some("9401138".into()),
            },
            BindProblem::MissingParam {
                name: "gebruiker".into(),
                description: Some("De gebruiker zoals de portal hem toont".into()),
                example: Some("GATUser, PostNL (PostNL)".into()),
            },
            BindProblem::MissingSecret {
                name: "email".into(),
                env: "POSTNL_EMAIL".into(),
            },
            BindProblem::MissingSecret {
                name: "password".into(),
                env: "POSTNL_PASSWORD".into(),
            },
        ]
    );
    let text = err.to_string();
    assert!(text.contains("did you mean `gebruiker`?"), "{text}");
    assert!(
        text.contains(r#"pass --param "gebruiker=GATUser, PostNL (PostNL)""#),
        "{text}"
    );
    assert!(text.contains("set the environment variable POSTNL_PASSWORD"), "{text}");
    // The optional new password is not demanded up front.
    assert!(!text.contains("POSTNL_NEW_PASSWORD"), "{text}");
}

#[test]
fn bind_prompts_for_a_missing_secret_when_a_terminal_is_attached() {
    let f = flow::load(Path::new(SHIPPED)).unwrap();
    let params = [
        ("klantnummer".to_string(), "9401138".to_string()),
        ("gebruiker".to_string(), "GATUser, PostNL (PostNL)".to_string()),
    ];
    let env = |k: &str| (k == "POSTNL_EMAIL").then(|| "admin@example.com".to_string());
    let mut prompted = Vec::new();
    let mut ask = |s: &flow::SecretDecl| {
        prompted.push(s.env.clone());
        Some("typed".to_string())
    };
    let vars = bind_with(&f, &params, &env, Some(&mut ask)).unwrap();
    assert_eq!(prompted, ["POSTNL_PASSWORD"]);
    assert!(vars.secret_values().contains(&"typed".to_string()));
}

/// Every `tests/flows_failed/<case>/flow.toml` fails `check` with exactly `expected.err`.
/// Set `BLESS=1` to (re)write the expected files after reviewing the output.
#[test]
fn malformed_flows_fail_with_the_expected_errors() {
    let root = Path::new("tests/flows_failed");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("flow.toml").exists())
        .collect();
    cases.sort();
    assert!(cases.len() >= 12, "only {} cases", cases.len());
    let bless = std::env::var_os("BLESS").is_some();
    let mut failures = Vec::new();
    for case in &cases {
        let flow_path = case.join("flow.toml");
        let (out, ok) = flow::check(std::slice::from_ref(&flow_path));
        assert!(!ok, "{} passed check:\n{out}", flow_path.display());
        let expected_path = case.join("expected.err");
        if bless {
            std::fs::write(&expected_path, &out).unwrap();
            continue;
        }
        let expected =
            std::fs::read_to_string(&expected_path).unwrap_or_else(|_| panic!("missing {}", expected_path.display()));
        if out != expected {
            failures.push(format!("--- {}\nexpected:\n{expected}\nactual:\n{out}", case.display()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, text).unwrap();
    path
}

const HANDLERS: &str = "[[handlers]]\nname = \"cookiemelding\"\nwhen = { role = \"button\", name = \"Accepteren\" }\n  [[handlers.actions]]\n  click = { role = \"button\", name = \"Accepteren\" }\n";

#[test]
fn a_handler_file_can_be_included_and_checked_but_not_run() {
    let dir = tempfile::tempdir().unwrap();
    let handlers = write(dir.path(), "gedeeld/handlers.toml", HANDLERS);
    let main = write(
        dir.path(),
        "flow.toml",
        "name = \"f\"\ntitle = \"F\"\n[[steps]]\ntitle = \"Stap 1\"\ninclude = \"gedeeld/handlers.toml\"\n  [[steps.actions]]\n  click = { text = \"Volgende\" }\n",
    );
    let f = flow::load(&main).unwrap_or_else(|e| panic!("{}", e.render()));
    assert_eq!(f.handlers.len(), 1);
    assert_eq!(f.steps[0].actions.len(), 1);
    let (out, ok) = flow::check(std::slice::from_ref(&handlers));
    assert!(ok, "{out}");
    assert!(out.ends_with("(handler file, 1 handler)\n"), "{out}");
    let err = flow::load(&handlers).unwrap_err().render();
    assert!(err.contains("a handler file has no steps to run"), "{err}");
}

#[test]
fn includes_stay_inside_the_flows_folder_and_symlinks_are_resolved() {
    let dir = tempfile::tempdir().unwrap();
    let outside = write(
        dir.path(),
        "buiten/login.toml",
        &std::fs::read_to_string("flows/login.toml").unwrap(),
    );
    let inside = dir.path().join("flow");
    write(
        &inside,
        "echt/login.toml",
        &std::fs::read_to_string("flows/login.toml").unwrap(),
    );
    std::os::unix::fs::symlink(inside.join("echt/login.toml"), inside.join("binnen.toml")).unwrap();
    std::os::unix::fs::symlink(&outside, inside.join("buiten.toml")).unwrap();
    let flow_with = |include: &str| {
        write(
            &inside,
            "flow.toml",
            &format!("name = \"f\"\ntitle = \"F\"\n[[steps]]\ntitle = \"Stap 1\"\ninclude = \"{include}\"\n"),
        )
    };
    // A symlink to a file inside the folder, and a `..` that stays inside, are fine.
    for ok in ["binnen.toml", "echt/../echt/login.toml"] {
        let f = flow::load(&flow_with(ok)).unwrap_or_else(|e| panic!("{ok}: {}", e.render()));
        assert_eq!(f.steps[0].phase, Phase::Session);
    }
    for bad in ["buiten.toml", "../buiten/login.toml", outside.to_str().unwrap()] {
        let err = flow::load(&flow_with(bad)).unwrap_err().render();
        assert!(
            err.contains("must stay inside the flow's folder") || err.contains("must be a path relative"),
            "{bad}: {err}"
        );
        assert!(
            !err.contains("Log in bij Mijn PostNL"),
            "{bad}: the outside file is shown: {err}"
        );
    }
}

#[test]
fn files_beyond_the_size_limit_are_refused_unread() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("groot.toml");
    let file = std::fs::File::create(&path).unwrap();
    file.set_len(flow::lang::MAX_FILE_BYTES + 1).unwrap();
    let err = flow::load(&path).unwrap_err().render();
    assert!(
        err.contains("cannot read flow file: the file is 16.0 MiB: flow files are limited to 16 MiB"),
        "{err}"
    );
}
