//! Unpacking the zip archive Selenium Grid sends a managed download in: stored or deflated
//! entries, read through the central directory. Refused: entries whose path is absolute or climbs
//! out with `..`, symbolic links, and archives that unpack to more than [`MAX_TOTAL`] bytes.

use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

/// The most an archive may unpack to (a PDF of the portal is a few kB).
const MAX_TOTAL: u64 = 512 * 1024 * 1024;

/// Why an archive was not unpacked.
#[derive(Debug, thiserror::Error)]
pub(crate) enum UnzipError {
    #[error("not a zip archive ({0})")]
    Malformed(&'static str),
    #[error("refused archive entry {0:?}: {1}")]
    Refused(String, &'static str),
    #[error("archive entry {0:?} uses an unsupported compression method {1}")]
    Method(String, u16),
    #[error("the archive unpacks to more than {} MiB", MAX_TOTAL / 1024 / 1024)]
    TooLarge,
    #[error("cannot write {0}: {1}")]
    Write(PathBuf, std::io::Error),
}

fn u16_at(b: &[u8], at: usize) -> Result<u16, UnzipError> {
    b.get(at..at + 2)
        .map(|s| u16::from_le_bytes([s[0], s[1]]))
        .ok_or(UnzipError::Malformed("truncated"))
}

fn u32_at(b: &[u8], at: usize) -> Result<u32, UnzipError> {
    b.get(at..at + 4)
        .map(|s| u32::from_le_bytes([s[0], s[1], s[2], s[3]]))
        .ok_or(UnzipError::Malformed("truncated"))
}

/// Unpacks every file of `zip` into `dir` (which exists); answers their paths.
pub(crate) fn extract(zip: &[u8], dir: &Path) -> Result<Vec<PathBuf>, UnzipError> {
    const EOCD: u32 = 0x0605_4b50;
    const CENTRAL: u32 = 0x0201_4b50;
    const LOCAL: u32 = 0x0403_4b50;
    let eocd = (0..zip.len().saturating_sub(21))
        .rev()
        .take(65_557)
        .find(|&i| u32_at(zip, i).is_ok_and(|s| s == EOCD))
        .ok_or(UnzipError::Malformed("no end of central directory"))?;
    let entries = u16_at(zip, eocd + 10)? as usize;
    let mut at = u32_at(zip, eocd + 16)? as usize;
    let mut total = 0u64;
    let mut written = Vec::new();
    for _ in 0..entries {
        if u32_at(zip, at)? != CENTRAL {
            return Err(UnzipError::Malformed("bad central directory"));
        }
        let method = u16_at(zip, at + 10)?;
        let packed = u32_at(zip, at + 20)? as usize;
        let size = u32_at(zip, at + 24)? as u64;
        let name_len = u16_at(zip, at + 28)? as usize;
        let extra_len = u16_at(zip, at + 30)? as usize;
        let comment_len = u16_at(zip, at + 32)? as usize;
        let external = u32_at(zip, at + 38)?;
        let local = u32_at(zip, at + 42)? as usize;
        let name_bytes = zip
            .get(at + 46..at + 46 + name_len)
            .ok_or(UnzipError::Malformed("truncated"))?;
        let name = String::from_utf8_lossy(name_bytes).into_owned();
        at += 46 + name_len + extra_len + comment_len;

        let rel = safe_path(&name)?;
        let mode = external >> 16;
        if mode & 0o170000 == 0o120000 {
            return Err(UnzipError::Refused(name, "a symbolic link"));
        }
        if name.ends_with('/') {
            continue;
        }
        total += size;
        if total > MAX_TOTAL {
            return Err(UnzipError::TooLarge);
        }
        if u32_at(zip, local)? != LOCAL {
            return Err(UnzipError::Malformed("bad local header"));
        }
        let start = local + 30 + u16_at(zip, local + 26)? as usize + u16_at(zip, local + 28)? as usize;
        let data = zip
            .get(start..start + packed)
            .ok_or(UnzipError::Malformed("truncated"))?;
        let bytes = match method {
            0 => data.to_vec(),
            8 => {
                let mut out = Vec::with_capacity(size as usize);
                flate2::read::DeflateDecoder::new(data)
                    .take(MAX_TOTAL + 1)
                    .read_to_end(&mut out)
                    .map_err(|_| UnzipError::Malformed("bad deflate data"))?;
                out
            }
            m => return Err(UnzipError::Method(name, m)),
        };
        let path = dir.join(&rel);
        write_new(&path, &bytes).map_err(|e| UnzipError::Write(path.clone(), e))?;
        written.push(path);
    }
    Ok(written)
}

/// The entry's path, relative and inside the folder: no root, no drive, no `..`.
fn safe_path(name: &str) -> Result<PathBuf, UnzipError> {
    let refused = |why| UnzipError::Refused(name.to_string(), why);
    if name.is_empty() || name.contains('\\') || name.contains('\0') {
        return Err(refused("not a plain relative path"));
    }
    let mut rel = PathBuf::new();
    for c in Path::new(name).components() {
        match c {
            Component::Normal(part) => rel.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err(refused("climbs out with ..")),
            Component::RootDir | Component::Prefix(_) => return Err(refused("an absolute path")),
        }
    }
    if rel.as_os_str().is_empty() {
        return Err(refused("not a plain relative path"));
    }
    Ok(rel)
}

/// Writes `bytes` to `path` (creating its folders), never through a symbolic link planted there.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .custom_flags(libc::O_NOFOLLOW)
        .open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A zip of stored entries: (name, unix mode, contents).
    fn zip(entries: &[(&str, u32, &[u8])]) -> Vec<u8> {
        let mut out = Vec::new();
        let mut central = Vec::new();
        for (name, mode, data) in entries {
            let offset = out.len() as u32;
            let crc = 0u32;
            out.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
            out.extend_from_slice(&[20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            out.extend_from_slice(&crc.to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(data.len() as u32).to_le_bytes());
            out.extend_from_slice(&(name.len() as u16).to_le_bytes());
            out.extend_from_slice(&0u16.to_le_bytes());
            out.extend_from_slice(name.as_bytes());
            out.extend_from_slice(data);
            central.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            central.extend_from_slice(&[20, 3, 20, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
            central.extend_from_slice(&crc.to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(data.len() as u32).to_le_bytes());
            central.extend_from_slice(&(name.len() as u16).to_le_bytes());
            central.extend_from_slice(&[0; 8]);
            central.extend_from_slice(&(mode << 16).to_le_bytes());
            central.extend_from_slice(&offset.to_le_bytes());
            central.extend_from_slice(name.as_bytes());
        }
        let cd_offset = out.len() as u32;
        out.extend_from_slice(&central);
        out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        out.extend_from_slice(&[0, 0, 0, 0]);
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(entries.len() as u16).to_le_bytes());
        out.extend_from_slice(&(central.len() as u32).to_le_bytes());
        out.extend_from_slice(&cd_offset.to_le_bytes());
        out.extend_from_slice(&0u16.to_le_bytes());
        out
    }

    #[test]
    fn a_plain_file_is_unpacked() {
        let dir = tempfile::tempdir().unwrap();
        let files = extract(&zip(&[("a.pdf", 0o100644, b"%PDF-1.4")]), dir.path()).unwrap();
        assert_eq!(files, vec![dir.path().join("a.pdf")]);
        assert_eq!(std::fs::read(&files[0]).unwrap(), b"%PDF-1.4");
    }

    #[test]
    fn climbing_absolute_and_linked_entries_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        for (name, mode) in [
            ("../x.pdf", 0o100644),
            ("/tmp/x.pdf", 0o100644),
            ("a/../../x", 0o100644),
        ] {
            let e = extract(&zip(&[(name, mode, b"x")]), dir.path()).unwrap_err();
            assert!(matches!(e, UnzipError::Refused(..)), "{name}: {e}");
        }
        let e = extract(&zip(&[("link.pdf", 0o120777, b"/etc/passwd")]), dir.path()).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "nothing was written");
        assert!(extract(b"not a zip at all, just text", dir.path()).is_err());
    }
}
