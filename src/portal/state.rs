//! The replica's data: users, klantnummers, authorisations and the audit log; the fixed seed;
//! the public JSON view (`GET /__state`); and persistence to a state file (temp file + rename).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::catalog::{self, ECOMMERCE, RIGHT_BEHEREN, RIGHT_KLANTNUMMERINSTELLINGEN};
use super::hash;
use super::{PortalError, DEMO_PASSWORD};

/// Version of the state file layout.
const FILE_VERSION: u32 = 1;

/// A portal user.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct User {
    pub id: String,
    /// The name as the portal lists it, e.g. "GATUser, PostNL (PostNL)".
    pub name: String,
    pub email: String,
    pub rights: Vec<String>,
    pub must_change_password: bool,
    #[serde(default)]
    pub deleted: bool,
    pub password_salt: String,
    pub password_sha256: String,
    #[serde(default)]
    pub last_login: Option<DateTime<Utc>>,
}

impl User {
    /// The name without the organisation suffix, as on the orange menu button: "GATUser, PostNL".
    pub fn display_name(&self) -> &str {
        match self.name.rfind(" (") {
            Some(i) if self.name.ends_with(')') => &self.name[..i],
            _ => &self.name,
        }
    }

    /// Holds both rights needed for the authorisations page.
    pub fn may_manage_authorisations(&self) -> bool {
        [RIGHT_KLANTNUMMERINSTELLINGEN, RIGHT_BEHEREN]
            .iter()
            .all(|r| self.rights.iter().any(|x| x == r))
    }

    pub fn password_matches(&self, password: &str) -> bool {
        hash::same(
            &hash::password_digest(&self.password_salt, password),
            &self.password_sha256,
        )
    }
}

/// A klantnummer (customer number) with its listed name, e.g. "PostNL (9401138)".
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Klantnummer {
    pub number: String,
    pub name: String,
}

/// One audit log entry.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuditEntry {
    /// Listed name of the user who made the change.
    pub who: String,
    pub what: String,
    pub when: DateTime<Utc>,
    /// For a save of the authorisations page: what was saved (also when nothing changed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub save: Option<SaveRecord>,
}

/// One accepted save of a user's authorisations on a klantnummer.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct SaveRecord {
    pub klantnummer: String,
    /// The user id whose authorisations were saved.
    pub user: String,
    /// Flags newly ticked and unticked by this save (catalog order); both empty when the save
    /// changed nothing.
    pub granted: Vec<String>,
    pub revoked: Vec<String>,
}

/// Seeded authorisations: klantnummer -> (user id -> names).
type SeedGrants = &'static [(&'static str, &'static [(&'static str, &'static [&'static str])])];

type Grants = BTreeMap<String, BTreeMap<String, BTreeMap<String, DateTime<Utc>>>>;

/// Everything the replica remembers; this is also the state file's content.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Data {
    #[serde(default)]
    pub version: u32,
    pub users: Vec<User>,
    pub klantnummers: Vec<Klantnummer>,
    /// klantnummer -> user id -> authorisation names (catalog order). A user belongs to a
    /// klantnummer when he has an entry there, even an empty one.
    pub authorisations: BTreeMap<String, BTreeMap<String, Vec<String>>>,
    /// klantnummer -> user id -> authorisation -> when it was granted through the portal.
    /// Seeded authorisations have no entry: they count as granted long ago.
    #[serde(default)]
    pub granted_at: Grants,
    #[serde(default)]
    pub audit: Vec<AuditEntry>,
}

fn seed_user(id: &str, name: &str, email: &str, rights: &[&str], must_change: bool) -> User {
    let salt = format!("seed-{id}");
    User {
        id: id.into(),
        name: name.into(),
        email: email.into(),
        rights: rights.iter().map(|r| r.to_string()).collect(),
        must_change_password: must_change,
        deleted: false,
        password_sha256: hash::password_digest(&salt, DEMO_PASSWORD),
        password_salt: salt,
        last_login: None,
    }
}

impl Data {
    /// The fixed, deterministic seed.
    pub fn seed() -> Data {
        let both = [RIGHT_KLANTNUMMERINSTELLINGEN, RIGHT_BEHEREN];
        let users = vec![
            seed_user(
                "gatuser",
                "GATUser, PostNL (PostNL)",
                super::DEMO_ADMIN_EMAIL,
                &both,
                false,
            ),
            seed_user(
                "piet.jansen",
                "Jansen, Piet (PostNL)",
                "piet.jansen@postnl.example",
                &[],
                false,
            ),
            seed_user(
                "anna.devries",
                "de Vries, Anna (PostNL)",
                "anna.devries@postnl.example",
                &[RIGHT_KLANTNUMMERINSTELLINGEN],
                true,
            ),
            seed_user(
                "mohamed.elamrani",
                "El Amrani, Mohamed (PostNL)",
                "mohamed.elamrani@postnl.example",
                &[],
                false,
            ),
            seed_user(
                "sanne.bakker",
                "Bakker, Sanne (PostNL Pakketten Oost)",
                "sanne.bakker@postnl.example",
                &both,
                false,
            ),
        ];
        let klantnummers = [
            ("9401138", "PostNL (9401138)"),
            ("9401139", "PostNL Pakketten Oost (9401139)"),
            ("9401140", "PostNL Retourcentrum (9401140)"),
        ]
        .iter()
        .map(|(n, name)| Klantnummer {
            number: n.to_string(),
            name: name.to_string(),
        })
        .collect();
        let grants: SeedGrants = &[
            (
                "9401138",
                &[
                    (
                        "gatuser",
                        &[
                            "Zendingen importeren",
                            "Notificaties",
                            "Facturen",
                            "Orderbevestigingen",
                            "Afzenders en Retouradressen",
                            "Track & Trace",
                            "Adresboek",
                        ],
                    ),
                    ("piet.jansen", &["Zendingen importeren", "Track & Trace"]),
                    (
                        "anna.devries",
                        &["Postbussen", "Antwoordnummers (+ verbruik)", "Facturen"],
                    ),
                    ("mohamed.elamrani", &["Track & Trace", "Adresboek"]),
                ],
            ),
            (
                "9401139",
                &[
                    ("gatuser", &["Zendingen importeren", "Track & Trace"]),
                    (
                        "mohamed.elamrani",
                        &["Zendingen importeren", "Notificaties", ECOMMERCE, "Track & Trace"],
                    ),
                    (
                        "sanne.bakker",
                        &["Zendingen importeren", "Facturen", "Mijn PostNL Webshop"],
                    ),
                ],
            ),
            (
                "9401140",
                &[
                    ("gatuser", &["Haal-/brengservice", "Facturen"]),
                    ("sanne.bakker", &["Postbussen", "Haal-/brengservice"]),
                ],
            ),
        ];
        let authorisations = grants
            .iter()
            .map(|(kn, users)| {
                let per_user = users
                    .iter()
                    .map(|(uid, names)| (uid.to_string(), catalog::normalise(names)))
                    .collect();
                (kn.to_string(), per_user)
            })
            .collect();
        Data {
            version: FILE_VERSION,
            users,
            klantnummers,
            authorisations,
            granted_at: BTreeMap::new(),
            audit: Vec::new(),
        }
    }

    /// The public JSON view served by `GET /__state` (no password material, no login times).
    pub fn view(&self) -> Value {
        let users: Vec<Value> = self
            .users
            .iter()
            .map(|u| {
                json!({
                    "id": u.id,
                    "name": u.name,
                    "email": u.email,
                    "rights": u.rights,
                    "must_change_password": u.must_change_password,
                    "deleted": u.deleted,
                })
            })
            .collect();
        json!({
            "users": users,
            "klantnummers": self.klantnummers,
            "authorisations": self.authorisations,
            "granted_at": self.granted_at,
            "audit": self.audit,
        })
    }

    pub fn user(&self, id: &str) -> Option<&User> {
        self.users.iter().find(|u| u.id == id && !u.deleted)
    }

    fn user_mut(&mut self, id: &str) -> Option<&mut User> {
        self.users.iter_mut().find(|u| u.id == id && !u.deleted)
    }

    pub fn user_by_email(&self, email: &str) -> Option<&User> {
        let email = email.trim();
        self.users
            .iter()
            .find(|u| !u.deleted && u.email.eq_ignore_ascii_case(email))
    }

    pub fn klantnummer(&self, number: &str) -> Option<&Klantnummer> {
        self.klantnummers.iter().find(|k| k.number == number)
    }

    /// Klantnummers the user belongs to, in seed order.
    pub fn klantnummers_of(&self, user_id: &str) -> Vec<&Klantnummer> {
        self.klantnummers
            .iter()
            .filter(|k| {
                self.authorisations
                    .get(&k.number)
                    .is_some_and(|m| m.contains_key(user_id))
            })
            .collect()
    }

    /// Users (not deleted) that belong to the klantnummer, in seed order.
    pub fn users_of(&self, number: &str) -> Vec<&User> {
        let Some(members) = self.authorisations.get(number) else {
            return Vec::new();
        };
        self.users
            .iter()
            .filter(|u| !u.deleted && members.contains_key(&u.id))
            .collect()
    }

    pub fn authorisations_of(&self, number: &str, user_id: &str) -> Option<&Vec<String>> {
        self.authorisations.get(number)?.get(user_id)
    }

    /// Klantnummers on which the user holds 'E-commerce inzichten' for at least `delay`.
    pub fn ecommerce_klantnummers(&self, user_id: &str, delay: Duration, now: DateTime<Utc>) -> Vec<&Klantnummer> {
        let delay = chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::MAX);
        self.klantnummers_of(user_id)
            .into_iter()
            .filter(|k| {
                let holds = self
                    .authorisations_of(&k.number, user_id)
                    .is_some_and(|a| a.iter().any(|n| n == ECOMMERCE));
                let since = self
                    .granted_at
                    .get(&k.number)
                    .and_then(|m| m.get(user_id))
                    .and_then(|m| m.get(ECOMMERCE));
                holds && since.is_none_or(|t| t.checked_add_signed(delay).is_some_and(|t| t <= now))
            })
            .collect()
    }

    fn audit(&mut self, who: &str, what: String, when: DateTime<Utc>) {
        self.audit.push(AuditEntry {
            who: who.to_string(),
            what,
            when,
            save: None,
        });
    }

    /// Adds `n` users "Tester 0001, Demo (PostNL)" … (ids `tester0001` …, e-mail
    /// `tester0001@postnl.example`, the demo password, no rights) to klantnummer `number`
    /// without authorisations. Users that already exist (a loaded state file) are kept as they are.
    pub fn seed_testers(&mut self, number: &str, n: u32) {
        for i in 1..=n {
            let id = format!("tester{i:04}");
            if self.users.iter().any(|u| u.id == id) {
                continue;
            }
            let name = format!("Tester {i:04}, Demo (PostNL)");
            let email = format!("{id}@postnl.example");
            self.users.push(seed_user(&id, &name, &email, &[], false));
            self.authorisations
                .entry(number.to_string())
                .or_default()
                .insert(id, Vec::new());
        }
    }

    /// Replaces the user's authorisations on the klantnummer and records the save in the audit
    /// log: one entry per accepted save, also when it changed nothing. Returns how many flags
    /// changed. Unknown names are ignored.
    pub fn set_authorisations(
        &mut self,
        actor: &str,
        number: &str,
        user_id: &str,
        names: &[String],
        now: DateTime<Utc>,
    ) -> Option<usize> {
        let wanted = catalog::normalise(names);
        let target = self.user(user_id)?.name.clone();
        let kn_name = self.klantnummer(number)?.name.clone();
        let current = self.authorisations.get_mut(number)?.get_mut(user_id)?;
        let old = std::mem::replace(current, wanted.clone());
        let granted: Vec<String> = wanted.iter().filter(|n| !old.contains(n)).cloned().collect();
        let revoked: Vec<String> = old.iter().filter(|n| !wanted.contains(n)).cloned().collect();
        let times = self
            .granted_at
            .entry(number.to_string())
            .or_default()
            .entry(user_id.to_string())
            .or_default();
        for n in &granted {
            times.insert(n.clone(), now);
        }
        for n in &revoked {
            times.remove(n);
        }
        self.tidy_grants();
        let changes: Vec<String> = granted
            .iter()
            .map(|n| format!("'{n}' toegekend"))
            .chain(revoked.iter().map(|n| format!("'{n}' ingetrokken")))
            .collect();
        let changes = if changes.is_empty() {
            "geen wijzigingen".to_string()
        } else {
            changes.join(", ")
        };
        let count = granted.len() + revoked.len();
        self.audit.push(AuditEntry {
            who: actor.to_string(),
            what: format!("Autorisaties opgeslagen voor {target} voor {kn_name}: {changes}"),
            when: now,
            save: Some(SaveRecord {
                klantnummer: number.to_string(),
                user: user_id.to_string(),
                granted,
                revoked,
            }),
        });
        Some(count)
    }

    fn tidy_grants(&mut self) {
        for per_user in self.granted_at.values_mut() {
            per_user.retain(|_, m| !m.is_empty());
        }
        self.granted_at.retain(|_, m| !m.is_empty());
    }

    /// Sets a new password and clears `must_change_password`.
    pub fn change_password(&mut self, user_id: &str, password: &str, now: DateTime<Utc>) {
        let salt = super::session::random_token();
        let Some(user) = self.user_mut(user_id) else {
            return;
        };
        user.password_sha256 = hash::password_digest(&salt, password);
        user.password_salt = salt;
        user.must_change_password = false;
        let who = user.name.clone();
        self.audit(&who, "Nieuw wachtwoord ingesteld".into(), now);
    }

    pub fn record_login(&mut self, user_id: &str, now: DateTime<Utc>) {
        if let Some(u) = self.user_mut(user_id) {
            u.last_login = Some(now);
        }
    }

    /// Forces a new password at the first login of every user who never logged in.
    pub fn force_password_change(&mut self) {
        for u in self.users.iter_mut().filter(|u| u.last_login.is_none()) {
            u.must_change_password = true;
        }
    }

    /// Deletes a user account (the destructive "Gebruikersaccount verwijderen").
    pub fn delete_user(&mut self, actor: &str, user_id: &str, now: DateTime<Utc>) -> bool {
        let Some(user) = self.user_mut(user_id) else {
            return false;
        };
        user.deleted = true;
        let name = user.name.clone();
        for per_user in self.authorisations.values_mut() {
            per_user.remove(user_id);
        }
        for per_user in self.granted_at.values_mut() {
            per_user.remove(user_id);
        }
        self.tidy_grants();
        self.audit(actor, format!("Gebruikersaccount verwijderd: {name}"), now);
        true
    }
}

/// The data plus where it is persisted.
pub(crate) struct Store {
    pub data: Data,
    path: Option<PathBuf>,
}

impl Store {
    /// Loads the state file when it exists, else the seed.
    pub fn open(path: Option<PathBuf>) -> Result<Store, PortalError> {
        let data = match &path {
            Some(p) if p.exists() => read(p)?,
            _ => Data::seed(),
        };
        Ok(Store { data, path })
    }

    /// Writes the state file (if any) atomically: a temp file in the same directory, then rename.
    pub fn persist(&self) -> Result<(), PortalError> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        write(path, &self.data)
    }
}

fn read(path: &Path) -> Result<Data, PortalError> {
    let text = std::fs::read_to_string(path).map_err(|source| PortalError::StateRead {
        path: path.to_path_buf(),
        source,
    })?;
    serde_json::from_str(&text).map_err(|source| PortalError::StateParse {
        path: path.to_path_buf(),
        source,
    })
}

fn write(path: &Path, data: &Data) -> Result<(), PortalError> {
    let err = |source: std::io::Error| PortalError::StateWrite {
        path: path.to_path_buf(),
        source,
    };
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let text = serde_json::to_vec_pretty(data).map_err(|e| err(std::io::Error::other(e)))?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir).map_err(err)?;
    std::io::Write::write_all(&mut tmp, &text).map_err(err)?;
    tmp.as_file().sync_all().map_err(err)?;
    tmp.persist(path).map_err(|e| err(e.error))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seed_has_the_admin_without_ecommerce() {
        let d = Data::seed();
        let admin = d.user("gatuser").unwrap();
        assert_eq!(admin.display_name(), "GATUser, PostNL");
        assert!(admin.may_manage_authorisations());
        assert!(admin.password_matches(DEMO_PASSWORD));
        assert!(!admin.password_matches("wrong"));
        assert!(!d
            .authorisations_of("9401138", "gatuser")
            .unwrap()
            .iter()
            .any(|n| n == ECOMMERCE));
        assert!(!d.user("piet.jansen").unwrap().may_manage_authorisations());
        assert!(d.user("anna.devries").unwrap().must_change_password);
    }

    #[test]
    fn grant_is_audited_and_delayed() {
        let mut d = Data::seed();
        let now = Utc::now();
        let mut names = d.authorisations_of("9401138", "gatuser").unwrap().clone();
        names.push(ECOMMERCE.into());
        assert_eq!(d.set_authorisations("X", "9401138", "gatuser", &names, now), Some(1));
        assert_eq!(d.audit.len(), 1);
        assert!(d.audit[0].what.contains(ECOMMERCE));
        assert_eq!(d.audit[0].save.as_ref().unwrap().granted, [ECOMMERCE]);
        // A save that changes nothing is recorded too.
        assert_eq!(d.set_authorisations("X", "9401138", "gatuser", &names, now), Some(0));
        assert_eq!(d.audit.len(), 2);
        assert!(d.audit[1].what.ends_with("geen wijzigingen"), "{}", d.audit[1].what);
        let save = d.audit[1].save.as_ref().unwrap();
        assert_eq!((save.klantnummer.as_str(), save.user.as_str()), ("9401138", "gatuser"));
        assert!(save.granted.is_empty() && save.revoked.is_empty());
        let hour = Duration::from_secs(3600);
        assert!(d.ecommerce_klantnummers("gatuser", hour, now).is_empty());
        let later = now + chrono::Duration::hours(2);
        assert_eq!(d.ecommerce_klantnummers("gatuser", hour, later).len(), 1);
        // Seeded grants count as old.
        assert_eq!(
            d.ecommerce_klantnummers("mohamed.elamrani", hour, now)[0].number,
            "9401139"
        );
    }

    #[test]
    fn seed_testers_are_plain_members_of_the_klantnummer() {
        let mut d = Data::seed();
        let before = d.users.len();
        d.seed_testers("9401138", 3);
        d.seed_testers("9401138", 3);
        assert_eq!(d.users.len(), before + 3);
        let t = d.user_by_email("tester0002@postnl.example").unwrap();
        assert_eq!(
            (t.id.as_str(), t.name.as_str()),
            ("tester0002", "Tester 0002, Demo (PostNL)")
        );
        assert!(t.password_matches(DEMO_PASSWORD));
        assert!(t.rights.is_empty() && !t.must_change_password);
        assert_eq!(d.authorisations_of("9401138", "tester0003").map(Vec::len), Some(0));
        assert_eq!(d.klantnummers_of("tester0001").len(), 1);
    }

    #[test]
    fn persist_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("state.json");
        let mut s = Store::open(Some(path.clone())).unwrap();
        s.data.delete_user("X", "piet.jansen", Utc::now());
        s.persist().unwrap();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains(DEMO_PASSWORD));
        let s2 = Store::open(Some(path)).unwrap();
        assert!(s2.data.user("piet.jansen").is_none());
        assert_eq!(s2.data.audit.len(), 1);
    }
}
