//! The Alt rendition's screens: the guide's texts and paths, built like a component-library SPA
//! (ARIA roles on divs, custom checkboxes and dropdowns, cards with click handlers).

use serde_json::json;

use super::scripts;
use super::shell::{static_page, Shell, CHEVRON};
use crate::portal::catalog::{self, RIGHT_BEHEREN, RIGHT_KLANTNUMMERINSTELLINGEN};
use crate::portal::html::{esc, HeaderUser};
use crate::portal::pages::{AUTHORISATIONS_PATH, ECOMMERCE_PATH, PASSWORD_PATH};
use crate::portal::state::{Klantnummer, User};
use crate::portal::Variant;

/// Stap 1: the login page. E-mailadres is labelled by `aria-labelledby`, Wachtwoord only by
/// its placeholder, and the submit is an `<input type=submit>`.
pub(crate) fn login(error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r##"<div class="pnl-alert" role="alert">{}</div>"##, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r##"<div class="pnl-welcome">Welkom!</div>
<div class="pnl-login">
<div class="pnl-card">
<div class="pnl-h2" role="heading" aria-level="1">Log in bij Mijn PostNL</div>
<div class="pnl-note"><span class="pnl-note-icon" aria-hidden="true">i</span><div><strong>Let op:</strong> Zie je deze pagina voor het eerst? Je wordt dan bij het inloggen automatisch gevraagd eenmalig een nieuw wachtwoord in te stellen. Op die manier kunnen we je account optimaal beschermen.</div></div>
{error}
<form method="post" action="/" id="login-form" novalidate>
<div class="pnl-field"><div class="pnl-field-label" id="lbl-email">E-mailadres</div><input class="pnl-input" name="email" type="email" autocomplete="username" aria-labelledby="lbl-email"></div>
<div class="pnl-field"><input class="pnl-input" name="password" type="password" autocomplete="current-password" placeholder="Wachtwoord"></div>
<div class="pnl-check-row" id="onthoud"><span class="pnl-cb" role="checkbox" aria-checked="false" tabindex="0" aria-labelledby="lbl-onthoud"></span><span id="lbl-onthoud">Onthoud mij</span></div>
<input type="hidden" name="remember" value="1" disabled id="remember">
<p><input type="submit" class="pnl-btn pnl-btn-primary pnl-btn-block" value="Inloggen bij Mijn PostNL"></p>
</form>
<div class="pnl-btn-link" role="link" tabindex="0" data-href="/info/wachtwoord-vergeten">Wachtwoord vergeten?</div>
</div>
<div class="pnl-card pnl-card-dark">
<div class="pnl-h2" role="heading" aria-level="2">Heb jij nog geen Mijn PostNL account?</div>
<p>Met een zakelijk account verstuur je pakketten, bekijk je je facturen en beheer je wie wat mag binnen je organisatie.</p>
<div class="pnl-btn pnl-btn-ghost" role="button" tabindex="0" data-href="/info/account-aanmaken">Maak een nieuw account aan</div>
</div>
</div>"##
    );
    let mut page = Shell::new("Inloggen", body);
    page.script = scripts::LOGIN;
    page.render()
}

/// The forced password change: one field labelled by `aria-label`, one only by its placeholder.
pub(crate) fn password_change(csrf: &str, errors: &[&str]) -> String {
    let errors = if errors.is_empty() {
        String::new()
    } else {
        let items: String = errors.iter().map(|e| format!("<li>{}</li>", esc(e))).collect();
        format!(
            r##"<div class="pnl-alert" role="alert"><strong>Het wachtwoord is niet opgeslagen.</strong><ul>{items}</ul></div>"##
        )
    };
    let body = format!(
        r##"<div class="pnl-card pnl-narrow">
<div class="pnl-h2" role="heading" aria-level="1">Nieuw wachtwoord instellen</div>
<p>Je logt voor het eerst in op Mijn PostNL. Stel eenmalig een nieuw wachtwoord in, zodat we je account optimaal kunnen beschermen.</p>
{errors}
<form method="post" action="{PASSWORD_PATH}" id="wachtwoord-form">
<input type="hidden" name="csrf" value="{csrf}">
<div class="pnl-field"><input class="pnl-input" name="new_password" type="password" autocomplete="new-password" aria-label="Nieuw wachtwoord" placeholder="Nieuw wachtwoord">
<p class="pnl-hint">Minimaal 8 tekens en anders dan je huidige wachtwoord.</p></div>
<div class="pnl-field"><input class="pnl-input" name="repeat_password" type="password" autocomplete="new-password" placeholder="Herhaal nieuw wachtwoord"></div>
<div class="pnl-btn pnl-btn-primary" role="button" tabindex="0" id="wachtwoord-opslaan">Wachtwoord opslaan</div>
</form>
</div>"##,
        csrf = esc(csrf),
    );
    let mut page = Shell::new("Nieuw wachtwoord instellen", body);
    page.script = scripts::PASSWORD;
    page.render()
}

const ICON_BOX: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2 3 6.5v11L12 22l9-4.5v-11zm0 2.2 6.5 3.2L12 10.7 5.5 7.4zM5 9.1l6 3v7.4l-6-3zm8 10.4v-7.4l6-3v7.4z"/></svg>"##;
const ICON_INVOICE: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M6 2h9l5 5v15H6zm8 1.5V8h4.5zM8 11h8v1.6H8zm0 3.5h8v1.6H8zm0 3.5h5v1.6H8z"/></svg>"##;
const ICON_PIN: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z"/></svg>"##;
const ICON_BOOK: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M5 3h12a2 2 0 0 1 2 2v16H7a2 2 0 0 1-2-2zm2 2v14h10V5zm2 3h6v1.6H9zm0 3h6v1.6H9z"/></svg>"##;
const ICON_RETURN: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M10 4 3 10l7 6v-4h5a4 4 0 0 1 0 8h-3v2h3a6 6 0 0 0 0-12h-5z"/></svg>"##;
const ICON_CHART: &str = r##"<svg width="24" height="24" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3 3h2v16h16v2H3zm4 10h3v5H7zm5-5h3v10h-3zm5 3h3v7h-3z"/></svg>"##;
const ICON_DOWNLOAD: &str = r##"<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M11 3h2v9.2l3.3-3.3 1.4 1.4L12 16l-5.7-5.7 1.4-1.4 3.3 3.3zM4 18h16v2H4z"/></svg>"##;

/// A tile: a card with an inline click handler (no link).
fn tile(href: &str, icon: &str, title: &str, text: &str, new: bool) -> String {
    let pill = if new {
        r##"<span class="pnl-pill">Nieuw</span>"##
    } else {
        ""
    };
    format!(
        r##"<div class="pnl-tile" tabindex="0" onclick="alt.go('{href}')"><div class="pnl-tile-icon">{icon}</div><div class="pnl-tile-title">{title}{pill}</div><div class="pnl-tile-text">{text}</div></div>"##,
        href = esc(href),
        title = esc(title),
        text = esc(text),
    )
}

/// Stap 2: home with tiles (the E-commerce one with a "Nieuw" badge in its title); `intro` adds
/// the "Nieuw: …" interstitial.
pub(crate) fn home(user: &User, csrf: &str, ecommerce: bool, intro: bool) -> String {
    let mut tiles = vec![
        tile(
            "/apex/BPG_Info?titel=Zendingen",
            ICON_BOX,
            "Zendingen",
            "Maak zendingen aan, importeer ze en print je labels.",
            false,
        ),
        tile(
            "/apex/BPG_Info?titel=Facturen",
            ICON_INVOICE,
            "Facturen",
            "Bekijk en download je facturen en specificaties.",
            false,
        ),
        tile(
            "/apex/BPG_Info?titel=Track%20%26%20Trace",
            ICON_PIN,
            "Track & Trace",
            "Volg je verstuurde pakketten en brieven.",
            false,
        ),
        tile(
            "/apex/BPG_Info?titel=Adresboek",
            ICON_BOOK,
            "Adresboek",
            "Beheer je vaste ontvangers en afzenders.",
            false,
        ),
        tile(
            "/apex/BPG_Info?titel=Retouren",
            ICON_RETURN,
            "Retouren",
            "Regel retourlabels voor je klanten.",
            false,
        ),
    ];
    if ecommerce {
        tiles.insert(
            1,
            tile(
                ECOMMERCE_PATH,
                ICON_CHART,
                "E-commerce Inzichten",
                "Download het rapport over je webwinkelzendingen.",
                true,
            ),
        );
    }
    let body = format!(
        r##"<div class="pnl-hero"><div class="pnl-title" role="heading" aria-level="1">Welkom in Mijn PostNL</div><div>Wat wil je vandaag regelen?</div></div>
<div class="pnl-home">
<div class="pnl-tiles">{tiles}</div>
<div class="pnl-card"><div class="pnl-h3" role="heading" aria-level="2">Berichten</div>
<div class="pnl-muted">Op zondag voeren we gepland onderhoud uit tussen 02:00 en 06:00 uur.</div>
<div class="pnl-muted" style="margin-top:10px">Tip: geef collega's precies de toegang die ze nodig hebben via je accountinstellingen.</div></div>
</div>"##,
        tiles = tiles.concat()
    );
    let mut page = Shell::new("Home", body).with_user(Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    }));
    if intro {
        page.overlays = INTERSTITIAL.to_string();
        page.script = scripts::HOME;
    }
    page.render()
}

const INTERSTITIAL: &str = r##"<div class="pnl-modal-backdrop" id="nieuw">
<div class="pnl-modal" role="dialog" aria-modal="true" aria-labelledby="nieuw-titel">
<div class="pnl-modal-close" role="button" tabindex="0" aria-label="Sluiten" data-sluit>&times;</div>
<div class="pnl-h2" id="nieuw-titel">Nieuw: verzendlabels in bulk printen</div>
<p>Print voortaan tot 500 verzendlabels tegelijk, direct vanuit je zendingenoverzicht. Zo ben je sneller klaar met je dagelijkse verzending.</p>
<div class="pnl-modal-actions"><div class="pnl-btn pnl-btn-primary" role="button" tabindex="0" data-href="/apex/BPG_Info?titel=Zendingen">Probeer het nu</div></div>
</div>
</div>"##;

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}@{domain}")
        }
        None => "\u{2022}\u{2022}\u{2022}\u{2022}".to_string(),
    }
}

fn acc_row(href: &str, title: &str, sub: &str) -> String {
    format!(
        r##"<div class="pnl-acc-row" tabindex="0" data-href="{href}"><span class="pnl-acc-row-title">{title}</span><span class="pnl-acc-row-sub">{sub}</span></div>"##,
        href = esc(href),
    )
}

/// Stap 3: Mijn Account as an accordion whose sections are all open at first: 'Autorisaties'
/// is visible under 'Klantnummerinstellingen', and a click on that header would close it.
/// (`klantnummer_tab` — `?tab=klantnummer` — opens only that section.)
pub(crate) fn my_account(user: &User, csrf: &str, klantnummer_tab: bool) -> String {
    let (exp_p, hid_p) = if klantnummer_tab {
        ("false", " hidden")
    } else {
        ("true", "")
    };
    let (exp_k, hid_k) = ("true", "");
    let personal = [
        acc_row(
            "/apex/BPG_Info?titel=Wachtwoord%20wijzigen",
            "Wachtwoord wijzigen",
            "Kies regelmatig een nieuw, sterk wachtwoord.",
        ),
        acc_row(
            "/apex/BPG_Info?titel=Contactgegevens",
            "Contactgegevens",
            "Je naam, telefoonnummer en functie.",
        ),
        acc_row(
            "/apex/BPG_Info?titel=Nieuwsbrieven",
            "Nieuwsbrieven",
            "Kies welke e-mails je van ons ontvangt.",
        ),
    ]
    .concat();
    let klant = [
        acc_row(
            AUTHORISATIONS_PATH,
            "Autorisaties",
            "Bepaal welke gebruikers wat mogen per klantnummer.",
        ),
        acc_row(
            "/apex/BPG_Info?titel=Klantnummergegevens",
            "Klantnummergegevens",
            "Bedrijfsnaam, adres en KvK-nummer.",
        ),
        acc_row(
            "/apex/BPG_Info?titel=Factuurinstellingen",
            "Factuurinstellingen",
            "Factuuradres en betaalwijze.",
        ),
        acc_row(
            "/apex/BPG_Info?titel=Verzendvoorkeuren",
            "Verzendvoorkeuren",
            "Standaardopties voor je zendingen.",
        ),
    ]
    .concat();
    let body = format!(
        r##"<div class="pnl-title" role="heading" aria-level="1">Mijn Account</div>
<div class="pnl-split">
<div class="pnl-accordion">
<div class="pnl-acc-head" role="button" tabindex="0" aria-expanded="{exp_p}" aria-controls="sectie-persoonlijk" data-tab="persoonlijk">Persoonlijke instellingen{CHEVRON}</div>
<div class="pnl-acc-panel" id="sectie-persoonlijk"{hid_p}>{personal}</div>
<div class="pnl-acc-head" role="button" tabindex="0" aria-expanded="{exp_k}" aria-controls="sectie-klantnummer" data-tab="klantnummer">Klantnummerinstellingen{CHEVRON}</div>
<div class="pnl-acc-panel" id="sectie-klantnummer"{hid_k}>{klant}</div>
</div>
<div class="pnl-card">
<div class="pnl-h2" role="heading" aria-level="2">Je gegevens</div>
<div class="pnl-details"><div class="k">Naam</div><div>{name}</div><div class="k">E-mailadres</div><div>{email}</div><div class="k">Taal</div><div>Nederlands</div></div>
</div>
</div>"##,
        name = esc(&user.name),
        email = esc(&mask_email(&user.email)),
    );
    let mut page = Shell::new("Mijn Account", body).with_user(Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    }));
    page.script = scripts::ACCORDION;
    page.render()
}

/// Stap 3 without the rights (status 403 is set by the caller).
pub(crate) fn no_rights(user: &User, csrf: &str) -> String {
    let body = format!(
        r##"<div class="pnl-title" role="heading" aria-level="1">Mijn Account</div>
<div class="pnl-card pnl-narrow">
<div class="pnl-alert" role="alert">
<div class="pnl-h3">Je hebt geen toegang tot Autorisaties</div>
<div>Om deze pagina te openen heb je de volgende gebruikersautorisaties nodig:</div>
<ul><li>{RIGHT_KLANTNUMMERINSTELLINGEN}</li><li>{RIGHT_BEHEREN}</li></ul>
<div>Vraag de beheerder (admin) van je klantnummer om je deze autorisaties te geven.</div>
</div>
<div class="pnl-btn-link" role="link" tabindex="0" data-href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug naar Mijn Account</div>
</div>"##
    );
    Shell::new("Geen toegang", body)
        .with_user(Some(HeaderUser {
            display_name: user.display_name(),
            csrf,
        }))
        .render()
}

/// Stap 4: the authorisations page: a custom klantnummer dropdown (combobox + hidden listbox
/// via `aria-controls`), the users as a grid of rows, custom tri-state checkboxes with the text
/// next to them, and a `role=button` "Opslaan" that is disabled while the ~700 ms save runs.
pub(crate) fn authorisations(
    user: &User,
    csrf: &str,
    klantnummers: &[&Klantnummer],
    selected: &str,
    selected_user: Option<&str>,
) -> String {
    let current = klantnummers
        .iter()
        .find(|k| k.number == selected)
        .map(|k| k.name.as_str())
        .unwrap_or("");
    let options: String = klantnummers
        .iter()
        .map(|k| {
            format!(
                r##"<li role="option" tabindex="-1" id="kn-{num}" data-value="{num}" aria-selected="{sel}">{name}</li>"##,
                num = esc(&k.number),
                sel = k.number == selected,
                name = esc(&k.name)
            )
        })
        .collect();
    let tree: String = catalog::tree(Variant::Alt)
        .iter()
        .enumerate()
        .map(|(g, (group, boxes))| {
            let items: String = boxes
                .iter()
                .map(|c| {
                    format!(
                        r##"<div class="pnl-tree-item"><span class="pnl-cb" role="checkbox" aria-checked="false" tabindex="0" data-name="{value}"></span><span class="pnl-cb-text">{label}</span></div>"##,
                        value = esc(c.name),
                        label = esc(c.label)
                    )
                })
                .collect();
            format!(
                r##"<div class="pnl-tree-group" role="group" aria-labelledby="groep-{g}"><div class="pnl-tree-head"><span class="pnl-cb" role="checkbox" aria-checked="false" tabindex="0" aria-labelledby="groep-{g}" data-groep></span><span id="groep-{g}">{group}</span></div>{items}</div>"##,
                group = esc(group)
            )
        })
        .collect();
    let body = format!(
        r##"<div class="pnl-title" role="heading" aria-level="1">Mijn Account</div>
<div class="pnl-toolbar">
<div class="pnl-toolbar-item" tabindex="0" data-href="/apex/bpg_my_account">Persoonlijke instellingen</div><span class="pnl-sep" aria-hidden="true">|</span>
<div class="pnl-toolbar-item current" tabindex="0" data-href="/apex/bpg_my_account?tab=klantnummer">Klantnummerinstellingen</div><span class="pnl-sep" aria-hidden="true">|</span>
<div class="pnl-select-wrap"><button type="button" class="pnl-select" id="kn-combo" role="combobox" aria-haspopup="listbox" aria-expanded="false" aria-controls="kn-lijst" aria-label="Klantnummer"><span class="pnl-select-value">{current}</span>{CHEVRON}</button>
<ul class="pnl-options" id="kn-lijst" role="listbox" aria-label="Klantnummers" hidden>{options}</ul></div><span class="pnl-sep" aria-hidden="true">|</span>
<div class="pnl-toolbar-item" tabindex="0" data-href="/apex/BPG_Info?titel=Hulp%20nodig">Hulp nodig ?</div>
</div>
<div class="pnl-card">
<div class="pnl-section-head"><div class="pnl-h2" role="heading" aria-level="2">Autorisaties</div><div class="pnl-btn-link" role="link" tabindex="0" data-href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug</div></div>
<div id="pagina-status" role="status" class="pnl-toast"></div>
<div id="categorie-kop">Kies een categorie om de autorisaties te beheren</div>
<div class="pnl-seg" role="radiogroup" aria-labelledby="categorie-kop"><div role="radio" tabindex="0" aria-checked="true" id="categorie-gebruiker">Gebruiker</div><div role="radio" tabindex="-1" aria-checked="false" id="categorie-klantnummer">Klantnummer</div></div>
<div id="per-gebruiker">
<div class="pnl-h3" role="heading" aria-level="3" id="gebruikers-kop">Selecteer een gebruiker om de autorisaties te wijzigen</div>
<div class="pnl-users">
<table class="pnl-table" role="grid" aria-labelledby="gebruikers-kop"><thead><tr><th>Gebruiker</th><th>Autorisaties</th></tr></thead><tbody id="gebruikers"></tbody></table>
<div class="pnl-btn pnl-btn-ghost" role="button" tabindex="0" id="gebruiker-toevoegen">Gebruiker toevoegen</div>
</div>
<div id="toevoegen-melding" class="pnl-note" hidden>Nieuwe gebruikers nodig je uit met hun zakelijke e-mailadres. Uitnodigen is in deze omgeving niet beschikbaar.</div>
<div id="details" hidden>
<div class="pnl-section-head"><div class="pnl-h3" role="heading" aria-level="3">Autorisaties voor <span id="details-naam"></span></div><div class="pnl-danger" role="button" tabindex="0" id="verwijderen">Gebruikersaccount verwijderen</div></div>
<div class="pnl-tree" id="boom">{tree}</div>
<div class="pnl-actions-row"><div class="pnl-btn pnl-btn-primary" role="button" tabindex="0" id="opslaan" aria-disabled="false">Opslaan</div></div>
<div id="opslaan-status" role="status" class="pnl-toast"></div>
<div id="opslaan-fout" role="alert" class="pnl-alert" hidden></div>
</div>
</div>
<div id="per-klantnummer" hidden>
<div class="pnl-h3">Gebruikers van dit klantnummer</div>
<table class="pnl-table"><thead><tr><th>Gebruiker</th><th>Aantal autorisaties</th></tr></thead><tbody id="overzicht"></tbody></table>
</div>
</div>"##,
        current = esc(current),
    );
    let mut page = Shell::new("Autorisaties", body).with_user(Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    }));
    page.overlays = DELETE_DIALOG.to_string();
    page.script = scripts::AUTHORISATIONS;
    page.data = Some(json!({
        "csrf": csrf,
        "klantnummer": selected,
        "gebruiker": selected_user,
    }));
    page.render()
}

const DELETE_DIALOG: &str = r##"<div class="pnl-modal-backdrop" id="verwijder-dialoog" hidden>
<div class="pnl-modal" role="alertdialog" aria-modal="true" aria-labelledby="verwijder-kop">
<div class="pnl-h2" id="verwijder-kop">Gebruikersaccount verwijderen</div>
<p>Weet je zeker dat je het account van <strong id="verwijder-naam"></strong> wilt verwijderen? Dit kan niet ongedaan worden gemaakt.</p>
<div class="pnl-modal-actions"><div class="pnl-btn pnl-btn-danger" role="button" tabindex="0" id="verwijder-ja">Ja, verwijderen</div><div class="pnl-btn pnl-btn-ghost" role="button" tabindex="0" id="verwijder-nee">Annuleren</div></div>
</div>
</div>"##;

/// Stap 5: a custom dropdown (a button with `aria-expanded` and a hidden listbox next to it, no
/// `aria-controls`), nothing chosen at first; then a `role=button` downloads the PDF.
pub(crate) fn ecommerce(user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
    let options: String = klantnummers
        .iter()
        .map(|k| {
            format!(
                r##"<div role="option" tabindex="-1" data-value="{num}" aria-selected="false">{name}</div>"##,
                num = esc(&k.number),
                name = esc(&k.name)
            )
        })
        .collect();
    let body = format!(
        r##"<div class="pnl-title" role="heading" aria-level="1">E-commerce inzichten</div>
<div class="pnl-card pnl-narrow">
<div class="pnl-h2" role="heading" aria-level="2">Rapport downloaden</div>
<p>Het rapport laat zien hoe je webwinkelzendingen de afgelopen 30 dagen zijn verlopen: aantallen, bezorging bij de eerste poging en retouren.</p>
<div class="pnl-field"><div class="pnl-field-label" id="rapport-kn-label">Klantnummer</div>
<div class="pnl-select-wrap" style="display:block"><button type="button" class="pnl-select wide" id="rapport-kn" aria-expanded="false" aria-labelledby="rapport-kn-label rapport-kn-waarde"><span class="pnl-select-value pnl-placeholder" id="rapport-kn-waarde">Kies een klantnummer</span>{CHEVRON}</button>
<div class="pnl-options" role="listbox" aria-labelledby="rapport-kn-label" hidden>{options}</div></div></div>
<div class="pnl-download" id="rapport" hidden><div class="pnl-btn pnl-btn-ghost" role="button" tabindex="0" id="rapport-download">{ICON_DOWNLOAD}<span>Rapport downloaden (PDF, 1 MB)</span></div><span class="pnl-muted">Bijgewerkt: vandaag</span></div>
</div>"##
    );
    let mut page = Shell::new("E-commerce inzichten", body).with_user(Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    }));
    page.script = scripts::ECOMMERCE;
    page.render()
}

/// Stap 5 without (visible) access to the report.
pub(crate) fn ecommerce_no_access(user: &User, csrf: &str) -> String {
    let body = r##"<div class="pnl-title" role="heading" aria-level="1">E-commerce inzichten</div>
<div class="pnl-card pnl-narrow"><div class="pnl-alert" role="alert">Je hebt (nog) geen toegang tot dit rapport. Na het toekennen van de autorisatie kan het tot 60 minuten duren voordat je het rapport kunt openen.</div>
<div class="pnl-btn-link" role="link" tabindex="0" data-href="/apex/BPG_Home">&larr; Terug naar home</div></div>"##
        .to_string();
    Shell::new("Geen toegang", body)
        .with_user(Some(HeaderUser {
            display_name: user.display_name(),
            csrf,
        }))
        .render()
}

/// A placeholder page for portal features outside the guide. `user` is None before login.
pub(crate) fn info(title: &str, user: Option<(&User, &str)>) -> String {
    let back = if user.is_some() {
        r##"<div class="pnl-btn-link" role="link" tabindex="0" data-href="/apex/BPG_Home">&larr; Terug naar home</div>"##
    } else {
        r##"<div class="pnl-btn-link" role="link" tabindex="0" data-href="/">&larr; Terug naar inloggen</div>"##
    };
    let body = format!(
        r##"<div class="pnl-card pnl-narrow"><div class="pnl-title" role="heading" aria-level="1">{title}</div><p>Dit onderdeel van Mijn PostNL is in deze replica niet uitgewerkt.</p>{back}</div>"##,
        title = esc(title)
    );
    Shell::new(title, body)
        .with_user(user.map(|(u, csrf)| HeaderUser {
            display_name: u.display_name(),
            csrf,
        }))
        .render()
}

/// The gateway's HTTP 500 page (rendered by the server, no app).
pub(crate) fn server_error() -> String {
    static_page(
        "Storing",
        r##"<p class="pnl-error-code" aria-hidden="true">500</p><div class="pnl-title" role="heading" aria-level="1">Er is iets misgegaan</div>
<p>Door een technische storing kunnen we deze pagina nu niet tonen (foutcode 500). Probeer het over een paar minuten opnieuw.</p>
<div class="pnl-btn pnl-btn-primary" role="button" tabindex="0" onclick="location.reload()">Opnieuw proberen</div>"##,
    )
}

/// 404.
pub(crate) fn not_found() -> String {
    static_page(
        "Niet gevonden",
        r##"<p class="pnl-error-code" aria-hidden="true">404</p><div class="pnl-title" role="heading" aria-level="1">Pagina niet gevonden</div>
<p>De pagina die je zoekt bestaat niet (meer).</p><div class="pnl-btn-link" role="link" tabindex="0" onclick="location.href='/apex/BPG_Home'">&larr; Naar de homepage</div>"##,
    )
}

/// A generic refusal (e.g. a form with an invalid CSRF token).
pub(crate) fn forbidden() -> String {
    static_page(
        "Geen toegang",
        r##"<div class="pnl-title" role="heading" aria-level="1">Geen toegang</div><div class="pnl-alert" role="alert">Deze actie is niet toegestaan. Herlaad de pagina en probeer het opnieuw.</div>
<div class="pnl-btn-link" role="link" tabindex="0" onclick="location.href='/apex/BPG_Home'">&larr; Naar de homepage</div>"##,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_email() {
        assert_eq!(
            mask_email("a@b.nl"),
            "a\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}@b.nl"
        );
    }
}
