//! The Apex rendition's pages: the guide's texts and paths as Universal Theme regions and page
//! items.

use serde_json::json;

use super::page::{alert, item, region, Page, Template};
use super::scripts;
use crate::portal::catalog::{self, RIGHT_BEHEREN, RIGHT_KLANTNUMMERINSTELLINGEN};
use crate::portal::html::esc;
use crate::portal::pages::{AUTHORISATIONS_PATH, ECOMMERCE_PATH, PASSWORD_PATH};
use crate::portal::rendition::Look;
use crate::portal::state::{Klantnummer, User};

/// Where the authorisation editor (a modal dialog page) lives.
pub(crate) const DIALOG_PATH: &str = "/apex/BPG_Autorisaties_Dialoog";

/// Stap 1: the login page (template "Login").
pub(crate) fn login(look: Look, error: Option<&str>) -> String {
    let error = error.map(|e| alert(false, e)).unwrap_or_default();
    let body = format!(
        r##"<p class="t-Login-welcome">Welkom!</p>
<div class="t-Login-region" role="region" aria-labelledby="login_title">
<h1 class="t-Login-title" id="login_title">Log in bij Mijn PostNL</h1>
<div class="t-Alert t-Alert--info t-Alert--horizontal" role="note"><div class="t-Alert-wrap"><div class="t-Alert-icon"><span class="t-Icon" aria-hidden="true"></span></div><div class="t-Alert-content"><strong>Let op:</strong> Zie je deze pagina voor het eerst? Je wordt dan bij het inloggen automatisch gevraagd eenmalig een nieuw wachtwoord in te stellen. Op die manier kunnen we je account optimaal beschermen.</div></div></div>
{error}
<form method="post" action="/" id="login_form">
{email}
{password}
<div class="t-Form-fieldContainer"><div class="apex-item-option apex-item-single-checkbox"><input type="checkbox" id="P9999_REMEMBER" name="remember" value="1"><label for="P9999_REMEMBER">Onthoud mij</label></div></div>
<button class="t-Button t-Button--hot t-Button--stretch" type="submit" id="B_LOGIN"><span class="t-Button-label">Inloggen bij Mijn PostNL</span></button>
</form>
<div class="t-Login-links"><a href="/info/wachtwoord-vergeten">Wachtwoord vergeten?</a><a href="/info/account-aanmaken">Maak een nieuw account aan</a></div>
</div>
<p class="t-Login-welcome" style="font-size:14px;font-weight:400">Heb jij nog geen Mijn PostNL account?</p>"##,
        email = item(
            "P9999_USERNAME",
            "E-mailadres",
            r##"<input type="email" id="P9999_USERNAME" name="email" class="text_field apex-item-text" autocomplete="username" size="40">"##
        ),
        password = item(
            "P9999_PASSWORD",
            "Wachtwoord",
            r##"<input type="password" id="P9999_PASSWORD" name="password" class="password apex-item-text" autocomplete="current-password" size="40">"##
        ),
    );
    let mut page = Page::new("Inloggen", look, 9999, body);
    page.template = Template::Login;
    page.render()
}

/// The forced, one-time password change.
pub(crate) fn password_change(look: Look, csrf: &str, errors: &[&str]) -> String {
    let errors: String = errors.iter().map(|e| alert(false, e)).collect();
    let body = format!(
        r##"<div class="t-Login-region" role="region" aria-labelledby="pw_title">
<h1 class="t-Login-title" id="pw_title">Nieuw wachtwoord instellen</h1>
<p>Je logt voor het eerst in op Mijn PostNL. Stel eenmalig een nieuw wachtwoord in, zodat we je account optimaal kunnen beschermen.</p>
{errors}
<form method="post" action="{PASSWORD_PATH}" id="pw_form">
<input type="hidden" name="csrf" value="{csrf}">
{new}
{repeat}
<button class="t-Button t-Button--hot t-Button--stretch" type="submit"><span class="t-Button-label">Wachtwoord opslaan</span></button>
</form>
</div>"##,
        csrf = esc(csrf),
        new = item(
            "P101_NEW",
            "Nieuw wachtwoord",
            r##"<input type="password" id="P101_NEW" name="new_password" class="password apex-item-text" autocomplete="new-password"><span class="t-Form-inlineHelp">Minimaal 8 tekens en anders dan je huidige wachtwoord.</span>"##
        ),
        repeat = item(
            "P101_REPEAT",
            "Herhaal nieuw wachtwoord",
            r##"<input type="password" id="P101_REPEAT" name="repeat_password" class="password apex-item-text" autocomplete="new-password">"##
        ),
    );
    let mut page = Page::new("Nieuw wachtwoord instellen", look, 101, body);
    page.template = Template::Login;
    page.render()
}

const ICON_CHART: &str = r##"<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3 3h2v16h16v2H3zm4 10h3v5H7zm5-5h3v10h-3zm5 3h3v7h-3z"/></svg>"##;
const ICON_DOC: &str = r##"<svg width="22" height="22" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M6 2h9l5 5v15H6zm8 1.5V8h4.5z"/></svg>"##;

fn card(href: &str, title: &str, text: &str, new: bool) -> String {
    format!(
        r##"<li class="t-Cards-item"><div class="t-Card{extra}"><a href="{href}" class="t-Card-wrap"><div class="t-Card-icon">{icon}</div><div class="t-Card-titleWrap"><h3 class="t-Card-title">{title}</h3></div><div class="t-Card-body"><div class="t-Card-desc">{text}</div></div></a></div></li>"##,
        extra = if new { " t-Card--new" } else { "" },
        icon = if new { ICON_CHART } else { ICON_DOC },
        href = esc(href),
        title = esc(title),
        text = esc(text),
    )
}

/// Stap 2: home, with the tiles as a Cards region.
pub(crate) fn home(look: Look, user: &User, csrf: &str, ecommerce: bool) -> String {
    let mut cards = vec![
        card(
            "/apex/BPG_Info?titel=Zendingen",
            "Zendingen",
            "Maak zendingen aan, importeer ze en print je labels.",
            false,
        ),
        card(
            "/apex/BPG_Info?titel=Facturen",
            "Facturen",
            "Bekijk en download je facturen en specificaties.",
            false,
        ),
        card(
            "/apex/BPG_Info?titel=Track%20%26%20Trace",
            "Track & Trace",
            "Volg je verstuurde pakketten en brieven.",
            false,
        ),
        card(
            "/apex/BPG_Info?titel=Adresboek",
            "Adresboek",
            "Beheer je vaste ontvangers en afzenders.",
            false,
        ),
        card(
            "/apex/BPG_Info?titel=Retouren",
            "Retouren",
            "Regel retourlabels voor je klanten.",
            false,
        ),
    ];
    if ecommerce {
        cards.insert(
            3,
            card(
                ECOMMERCE_PATH,
                "E-commerce Inzichten",
                "Download het rapport over je webwinkelzendingen.",
                true,
            ),
        );
    }
    let body = format!(
        r##"<div class="row"><div>{tiles}</div><div>{berichten}</div></div>"##,
        tiles = region(
            "R_TEGELS",
            "Welkom in Mijn PostNL",
            "",
            &format!(r##"<ul class="t-Cards">{}</ul>"##, cards.concat())
        ),
        berichten = region(
            "R_BERICHTEN",
            "Berichten",
            "",
            "<p>Op zondag voeren we gepland onderhoud uit tussen 02:00 en 06:00 uur.</p><p>Tip: geef collega's precies de toegang die ze nodig hebben via je accountinstellingen.</p>"
        ),
    );
    Page::new("Home", look, 1, body).user(user, csrf).render()
}

fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}@{domain}")
        }
        None => "\u{2022}\u{2022}\u{2022}\u{2022}".to_string(),
    }
}

fn link(href: &str, label: &str, badge: &str) -> String {
    format!(
        r##"<li class="t-LinksList-item"><a href="{href}" class="t-LinksList-link"><span class="t-LinksList-label">{label}</span><span class="t-LinksList-badge">{badge}</span></a></li>"##,
        href = esc(href),
    )
}

/// Stap 3: Mijn Account, two regions behind a Region Display Selector (tabs).
pub(crate) fn my_account(look: Look, user: &User, csrf: &str, klantnummer_tab: bool) -> String {
    let (sel_p, sel_k) = if klantnummer_tab {
        ("false", "true")
    } else {
        ("true", "false")
    };
    let personal = format!(
        r##"<dl class="t-ContextualInfo"><dt>Naam</dt><dd>{name}</dd><dt>E-mailadres</dt><dd>{email}</dd><dt>Taal</dt><dd>Nederlands</dd></dl>
<ul class="t-LinksList">{links}</ul>"##,
        name = esc(&user.name),
        email = esc(&mask_email(&user.email)),
        links = [
            link(
                "/apex/BPG_Info?titel=Wachtwoord%20wijzigen",
                "Wachtwoord wijzigen",
                "Kies regelmatig een nieuw, sterk wachtwoord."
            ),
            link(
                "/apex/BPG_Info?titel=Contactgegevens",
                "Contactgegevens",
                "Je naam, telefoonnummer en functie."
            ),
        ]
        .concat()
    );
    let klant = format!(
        r##"<ul class="t-LinksList">{}</ul>"##,
        [
            link(
                AUTHORISATIONS_PATH,
                "Autorisaties",
                "Bepaal welke gebruikers wat mogen per klantnummer."
            ),
            link(
                "/apex/BPG_Info?titel=Klantnummergegevens",
                "Klantnummergegevens",
                "Bedrijfsnaam, adres en KvK-nummer."
            ),
            link(
                "/apex/BPG_Info?titel=Factuurinstellingen",
                "Factuurinstellingen",
                "Factuuradres en betaalwijze."
            ),
        ]
        .concat()
    );
    let body = format!(
        r##"<div class="apex-rds-container"><ul class="apex-rds" role="tablist" aria-label="Mijn Account">
<li class="apex-rds-item" role="presentation"><a href="#R_PERSOONLIJK" role="tab" id="R_PERSOONLIJK_tab" aria-controls="R_PERSOONLIJK" aria-selected="{sel_p}">Persoonlijke instellingen</a></li>
<li class="apex-rds-item" role="presentation"><a href="#R_KLANTNUMMER" role="tab" id="R_KLANTNUMMER_tab" aria-controls="R_KLANTNUMMER" aria-selected="{sel_k}">Klantnummerinstellingen</a></li>
</ul></div>
<div data-rds="R_PERSOONLIJK"{hid_p}>{p}</div>
<div data-rds="R_KLANTNUMMER"{hid_k}>{k}</div>"##,
        hid_p = if klantnummer_tab { " hidden" } else { "" },
        hid_k = if klantnummer_tab { "" } else { " hidden" },
        p = region("R_PERSOONLIJK", "Je gegevens", "", &personal),
        k = region("R_KLANTNUMMER", "Instellingen voor je klantnummers", "", &klant),
    );
    let mut page = Page::new("Mijn Account", look, 10, body).user(user, csrf);
    page.script = scripts::TABS;
    page.render()
}

/// Stap 3 without the rights.
pub(crate) fn no_rights(look: Look, user: &User, csrf: &str) -> String {
    let body = format!(
        r##"<div class="t-Alert t-Alert--danger t-Alert--horizontal" role="alert"><div class="t-Alert-wrap"><div class="t-Alert-icon"><span class="t-Icon" aria-hidden="true"></span></div><div class="t-Alert-content">
<h2 class="t-Alert-title">Je hebt geen toegang tot Autorisaties</h2>
<p>Om deze pagina te openen heb je de volgende gebruikersautorisaties nodig:</p>
<ul><li>{RIGHT_KLANTNUMMERINSTELLINGEN}</li><li>{RIGHT_BEHEREN}</li></ul>
<p>Vraag de beheerder (admin) van je klantnummer om je deze autorisaties te geven.</p></div></div></div>
<a class="t-Button t-Button--link" href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug naar Mijn Account</a>"##
    );
    Page::new("Mijn Account", look, 10, body).user(user, csrf).render()
}

/// Stap 4: the klantnummer select list, the category radio group and the gebruiker as a Popup
/// LOV. Picking a gebruiker opens the authorisation editor as a modal dialog page (an iframe).
pub(crate) fn authorisations(
    look: Look,
    user: &User,
    csrf: &str,
    klantnummers: &[&Klantnummer],
    selected: &str,
) -> String {
    let options: String = klantnummers
        .iter()
        .map(|k| {
            let sel = if k.number == selected { " selected" } else { "" };
            format!(r##"<option value="{}"{sel}>{}</option>"##, esc(&k.number), esc(&k.name))
        })
        .collect();
    let lov = r##"<input type="hidden" id="P20_GEBRUIKER" name="P20_GEBRUIKER" value="">
<input type="text" id="P20_GEBRUIKER_DISPLAY" class="apex-item-text apex-item-popup-lov" readonly placeholder="Selecteer een gebruiker" aria-describedby="P20_GEBRUIKER_HELP" size="40">
<button type="button" class="a-Button a-Button--popupLOV" id="P20_GEBRUIKER_lov_btn" aria-haspopup="dialog" aria-label="Lijst met waarden: Gebruiker" title="Lijst met waarden"><svg width="14" height="14" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z"/></svg></button>"##;
    let autorisaties = format!(
        r##"<p id="P20_CATEGORIE_LABEL">Kies een categorie om de autorisaties te beheren</p>
<div class="t-Form-fieldContainer"><div class="apex-item-radio apex-item-group--rc" role="radiogroup" aria-labelledby="P20_CATEGORIE_LABEL" id="P20_CATEGORIE">
<div class="apex-item-option"><input type="radio" id="P20_CATEGORIE_0" name="P20_CATEGORIE" value="G" checked><label for="P20_CATEGORIE_0">Gebruiker</label></div>
<div class="apex-item-option"><input type="radio" id="P20_CATEGORIE_1" name="P20_CATEGORIE" value="K"><label for="P20_CATEGORIE_1">Klantnummer</label></div>
</div></div>
<div id="per-gebruiker">
<h3 id="gebruikers-kop">Selecteer een gebruiker om de autorisaties te wijzigen</h3>
{lov_item}
<p id="P20_GEBRUIKER_HELP" class="t-Form-inlineHelp">Na het kiezen opent het venster met de autorisaties van de gebruiker.</p>
<button type="button" class="t-Button" id="B_TOEVOEGEN"><span class="t-Button-label">Gebruiker toevoegen</span></button>
<p id="toevoegen-melding" class="t-Form-inlineHelp" hidden>Nieuwe gebruikers nodig je uit met hun zakelijke e-mailadres. Uitnodigen is in deze omgeving niet beschikbaar.</p>
</div>
<div id="per-klantnummer" hidden>
<h3>Gebruikers van dit klantnummer</h3>
<table class="t-Report-report"><thead><tr><th scope="col">Gebruiker</th><th scope="col">Aantal autorisaties</th></tr></thead><tbody id="overzicht"></tbody></table>
</div>"##,
        lov_item = item("P20_GEBRUIKER_DISPLAY", "Gebruiker", lov),
    );
    let body = format!(
        r##"<div class="subbar"><a href="/apex/bpg_my_account">Persoonlijke instellingen</a><span class="sep" aria-hidden="true">|</span><a href="/apex/bpg_my_account?tab=klantnummer" aria-current="page">Klantnummerinstellingen</a><span class="sep" aria-hidden="true">|</span><label for="P20_KLANTNUMMER" class="u-VisuallyHidden">Klantnummer</label><select id="P20_KLANTNUMMER" name="P20_KLANTNUMMER" class="selectlist apex-item-select">{options}</select><span class="sep" aria-hidden="true">|</span><a href="/apex/BPG_Info?titel=Hulp%20nodig">Hulp nodig ?</a></div>
{region}"##,
        region = region(
            "R_AUTORISATIES",
            "Autorisaties",
            r##"<a class="t-Button t-Button--link" href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug</a>"##,
            &autorisaties
        ),
    );
    let mut page = Page::new("Mijn Account", look, 20, body).user(user, csrf);
    page.after = LOV_DIALOG.to_string();
    page.script = scripts::AUTHORISATIONS;
    page.data = Some(json!({ "klantnummer": selected, "dialoog": DIALOG_PATH, "vertraging": 400 }));
    page.render()
}

/// The Popup LOV's dialog: a search bar and a result list that is filled after it opens.
const LOV_DIALOG: &str = r##"<div class="ui-widget-overlay ui-front" id="P20_GEBRUIKER_overlay" hidden></div>
<div class="ui-dialog ui-dialog--popuplov ui-front" role="dialog" aria-modal="true" aria-labelledby="P20_GEBRUIKER_dlg_title" id="P20_GEBRUIKER_dialog" hidden>
<div class="ui-dialog-titlebar"><span class="ui-dialog-title" id="P20_GEBRUIKER_dlg_title">Gebruiker</span><button type="button" class="ui-button ui-dialog-titlebar-close" title="Sluiten" aria-label="Sluiten">&times;</button></div>
<div class="ui-dialog-content a-PopupLOV">
<div class="a-PopupLOV-searchBar"><input type="search" class="a-PopupLOV-search apex-item-text" id="P20_GEBRUIKER_search" aria-label="Zoeken" placeholder="Zoeken"><button type="button" class="a-Button a-PopupLOV-doSearch" aria-label="Zoeken" title="Zoeken">&#128269;</button></div>
<div class="a-PopupLOV-results"><p class="a-PopupLOV-loading" id="P20_GEBRUIKER_loading" hidden>Laden&hellip;</p><ul role="listbox" aria-labelledby="P20_GEBRUIKER_dlg_title" id="P20_GEBRUIKER_list"></ul><p class="a-PopupLOV-more" id="P20_GEBRUIKER_more" hidden></p></div>
</div>
</div>"##;

/// The authorisation editor: a modal dialog page (inside the parent's iframe) with the guide's
/// checkbox tree (Universal Theme checkboxes: the inputs are transparent, drawn on their labels),
/// "Gebruikersaccount verwijderen", "Annuleren" and "Opslaan".
pub(crate) fn authorisation_dialog(
    look: Look,
    csrf: &str,
    klantnummer: &Klantnummer,
    gebruiker: &User,
    checked: &[String],
) -> String {
    let tree: String = catalog::tree(look.variant)
        .iter()
        .enumerate()
        .map(|(g, (group, boxes))| {
            let items: String = boxes
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let on = if checked.iter().any(|n| n == c.name) { " checked" } else { "" };
                    format!(
                        r##"<div class="apex-item-option"><input type="checkbox" id="P21_AUT_{g}_{i}" name="autorisatie" value="{value}"{on}><label for="P21_AUT_{g}_{i}">{label}</label></div>"##,
                        value = esc(c.name),
                        label = esc(c.label)
                    )
                })
                .collect();
            format!(
                r##"<fieldset class="t-Form-fieldset apex-item-checkbox"><legend>{}</legend>{items}</fieldset>"##,
                esc(group)
            )
        })
        .collect();
    let title = format!("Autorisaties voor {}", gebruiker.name);
    let body = format!(
        r##"<h1 class="u-VisuallyHidden">{title}</h1>
<p class="t-Form-inlineHelp">Klantnummer: <strong>{kn}</strong></p>
<form id="P21_FORM" onsubmit="return false"><div class="tree">{tree}</div></form>"##,
        title = esc(&title),
        kn = esc(&klantnummer.name),
    );
    let mut page = Page::new(&title, look, 21, body);
    page.template = Template::Dialog;
    page.buttons = r##"<button type="button" class="t-Button t-Button--danger left" id="B_VERWIJDEREN"><span class="t-Button-label">Gebruikersaccount verwijderen</span></button>
<button type="button" class="t-Button" id="B_ANNULEREN"><span class="t-Button-label">Annuleren</span></button>
<button type="button" class="t-Button t-Button--hot" id="B_OPSLAAN"><span class="t-Button-label">Opslaan</span></button>"##
        .to_string();
    page.script = scripts::DIALOG;
    page.data = Some(json!({
        "csrf": csrf,
        "klantnummer": klantnummer.number,
        "gebruiker": gebruiker.id,
        "naam": gebruiker.name,
    }));
    page.render()
}

/// Stap 5: a select list for the klantnummer, then the download link.
pub(crate) fn ecommerce(look: Look, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
    let options: String = klantnummers
        .iter()
        .map(|k| format!(r##"<option value="{}">{}</option>"##, esc(&k.number), esc(&k.name)))
        .collect();
    let inner = format!(
        r##"<p>Het rapport laat zien hoe je webwinkelzendingen de afgelopen 30 dagen zijn verlopen: aantallen, bezorging bij de eerste poging en retouren.</p>
{kn}
<div id="rapport" hidden><a id="rapport-link" class="t-Button" href="#" download>Download het rapport (PDF)</a> <span class="t-Form-inlineHelp">PDF, ca. 2 kB</span></div>"##,
        kn = item(
            "P40_KLANTNUMMER",
            "Klantnummer",
            &format!(
                r##"<select id="P40_KLANTNUMMER" name="P40_KLANTNUMMER" class="selectlist apex-item-select"><option value="">Kies een klantnummer</option>{options}</select>"##
            )
        ),
    );
    let body = region("R_RAPPORT", "Rapport downloaden", "", &inner);
    let mut page = Page::new("E-commerce inzichten", look, 40, body).user(user, csrf);
    page.script = scripts::ECOMMERCE;
    page.render()
}

/// Stap 5 without (visible) access to the report.
pub(crate) fn ecommerce_no_access(look: Look, user: &User, csrf: &str) -> String {
    let body = format!(
        r##"{}<a class="t-Button t-Button--link" href="/apex/BPG_Home">&larr; Terug naar home</a>"##,
        alert(false, "Je hebt (nog) geen toegang tot dit rapport. Na het toekennen van de autorisatie kan het tot 60 minuten duren voordat je het rapport kunt openen.")
    );
    Page::new("E-commerce inzichten", look, 40, body)
        .user(user, csrf)
        .render()
}

/// A placeholder page for portal features outside the guide. `user` is None before login.
pub(crate) fn info(look: Look, title: &str, user: Option<(&User, &str)>) -> String {
    let back = if user.is_some() {
        r##"<a class="t-Button t-Button--link" href="/apex/BPG_Home">&larr; Terug naar home</a>"##
    } else {
        r##"<a class="t-Button t-Button--link" href="/">&larr; Terug naar inloggen</a>"##
    };
    let body = region(
        "R_INFO",
        title,
        "",
        &format!("<p>Dit onderdeel van Mijn PostNL is in deze replica niet uitgewerkt.</p>{back}"),
    );
    let mut page = Page::new(title, look, 50, body);
    if let Some((u, csrf)) = user {
        page = page.user(u, csrf);
    }
    page.render()
}

/// APEX's error page.
fn error_page(look: Look, title: &str, code: &str, text: &str) -> String {
    let body = format!(
        r##"<p class="error-code" aria-hidden="true">{code}</p>{alert}<a class="t-Button t-Button--link" href="/apex/BPG_Home">&larr; Naar de homepage</a>"##,
        alert = alert(false, text)
    );
    let mut page = Page::new(title, look, 0, body);
    page.template = Template::Login;
    page.render()
}

pub(crate) fn server_error(look: Look) -> String {
    error_page(
        look,
        "Storing",
        "500",
        "Er is iets misgegaan. Door een technische storing kunnen we deze pagina nu niet tonen (foutcode 500). Probeer het over een paar minuten opnieuw.",
    )
}

pub(crate) fn not_found(look: Look) -> String {
    error_page(
        look,
        "Niet gevonden",
        "404",
        "Pagina niet gevonden. De pagina die je zoekt bestaat niet (meer).",
    )
}

pub(crate) fn forbidden(look: Look) -> String {
    error_page(
        look,
        "Geen toegang",
        "403",
        "Deze actie is niet toegestaan. Herlaad de pagina en probeer het opnieuw.",
    )
}
