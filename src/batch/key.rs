//! Row identity: a stable short hash of a row's parameter values.

use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fmt;

/// Hex digits kept from the SHA-256 (64 bits: collisions are not a concern for batches).
const KEY_HEX_LEN: usize = 16;

/// A row's identity: the same parameter values give the same key, whatever the row's position,
/// the column order or the CSV's encoding and delimiter.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(transparent)]
pub struct RowKey(String);

impl RowKey {
    /// The key of these parameter values (name → value; names are sorted by the map).
    ///
    /// Canonical encoding: for each pair, the name's and the value's byte lengths as 8-byte
    /// little-endian integers, each followed by its bytes. Length prefixes keep
    /// `a=bc` and `ab=c` apart.
    pub fn of(params: &BTreeMap<String, String>) -> RowKey {
        let mut h = Sha256::new();
        for (name, value) in params {
            for part in [name, value] {
                h.update((part.len() as u64).to_le_bytes());
                h.update(part.as_bytes());
            }
        }
        RowKey(hex(&h.finalize())[..KEY_HEX_LEN].to_string())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RowKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The SHA-256 of `bytes` as lowercase hex (used for the CSV's fingerprint in the journal).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn key_is_stable_and_short() {
        let k = RowKey::of(&map(&[("klantnummer", "12345678"), ("gebruiker", "Jan Jansen")]));
        assert_eq!(k.as_str().len(), 16);
        assert!(k.as_str().chars().all(|c| c.is_ascii_hexdigit()));
        // Insertion order does not matter.
        let again = RowKey::of(&map(&[("gebruiker", "Jan Jansen"), ("klantnummer", "12345678")]));
        assert_eq!(k, again);
        // A fixed value guards the canonical encoding against accidental change (journals
        // written by one version must resume in the next).
        // sha256(01 00 00 00 00 00 00 00 'a' 01 00 00 00 00 00 00 00 'b'), first 16 hex digits.
        assert_eq!(RowKey::of(&map(&[("a", "b")])).as_str(), "cf6ab613e3942391");
    }

    #[test]
    fn different_values_or_splits_give_different_keys() {
        let a = RowKey::of(&map(&[("a", "bc")]));
        let b = RowKey::of(&map(&[("ab", "c")]));
        let c = RowKey::of(&map(&[("a", "bd")]));
        assert_ne!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn sha256_matches_known_vector() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
