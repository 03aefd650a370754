//! Structural comparison of a step's fingerprint with its baseline: the page's path and title,
//! the touched elements' roles, and the labelled things around them — renamed, added, removed
//! or moved (to another group, or to another place in the list), each with old → new.

use crate::browser::fingerprint::Item;
use crate::run::fingerprint::StepFingerprint;
use crate::run::result::Change;
use crate::run::similar;

/// What changed from `base` to `now`. `partial`: `now` is from a step that stopped early, so an
/// item it did not get to see is not reported as removed unless its group was seen.
pub fn compare(base: &StepFingerprint, now: &StepFingerprint, partial: bool) -> Vec<Change> {
    let mut out = vec![];
    if !partial && !now.path.is_empty() && !base.path.eq_ignore_ascii_case(&now.path) {
        out.push(change(
            "path",
            None,
            &base.path,
            &now.path,
            format!("the page's path changed from {} to {}", base.path, now.path),
        ));
    }
    if !partial && !now.title.is_empty() && base.title != now.title {
        out.push(change(
            "title",
            None,
            &base.title,
            &now.title,
            format!("the page's title changed from \"{}\" to \"{}\"", base.title, now.title),
        ));
    }
    for (b, n) in base.targets.iter().zip(&now.targets) {
        if b.action != n.action || b.role.is_empty() {
            continue;
        }
        if n.role.is_empty() {
            out.push(change(
                "removed",
                Some(&b.role),
                &b.role,
                "",
                format!("{}: its {} is no longer on the page", b.action, b.role),
            ));
        } else if b.role != n.role {
            out.push(change(
                "role",
                Some(&n.role),
                &b.role,
                &n.role,
                format!("{}: the element is now a {} (was a {})", b.action, n.role, b.role),
            ));
        }
    }
    out.extend(items(&base.context, &now.context, partial));
    out
}

fn change(kind: &str, role: Option<&str>, old: &str, new: &str, message: String) -> Change {
    Change {
        kind: kind.into(),
        role: role.map(str::to_string),
        old: (!old.is_empty()).then(|| old.to_string()),
        new: (!new.is_empty()).then(|| new.to_string()),
        message,
    }
}

fn in_group(g: &str) -> String {
    if g.is_empty() {
        String::new()
    } else {
        format!(" (in \"{g}\")")
    }
}

fn group_name(g: &str) -> String {
    if g.is_empty() {
        "the top level".into()
    } else {
        format!("\"{g}\"")
    }
}

/// One step of the longest-common-subsequence walk.
enum Op {
    Same,
    Removed(usize),
    Added(usize),
}

/// The item lists compared in order: what stayed, what went, what came.
fn lcs(a: &[Item], b: &[Item]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![vec![0u32; m + 1]; n + 1];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i][j] = if a[i] == b[j] {
                t[i + 1][j + 1] + 1
            } else {
                t[i + 1][j].max(t[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, vec![]);
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            out.push(Op::Same);
            i += 1;
            j += 1;
        } else if j < m && (i == n || t[i][j + 1] >= t[i + 1][j]) {
            out.push(Op::Added(j));
            j += 1;
        } else {
            out.push(Op::Removed(i));
            i += 1;
        }
    }
    out
}

fn items(base: &[Item], now: &[Item], partial: bool) -> Vec<Change> {
    let ops = lcs(base, now);
    // Runs of removals and additions between unchanged items: a removal and an addition at the
    // same place, same role and group, is a rename.
    let mut removed: Vec<usize> = vec![];
    let mut added: Vec<usize> = vec![];
    let mut renamed: Vec<(usize, usize)> = vec![];
    let mut run_r: Vec<usize> = vec![];
    let mut run_a: Vec<usize> = vec![];
    let mut flush =
        |run_r: &mut Vec<usize>, run_a: &mut Vec<usize>, removed: &mut Vec<usize>, added: &mut Vec<usize>| {
            let mut left_a: Vec<usize> = run_a.clone();
            for &r in run_r.iter() {
                let pos = left_a
                    .iter()
                    .position(|&a| now[a].role == base[r].role && now[a].group == base[r].group);
                match pos {
                    Some(p) => renamed.push((r, left_a.remove(p))),
                    None => removed.push(r),
                }
            }
            added.extend(left_a);
            run_r.clear();
            run_a.clear();
        };
    for op in &ops {
        match op {
            Op::Same => flush(&mut run_r, &mut run_a, &mut removed, &mut added),
            Op::Removed(i) => run_r.push(*i),
            Op::Added(j) => run_a.push(*j),
        }
    }
    flush(&mut run_r, &mut run_a, &mut removed, &mut added);

    let mut out = vec![];
    // Moved: the same role and name elsewhere (another group, another place).
    let mut moved: Vec<(usize, usize)> = vec![];
    removed.retain(|&r| {
        match added
            .iter()
            .position(|&a| now[a].role == base[r].role && now[a].name == base[r].name)
        {
            Some(p) => {
                moved.push((r, added.remove(p)));
                false
            }
            None => true,
        }
    });
    // Renamed elsewhere: a removal and an addition of the same role whose names resemble.
    let mut far: Vec<(usize, usize)> = vec![];
    removed.retain(|&r| {
        let best = added
            .iter()
            .enumerate()
            .filter(|(_, &a)| now[a].role == base[r].role)
            .map(|(p, &a)| (p, similar::score(&base[r].name, &now[a].name)))
            .filter(|(_, s)| *s >= similar::MIN_SCORE)
            .max_by(|x, y| x.1.total_cmp(&y.1));
        match best {
            Some((p, _)) => {
                far.push((r, added.remove(p)));
                false
            }
            None => true,
        }
    });
    renamed.extend(far);
    renamed.sort();
    for (r, a) in renamed {
        let (b, n) = (&base[r], &now[a]);
        let mut message = format!("{} \"{}\" renamed to \"{}\"", b.role, b.name, n.name);
        if b.group == n.group {
            message.push_str(&in_group(&b.group));
        } else {
            message.push_str(&format!(
                " and moved from {} to {}",
                group_name(&b.group),
                group_name(&n.group)
            ));
        }
        out.push(change("renamed", Some(&n.role), &b.name, &n.name, message));
    }
    for (r, a) in moved {
        let (b, n) = (&base[r], &now[a]);
        let message = if b.group == n.group {
            format!("{} \"{}\" moved to another place{}", b.role, b.name, in_group(&b.group))
        } else {
            format!(
                "{} \"{}\" moved from {} to {}",
                b.role,
                b.name,
                group_name(&b.group),
                group_name(&n.group)
            )
        };
        out.push(change("moved", Some(&n.role), &b.group, &n.group, message));
    }
    let seen_groups: Vec<&str> = now.iter().map(|i| i.group.as_str()).collect();
    for r in removed {
        let b = &base[r];
        if partial && (b.group.is_empty() || !seen_groups.contains(&b.group.as_str())) {
            continue;
        }
        out.push(change(
            "removed",
            Some(&b.role),
            &b.name,
            "",
            format!("{} \"{}\" removed{}", b.role, b.name, in_group(&b.group)),
        ));
    }
    for a in added {
        let n = &now[a];
        out.push(change(
            "added",
            Some(&n.role),
            "",
            &n.name,
            format!("{} \"{}\" added{}", n.role, n.name, in_group(&n.group)),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(role: &str, name: &str, group: &str) -> Item {
        Item {
            role: role.into(),
            name: name.into(),
            group: group.into(),
        }
    }

    fn tree(names: &[(&str, &str)]) -> Vec<Item> {
        names.iter().map(|(n, g)| item("checkbox", n, g)).collect()
    }

    fn print(context: Vec<Item>) -> StepFingerprint {
        StepFingerprint {
            path: "/apex/bpg_my_account".into(),
            title: "Autorisaties".into(),
            context,
            ..Default::default()
        }
    }

    const CLASSIC: &[(&str, &str)] = &[
        ("Zendingen importeren", "Pakketten & Vracht"),
        ("Notificaties", "Pakketten & Vracht"),
        ("Facturen", "Inzichten"),
        ("E-commerce inzichten", "Inzichten"),
        ("Orderbevestigingen", "Inzichten"),
    ];

    #[test]
    fn the_same_print_has_no_changes() {
        let p = print(tree(CLASSIC));
        assert!(compare(&p, &p.clone(), false).is_empty());
    }

    #[test]
    fn a_label_renamed_in_place_is_a_rename_even_when_the_words_differ() {
        let mut now = CLASSIC.to_vec();
        now[1].0 = "Meldingen";
        let c = compare(&print(tree(CLASSIC)), &print(tree(&now)), false);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].kind, "renamed");
        assert_eq!(c[0].old.as_deref(), Some("Notificaties"));
        assert_eq!(c[0].new.as_deref(), Some("Meldingen"));
        assert_eq!(
            c[0].message,
            "checkbox \"Notificaties\" renamed to \"Meldingen\" (in \"Pakketten & Vracht\")"
        );
    }

    #[test]
    fn renamed_and_moved_to_a_new_group() {
        let mut now: Vec<(&str, &str)> = CLASSIC
            .iter()
            .copied()
            .filter(|(n, _)| *n != "E-commerce inzichten")
            .collect();
        now.push(("E-commerce inzichten (rapportage)", "Rapportages & analyses"));
        let c = compare(&print(tree(CLASSIC)), &print(tree(&now)), false);
        assert_eq!(c.len(), 1, "{c:?}");
        assert_eq!(c[0].kind, "renamed");
        assert!(
            c[0].message
                .contains("moved from \"Inzichten\" to \"Rapportages & analyses\""),
            "{c:?}"
        );
    }

    #[test]
    fn moved_added_removed_path_and_title() {
        let mut now = vec![
            CLASSIC[1],
            CLASSIC[0],
            CLASSIC[2],
            ("Orderbevestigingen", "Pakketten & Vracht"),
        ];
        now.push(("Adresboek", "Versturen algemeen"));
        let base = print(tree(CLASSIC));
        let mut after = print(tree(&now));
        after.path = "/apex/nieuw".into();
        after.title = "Nieuw".into();
        let c = compare(&base, &after, false);
        let kinds: Vec<&str> = c.iter().map(|c| c.kind.as_str()).collect();
        assert!(kinds.contains(&"path") && kinds.contains(&"title"), "{kinds:?}");
        assert!(kinds.contains(&"moved"), "{c:?}");
        assert!(
            c.iter()
                .any(|c| c.message
                    == "checkbox \"Orderbevestigingen\" moved from \"Inzichten\" to \"Pakketten & Vracht\""),
            "{c:?}"
        );
        assert!(
            c.iter()
                .any(|c| c.kind == "removed" && c.old.as_deref() == Some("E-commerce inzichten")),
            "{c:?}"
        );
        assert!(
            c.iter()
                .any(|c| c.kind == "added" && c.new.as_deref() == Some("Adresboek")),
            "{c:?}"
        );
    }

    #[test]
    fn a_partial_print_does_not_report_what_it_did_not_see() {
        let mut base = tree(CLASSIC);
        base.push(item("button", "Opslaan", ""));
        let now = tree(&CLASSIC[..2]);
        let c = compare(&print(base), &print(now), true);
        assert!(
            c.iter()
                .all(|c| c.kind != "removed" || c.old.as_deref() != Some("Opslaan")),
            "{c:?}"
        );
    }
}
