//! Fuzzing the flow loader (parse → include → validate → inline) and binding: no input panics.
//! Arbitrary text, and TOML-shaped text built from the flow language's own keys with hostile
//! values (NaN, 1e300, huge integers, `${`, absolute and `..` includes, deep nesting). The case
//! counts are bounded so that the whole file runs in a few seconds.

use std::path::{Path, PathBuf};

use proptest::prelude::*;
use proptest::test_runner::Config;

use postnl_robot::flow::{self, bind, lang};

/// A folder with a flow, a sub-flow and a handler file that generated flows may include.
fn folder() -> &'static Path {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        std::fs::write(
            dir.join("sub.toml"),
            "name = \"sub\"\ntitle = \"Sub\"\n[secrets.password]\nenv = \"PW\"\n[[steps]]\ntitle = \"S\"\nphase = \"session\"\n  [[steps.actions]]\n  read = { role = \"heading\" }\n  into = \"kop\"\n",
        )
        .unwrap();
        std::fs::write(
            dir.join("handlers.toml"),
            "[[handlers]]\nname = \"h\"\nwhen = { text = \"x\" }\n  [[handlers.actions]]\n  click = { text = \"x\" }\n",
        )
        .unwrap();
        std::fs::write(dir.join("self.toml"), "[[steps]]\ntitle = \"x\"\ninclude = \"self.toml\"\n").unwrap();
        dir
    })
}

/// Loads `text` as a flow in the fuzz folder and, when it loads, binds it.
fn load_and_bind(text: &str, params: &[(String, String)]) {
    let path = folder().join("flow.toml");
    match flow::parse_str(&path, text) {
        Ok(f) => {
            for a in f.steps.iter().flat_map(|s| &s.actions).flat_map(|a| a.walk()) {
                let _ = a.to_string();
            }
            let env = |k: &str| match k {
                "PW" => Some("Wachtw00rd".to_string()),
                "EMPTY" => Some(String::new()),
                _ => None,
            };
            if let Ok(vars) = bind::bind(&f, params, &env, false) {
                for a in f.steps.iter().flat_map(|s| &s.actions) {
                    if let flow::ActionKind::Goto(t) = &a.kind {
                        let _ = vars.render(t);
                    }
                }
            }
        }
        Err(e) => {
            let _ = e.render();
            let _ = e.to_string();
        }
    }
}

fn scalar() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("nan".to_string()),
        Just("inf".to_string()),
        Just("-inf".to_string()),
        Just("1e300".to_string()),
        Just("-1".to_string()),
        Just("0".to_string()),
        Just("0.5".to_string()),
        Just("10000000000000000000".to_string()),
        Just("0x7fffffffffffffff".to_string()),
        Just("true".to_string()),
        Just("1979-05-27T07:32:00Z".to_string()),
        Just("\"${password}\"".to_string()),
        Just("\"${\"".to_string()),
        Just("\"${kop}${}\"".to_string()),
        Just("\"/proc/self/environ\"".to_string()),
        Just("\"../sub.toml\"".to_string()),
        Just("\"sub.toml\"".to_string()),
        Just("\"handlers.toml\"".to_string()),
        Just("\"self.toml\"".to_string()),
        Just("\"Wachtw00rd\"".to_string()),
        Just("[]".to_string()),
        Just("{}".to_string()),
        "[a-z_${}]{0,12}".prop_map(|s| format!("{s:?}")),
        "\\PC{0,8}".prop_map(|s| format!("{s:?}")),
        any::<f64>().prop_map(|f| format!("{f:?}")),
        any::<i64>().prop_map(|i| i.to_string()),
    ]
}

/// A key from the flow language (or a near miss), so that generated tables reach deep checks.
fn key() -> impl Strategy<Value = String> {
    let words: Vec<&'static str> = lang::TOP_KEYS
        .iter()
        .chain(lang::STEP_KEYS)
        .chain(lang::ACTIONS)
        .chain(lang::COMPANIONS.iter().map(|(c, _)| c))
        .chain(lang::MODIFIERS)
        .chain(lang::LOCATOR_KEYS)
        .chain(lang::CONDITION_KEYS)
        .chain(lang::EXPECT_KEYS)
        .chain(lang::SELECT_KEYS)
        .chain(lang::PARAM_KEYS)
        .chain(lang::SECRET_KEYS)
        .copied()
        .chain(["clik", "\"a b\"", "é"])
        .collect();
    proptest::sample::select(words).prop_map(str::to_string)
}

/// An inline TOML value: scalars, arrays and tables of keys from the language, nested.
fn value() -> impl Strategy<Value = String> {
    scalar().prop_recursive(4, 32, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(|v| format!("[{}]", v.join(", "))),
            proptest::collection::vec((key(), inner), 0..4).prop_map(|kv| {
                let body: Vec<String> = kv.into_iter().map(|(k, v)| format!("{k} = {v}")).collect();
                format!("{{ {} }}", body.join(", "))
            }),
        ]
    })
}

fn table_body() -> impl Strategy<Value = String> {
    proptest::collection::vec((key(), value()), 0..5)
        .prop_map(|kv| kv.into_iter().map(|(k, v)| format!("{k} = {v}\n")).collect::<String>())
}

/// A TOML document shaped like a flow: a head, params/secrets/handlers, steps with actions.
fn flowish() -> impl Strategy<Value = String> {
    let header = prop_oneof![
        Just("[[steps]]"),
        Just("[[steps.actions]]"),
        Just("[[steps.actions.then]]"),
        Just("[[handlers]]"),
        Just("[[handlers.actions]]"),
        Just("[params.klantnummer]"),
        Just("[secrets.password]"),
        Just("[steps]"),
    ];
    (table_body(), proptest::collection::vec((header, table_body()), 0..8)).prop_map(|(head, tables)| {
        let mut s = format!("name = \"f\"\ntitle = \"F\"\n{head}");
        for (h, body) in tables {
            s.push_str(&format!("{h}\n{body}"));
        }
        s
    })
}

/// A step of valid actions, each with hostile modifiers and companions: reaches the checks that
/// run only once an action parsed.
fn steps() -> impl Strategy<Value = String> {
    let action = prop_oneof![
        Just("click = { text = \"Opslaan\" }"),
        Just("wait_for = { text = \"Tegel\" }"),
        Just("if = { visible = { text = \"x\" } }\n  then = [{ reload = true }]"),
        Just("fill = { label = \"Wachtwoord\" }\n  with = \"${password}\""),
        Just("screenshot = \"na-${kop}\""),
        Just("read = { role = \"heading\" }\n  into = \"kop\""),
        Just("goto = \"/${klantnummer}\""),
    ];
    let modifier = prop_oneof![
        Just("timeout"),
        Just("reload_every"),
        Just("optional"),
        Just("commits"),
        Just("note"),
        Just("with"),
        Just("into")
    ];
    let one = (action, proptest::collection::vec((modifier, scalar()), 0..3)).prop_map(|(a, mods)| {
        let mods: String = mods.into_iter().map(|(k, v)| format!("  {k} = {v}\n")).collect();
        format!("  [[steps.actions]]\n  {a}\n{mods}")
    });
    let include = prop_oneof![Just(String::new()), scalar().prop_map(|v| format!("include = {v}\n"))];
    proptest::collection::vec((include, proptest::collection::vec(one, 0..4)), 1..4).prop_map(|steps| {
        steps
            .into_iter()
            .enumerate()
            .map(|(i, (inc, actions))| format!("[[steps]]\ntitle = \"S{i}\"\n{inc}{}", actions.concat()))
            .collect()
    })
}

fn params() -> impl Strategy<Value = Vec<(String, String)>> {
    proptest::collection::vec(
        (
            prop_oneof![
                Just("klantnummer".to_string()),
                Just("password".to_string()),
                "\\PC{0,6}"
            ],
            "\\PC{0,10}",
        ),
        0..3,
    )
}

proptest! {
    #![proptest_config(Config { cases: 1500, failure_persistence: None, ..Config::default() })]

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,400}", p in params()) {
        load_and_bind(&text, &p);
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..400)) {
        load_and_bind(&String::from_utf8_lossy(&bytes), &[]);
    }

    #[test]
    fn flow_shaped_text_never_panics(text in flowish(), p in params()) {
        load_and_bind(&text, &p);
    }

    #[test]
    fn steps_with_hostile_modifiers_never_panic(head in table_body(), steps in steps(), p in params()) {
        let text = format!("name = \"f\"\ntitle = \"F\"\n[params.klantnummer]\n[secrets.password]\nenv = \"PW\"\n{head}{steps}");
        load_and_bind(&text, &p);
    }

    #[test]
    fn valid_flow_with_a_mutated_line_never_panics(line in 0usize..30, replacement in "\\PC{0,30}", cut in 0usize..2) {
        let base = std::fs::read_to_string("flows/autoriseren-ecommerce-inzichten.toml").unwrap();
        let mut lines: Vec<String> = base.lines().map(str::to_string).collect();
        let i = line % lines.len();
        if cut == 0 {
            lines[i] = replacement;
        } else {
            lines.insert(i, replacement);
        }
        load_and_bind(&lines.join("\n"), &[("klantnummer".into(), "9401138".into())]);
    }
}
