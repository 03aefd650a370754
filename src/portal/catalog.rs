//! The authorisations a user can hold per klantnummer, grouped as the guide's checkbox tree,
//! and how each variant of the portal labels them.

use super::Variant;

/// The authorisation that unlocks the "E-commerce Inzichten" tile.
pub const ECOMMERCE: &str = "E-commerce inzichten";

/// The two user rights needed to open the authorisations page.
pub const RIGHT_KLANTNUMMERINSTELLINGEN: &str = "Klantnummerinstellingen";
/// See [`RIGHT_KLANTNUMMERINSTELLINGEN`].
pub const RIGHT_BEHEREN: &str = "Instellingen voor uw klantnummer beheren";

/// The guide's checkbox tree: group label and the canonical authorisation names in it.
pub const GROUPS: &[(&str, &[&str])] = &[
    ("Pakketten & Vracht", &["Zendingen importeren", "Notificaties"]),
    (
        "Post ontvangen",
        &["Postbussen", "Antwoordnummers (+ verbruik)", "Haal-/brengservice"],
    ),
    ("Inzichten", &["Facturen", ECOMMERCE, "Orderbevestigingen"]),
    ("MijnPost Shop", &["Mijn PostNL Webshop"]),
    (
        "Versturen algemeen",
        &["Afzenders en Retouradressen", "Track & Trace", "Adresboek"],
    ),
];

/// One checkbox as shown by a variant: canonical name (the stored value) and visible label.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkbox {
    pub name: &'static str,
    pub label: &'static str,
}

/// The tree as the given variant shows it. The redesign renames 'E-commerce inzichten' and moves
/// it into a new group, so a flow written for the classic portal notices the drift.
pub fn tree(variant: Variant) -> Vec<(&'static str, Vec<Checkbox>)> {
    let plain =
        |names: &[&'static str]| -> Vec<Checkbox> { names.iter().map(|n| Checkbox { name: n, label: n }).collect() };
    match variant {
        Variant::Classic | Variant::Alt | Variant::Apex => GROUPS.iter().map(|(g, names)| (*g, plain(names))).collect(),
        Variant::Redesign => {
            let mut out: Vec<(&'static str, Vec<Checkbox>)> = GROUPS
                .iter()
                .map(|(g, names)| {
                    let kept: Vec<&'static str> = names.iter().copied().filter(|n| *n != ECOMMERCE).collect();
                    (*g, plain(&kept))
                })
                .collect();
            out.push((
                "Rapportages & analyses",
                vec![Checkbox {
                    name: ECOMMERCE,
                    label: "E-commerce inzichten (rapportage)",
                }],
            ));
            out
        }
    }
}

/// Whether `name` is a known authorisation.
pub fn is_known(name: &str) -> bool {
    GROUPS.iter().any(|(_, names)| names.contains(&name))
}

/// `names` in catalog order, without duplicates or unknown names.
pub fn normalise<S: AsRef<str>>(names: &[S]) -> Vec<String> {
    GROUPS
        .iter()
        .flat_map(|(_, group)| group.iter())
        .filter(|n| names.iter().any(|x| x.as_ref() == **n))
        .map(|n| n.to_string())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classic_tree_matches_the_guide() {
        let t = tree(Variant::Classic);
        let groups: Vec<_> = t.iter().map(|(g, _)| *g).collect();
        assert_eq!(
            groups,
            [
                "Pakketten & Vracht",
                "Post ontvangen",
                "Inzichten",
                "MijnPost Shop",
                "Versturen algemeen"
            ]
        );
        assert_eq!(t.iter().map(|(_, c)| c.len()).sum::<usize>(), 12);
        assert!(t[2].1.iter().any(|c| c.label == ECOMMERCE));
    }

    #[test]
    fn redesign_renames_and_moves_ecommerce() {
        let t = tree(Variant::Redesign);
        assert!(!t[2].1.iter().any(|c| c.name == ECOMMERCE));
        let last = t.last().unwrap();
        assert_eq!(last.1[0].name, ECOMMERCE);
        assert_ne!(last.1[0].label, ECOMMERCE);
    }

    #[test]
    fn normalise_orders_and_filters() {
        let n = normalise(&["Adresboek", "bogus", "Facturen", "Adresboek"]);
        assert_eq!(n, ["Facturen", "Adresboek"]);
        assert!(is_known("Haal-/brengservice"));
        assert!(!is_known("bogus"));
    }
}
