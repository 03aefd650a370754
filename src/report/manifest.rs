//! `manifest.sha256`: the SHA-256 of every file in the run folder (except the manifest itself),
//! in `sha256sum` format, so a hand-over can be checked later with `sha256sum -c manifest.sha256`.

use std::io::Read;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::{write_file, ReportError};

/// File name of the manifest inside the run folder.
pub const MANIFEST_FILE: &str = "manifest.sha256";

/// The SHA-256 of a file as lowercase hex, or `None` when it cannot be read.
pub fn sha256_file(path: &Path) -> Option<String> {
    let mut file = std::fs::File::open(path).ok()?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Some(hex(&hasher.finalize()))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Every regular file under `dir` (recursively, symlinks not followed), relative to `dir`,
/// sorted, with `/` separators.
fn files(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, at: &Path, out: &mut Vec<String>) {
        let Ok(entries) = std::fs::read_dir(at) else { return };
        for e in entries.flatten() {
            let Ok(ty) = e.file_type() else { continue };
            let path = e.path();
            if ty.is_dir() {
                walk(root, &path, out);
            } else if ty.is_file() {
                if let Ok(rel) = path.strip_prefix(root) {
                    let parts: Vec<String> = rel
                        .components()
                        .map(|c| c.as_os_str().to_string_lossy().into_owned())
                        .collect();
                    out.push(parts.join("/"));
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The manifest's text for `dir`: one `<hex>  <path>` line per file (the manifest left out).
/// File names with a newline or backslash are left out (sha256sum would escape them).
pub fn manifest(dir: &Path) -> String {
    let mut text = String::new();
    for rel in files(dir) {
        if rel == MANIFEST_FILE || rel.contains(['\n', '\r', '\\']) {
            continue;
        }
        if let Some(sum) = sha256_file(&dir.join(&rel)) {
            text.push_str(&format!("{sum}  {rel}\n"));
        }
    }
    text
}

/// Writes `dir/manifest.sha256`; call it last, when every other file of the run is written.
pub fn write_manifest(dir: &Path) -> Result<PathBuf, ReportError> {
    write_file(dir, MANIFEST_FILE, manifest(dir).as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_every_file_but_itself_and_sha256sum_agrees() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("downloads")).unwrap();
        std::fs::write(dir.path().join("a.png"), b"abc").unwrap();
        std::fs::write(dir.path().join("downloads/r 1.pdf"), b"%PDF-").unwrap();
        std::fs::write(dir.path().join(MANIFEST_FILE), b"old").unwrap();
        write_manifest(dir.path()).unwrap();
        let text = std::fs::read_to_string(dir.path().join(MANIFEST_FILE)).unwrap();
        let pdf_sum = sha256_file(&dir.path().join("downloads/r 1.pdf")).unwrap();
        assert_eq!(
            text.lines().collect::<Vec<_>>(),
            vec![
                "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  a.png".to_string(),
                format!("{pdf_sum}  downloads/r 1.pdf"),
            ]
        );
        let ok = std::process::Command::new("sha256sum")
            .args(["-c", "--strict", MANIFEST_FILE])
            .current_dir(dir.path())
            .output()
            .expect("sha256sum runs");
        assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stdout));
        std::fs::write(dir.path().join("a.png"), b"abd").unwrap();
        let bad = std::process::Command::new("sha256sum")
            .args(["-c", MANIFEST_FILE])
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(!bad.status.success(), "a changed file must fail the check");
    }
}
