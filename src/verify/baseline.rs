//! The baseline on disk: one folder per browser and viewport, and in it per step a fingerprint
//! (`NN-step-slug.json`) and the step's screenshot (`NN-step-slug.png`):
//!
//! ```text
//! baseline/
//!   chromium-1280x900/
//!     01-stap-1-log-in-op-mijnpostnl.json
//!     01-stap-1-log-in-op-mijnpostnl.png
//!     …
//! ```
//!
//! The JSON is small and diffs well as text: one line per touched element and per labelled thing
//! around them, in page order.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::run::fingerprint::StepFingerprint;

/// Version of the baseline file layout.
pub const FORMAT: u32 = 1;

/// One step's baseline file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaselineStep {
    pub format: u32,
    /// The flow's name.
    pub flow: String,
    /// 1-based position of the step in the flow.
    pub index: usize,
    /// The step's title.
    pub step: String,
    #[serde(flatten)]
    pub print: StepFingerprint,
}

/// Reading or writing the baseline failed.
#[derive(Debug, thiserror::Error)]
pub enum BaselineError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write {}: {source}", path.display())]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{} is not a baseline file: {source}", path.display())]
    Invalid {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
}

/// The baseline folder of one browser and viewport.
#[derive(Debug, Clone)]
pub struct Baseline {
    pub dir: PathBuf,
}

impl Baseline {
    /// `root/<key>`, e.g. `baseline/chromium-1280x900`.
    pub fn new(root: &Path, key: &str) -> Self {
        Baseline { dir: root.join(key) }
    }

    /// The file stem of a step: `04-stap-4-selecteer-…`.
    pub fn stem(index: usize, title: &str) -> String {
        format!("{index:02}-{}", crate::run::executor::slug(title))
    }

    /// The stem of the stored step `index` (`NN-…`), whatever its title was then.
    pub fn find(&self, index: usize) -> Option<String> {
        let prefix = format!("{index:02}-");
        let mut stems: Vec<String> = std::fs::read_dir(&self.dir)
            .ok()?
            .filter_map(Result::ok)
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .filter_map(|n| n.strip_suffix(".json").map(str::to_string))
            .filter(|n| n.starts_with(&prefix))
            .collect();
        stems.sort();
        stems.into_iter().next()
    }

    /// Reads the step stored under `stem`.
    pub fn read(&self, stem: &str) -> Result<BaselineStep, BaselineError> {
        let path = self.dir.join(format!("{stem}.json"));
        let text = std::fs::read_to_string(&path).map_err(|source| BaselineError::Read {
            path: path.clone(),
            source,
        })?;
        serde_json::from_str(&text).map_err(|source| BaselineError::Invalid { path, source })
    }

    /// The stored screenshot of `stem`, if there is one.
    pub fn screenshot(&self, stem: &str) -> Option<Vec<u8>> {
        std::fs::read(self.dir.join(format!("{stem}.png"))).ok()
    }

    /// Removes the stored files of step `index` (any title).
    pub fn remove(&self, index: usize) -> Result<(), BaselineError> {
        let prefix = format!("{index:02}-");
        let Ok(entries) = std::fs::read_dir(&self.dir) else {
            return Ok(());
        };
        for e in entries.filter_map(Result::ok) {
            let name = e.file_name().to_string_lossy().into_owned();
            let ours = name.ends_with(".json") || name.ends_with(".png");
            if ours && name.starts_with(&prefix) {
                let path = e.path();
                std::fs::remove_file(&path).map_err(|source| BaselineError::Write { path, source })?;
            }
        }
        Ok(())
    }

    /// Writes a step's fingerprint and screenshot; answers the file names (relative to the
    /// baseline root, i.e. `<key>/NN-….json`).
    pub fn write(&self, step: &BaselineStep, png: Option<&[u8]>) -> Result<Vec<PathBuf>, BaselineError> {
        std::fs::create_dir_all(&self.dir).map_err(|source| BaselineError::Write {
            path: self.dir.clone(),
            source,
        })?;
        let stem = Self::stem(step.index, &step.step);
        let json = self.dir.join(format!("{stem}.json"));
        std::fs::write(&json, to_text(step)).map_err(|source| BaselineError::Write {
            path: json.clone(),
            source,
        })?;
        let mut out = vec![json];
        if let Some(png) = png {
            let path = self.dir.join(format!("{stem}.png"));
            std::fs::write(&path, png).map_err(|source| BaselineError::Write {
                path: path.clone(),
                source,
            })?;
            out.push(path);
        }
        Ok(out)
    }
}

/// The file's text: pretty JSON with one line per element (text-diffable), keys in a fixed order.
pub fn to_text(step: &BaselineStep) -> String {
    fn json<T: Serialize>(v: &T) -> String {
        serde_json::to_string(v).unwrap_or_default()
    }
    fn list<T: Serialize>(items: &[T]) -> String {
        if items.is_empty() {
            return "[]".into();
        }
        let lines: Vec<String> = items.iter().map(|i| format!("    {}", json(i))).collect();
        format!("[\n{}\n  ]", lines.join(",\n"))
    }
    let p = &step.print;
    let mut fields = vec![
        ("format", json(&step.format)),
        ("flow", json(&step.flow)),
        ("index", json(&step.index)),
        ("step", json(&step.step)),
        ("path", json(&p.path)),
        ("title", json(&p.title)),
        ("targets", list(&p.targets)),
        ("context", list(&p.context)),
    ];
    if !p.masks.is_empty() {
        fields.push(("masks", list(&p.masks)));
    }
    let body: Vec<String> = fields.iter().map(|(k, v)| format!("  \"{k}\": {v}")).collect();
    format!("{{\n{}\n}}\n", body.join(",\n"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browser::fingerprint::Item;
    use crate::run::fingerprint::Target;

    #[test]
    fn a_step_round_trips_with_one_line_per_element() {
        let dir = tempfile::tempdir().unwrap();
        let b = Baseline::new(dir.path(), "chromium-1280x900");
        let step = BaselineStep {
            format: FORMAT,
            flow: "f".into(),
            index: 4,
            step: "Stap 4. Selecteer 'autorisaties voor gebruiker'".into(),
            print: StepFingerprint {
                path: "/apex/bpg_my_account".into(),
                title: "Autorisaties".into(),
                targets: vec![Target {
                    action: "check label \"E-commerce inzichten\"".into(),
                    role: "checkbox".into(),
                    name: "E-commerce inzichten".into(),
                }],
                context: vec![
                    Item {
                        role: "checkbox".into(),
                        name: "Notificaties".into(),
                        group: "Pakketten & Vracht".into(),
                    },
                    Item {
                        role: "button".into(),
                        name: "Opslaan".into(),
                        group: String::new(),
                    },
                ],
                masks: vec![],
            },
        };
        let files = b.write(&step, Some(b"png")).unwrap();
        assert!(files[0].ends_with("chromium-1280x900/04-stap-4-selecteer-autorisaties-voor-gebruiker.json"));
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            text.contains("    {\"role\":\"checkbox\",\"name\":\"Notificaties\",\"group\":\"Pakketten & Vracht\"},\n"),
            "{text}"
        );
        let stem = b.find(4).unwrap();
        assert_eq!(b.read(&stem).unwrap(), step);
        assert_eq!(b.screenshot(&stem).unwrap(), b"png");
        b.remove(4).unwrap();
        assert!(b.find(4).is_none());
    }
}
