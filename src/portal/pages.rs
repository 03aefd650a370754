//! The classic portal and its redesign ([`Standard`]): the content of each screen of the
//! guide, with its exact Dutch texts, plus the page scripts. `Variant::Alt` has its own screens
//! (`portal::alt`).

use serde_json::json;

use super::catalog::{self, RIGHT_BEHEREN, RIGHT_KLANTNUMMERINSTELLINGEN};
use super::html::{esc, HeaderUser, Layout};
use super::rendition::{Look, Rendition};
use super::state::{Klantnummer, User};
use super::Variant;

/// Where the forced password change lives.
pub(crate) const PASSWORD_PATH: &str = "/apex/BPG_Wachtwoord_Wijzigen";
/// The authorisations page (Stap 4).
pub(crate) const AUTHORISATIONS_PATH: &str = "/apex/BPG_My_Account?PageTile=ShowMyAuthorizations";
/// The E-commerce Inzichten page (Stap 5).
pub(crate) const ECOMMERCE_PATH: &str = "/apex/BPG_EcommerceInsights";

/// The text shown after wrong credentials.
pub(crate) const LOGIN_ERROR: &str =
    "Onjuist e-mailadres of wachtwoord. Controleer je gegevens en probeer het opnieuw.";

/// The server-rendered rendition: classic (as the guide shows it) or the redesign (same
/// markup, other look, a renamed and moved checkbox, an interstitial on the home page).
pub(crate) struct Standard {
    look: Look,
}

impl Standard {
    pub fn new(look: Look) -> Self {
        Standard { look }
    }
}

impl Rendition for Standard {
    fn login(&self, error: Option<&str>) -> String {
        login(self.look, error)
    }
    fn password_change(&self, csrf: &str, errors: &[&str]) -> String {
        password_change(self.look, csrf, errors)
    }
    fn home(&self, user: &User, csrf: &str, ecommerce: bool, intro: bool) -> String {
        home(self.look, user, csrf, ecommerce, intro)
    }
    fn my_account(&self, user: &User, csrf: &str, klantnummer_tab: bool) -> String {
        my_account(self.look, user, csrf, klantnummer_tab)
    }
    fn no_rights(&self, user: &User, csrf: &str) -> String {
        no_rights(self.look, user, csrf)
    }
    fn authorisations(
        &self,
        user: &User,
        csrf: &str,
        klantnummers: &[&Klantnummer],
        selected: &str,
        selected_user: Option<&str>,
    ) -> String {
        authorisations(self.look, user, csrf, klantnummers, selected, selected_user)
    }
    fn ecommerce(&self, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
        ecommerce(self.look, user, csrf, klantnummers)
    }
    fn ecommerce_no_access(&self, user: &User, csrf: &str) -> String {
        ecommerce_no_access(self.look, user, csrf)
    }
    fn info(&self, title: &str, user: Option<(&User, &str)>) -> String {
        info(self.look, title, user)
    }
    fn server_error(&self) -> String {
        server_error(self.look)
    }
    fn not_found(&self) -> String {
        not_found(self.look)
    }
    fn forbidden(&self) -> String {
        forbidden(self.look)
    }
    fn has_intro(&self) -> bool {
        self.look.variant == Variant::Redesign
    }
}

/// Stap 1: the login page.
fn login(look: Look, error: Option<&str>) -> String {
    let error = error
        .map(|e| format!(r##"<div class="alert" role="alert">{}</div>"##, esc(e)))
        .unwrap_or_default();
    let body = format!(
        r##"<p class="welcome">Welkom!</p>
<div class="login-grid">
<section class="card login-card" aria-labelledby="login-kop">
<h1 id="login-kop">Log in bij Mijn PostNL</h1>
<div class="info-box" role="note"><span class="info-icon" aria-hidden="true">i</span><p><strong>Let op:</strong> Zie je deze pagina voor het eerst? Je wordt dan bij het inloggen automatisch gevraagd eenmalig een nieuw wachtwoord in te stellen. Op die manier kunnen we je account optimaal beschermen.</p></div>
{error}
<form method="post" action="/">
<div class="field"><label for="email">E-mailadres</label><input id="email" name="email" type="email" autocomplete="username"></div>
<div class="field"><label for="password">Wachtwoord</label><input id="password" name="password" type="password" autocomplete="current-password"></div>
<div class="check"><input type="checkbox" id="remember" name="remember" value="1"><label for="remember">Onthoud mij</label></div>
<p><button type="submit" class="btn-primary btn-block">Inloggen bij Mijn PostNL</button></p>
</form>
<a class="link" href="/info/wachtwoord-vergeten">Wachtwoord vergeten?</a>
</section>
<aside class="card register-card" aria-labelledby="registreren-kop">
<h2 id="registreren-kop">Heb jij nog geen Mijn PostNL account?</h2>
<p>Met een zakelijk account verstuur je pakketten, bekijk je je facturen en beheer je wie wat mag binnen je organisatie.</p>
<a class="btn-secondary" href="/info/account-aanmaken">Maak een nieuw account aan</a>
</aside>
</div>"##
    );
    Layout::new("Inloggen", look, body).render()
}

/// The forced, one-time password change after the first login.
fn password_change(look: Look, csrf: &str, errors: &[&str]) -> String {
    let errors = if errors.is_empty() {
        String::new()
    } else {
        let items: String = errors.iter().map(|e| format!("<li>{}</li>", esc(e))).collect();
        format!(
            r##"<div class="alert" role="alert"><strong>Het wachtwoord is niet opgeslagen.</strong><ul>{items}</ul></div>"##
        )
    };
    let body = format!(
        r##"<section class="card narrow" aria-labelledby="wachtwoord-kop">
<h1 id="wachtwoord-kop">Nieuw wachtwoord instellen</h1>
<p>Je logt voor het eerst in op Mijn PostNL. Stel eenmalig een nieuw wachtwoord in, zodat we je account optimaal kunnen beschermen.</p>
{errors}
<form method="post" action="{PASSWORD_PATH}">
<input type="hidden" name="csrf" value="{csrf}">
<div class="field"><label for="nieuw-wachtwoord">Nieuw wachtwoord</label><input id="nieuw-wachtwoord" name="new_password" type="password" autocomplete="new-password" aria-describedby="wachtwoord-eisen">
<p class="hint" id="wachtwoord-eisen">Minimaal 8 tekens en anders dan je huidige wachtwoord.</p></div>
<div class="field"><label for="herhaal-wachtwoord">Herhaal nieuw wachtwoord</label><input id="herhaal-wachtwoord" name="repeat_password" type="password" autocomplete="new-password"></div>
<button type="submit" class="btn-primary">Wachtwoord opslaan</button>
</form>
</section>"##,
        csrf = esc(csrf),
    );
    Layout::new("Nieuw wachtwoord instellen", look, body).render()
}

const ICON_BOX: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2 3 6.5v11L12 22l9-4.5v-11zm0 2.2 6.5 3.2L12 10.7 5.5 7.4zM5 9.1l6 3v7.4l-6-3zm8 10.4v-7.4l6-3v7.4z"/></svg>"##;
const ICON_INVOICE: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M6 2h9l5 5v15H6zm8 1.5V8h4.5zM8 11h8v1.6H8zm0 3.5h8v1.6H8zm0 3.5h5v1.6H8z"/></svg>"##;
const ICON_PIN: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 2a7 7 0 0 0-7 7c0 5.2 7 13 7 13s7-7.8 7-13a7 7 0 0 0-7-7zm0 9.5A2.5 2.5 0 1 1 12 6.5a2.5 2.5 0 0 1 0 5z"/></svg>"##;
const ICON_BOOK: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M5 3h12a2 2 0 0 1 2 2v16H7a2 2 0 0 1-2-2zm2 2v14h10V5zm2 3h6v1.6H9zm0 3h6v1.6H9z"/></svg>"##;
const ICON_RETURN: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M10 4 3 10l7 6v-4h5a4 4 0 0 1 0 8h-3v2h3a6 6 0 0 0 0-12h-5z"/></svg>"##;
const ICON_CHART: &str = r##"<svg width="26" height="26" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M3 3h2v16h16v2H3zm4 10h3v5H7zm5-5h3v10h-3zm5 3h3v7h-3z"/></svg>"##;

fn tile(href: &str, icon: &str, title: &str, text: &str, extra_class: &str) -> String {
    format!(
        r##"<a class="tile {extra_class}" href="{href}"><span class="tile-icon">{icon}</span><h3>{title}</h3><p>{text}</p></a>"##,
        href = esc(href),
        title = esc(title),
        text = esc(text),
    )
}

/// Stap 2: the home page with tiles. `ecommerce` shows the "E-commerce Inzichten" tile;
/// `intro` shows the redesign's "Nieuw in Mijn PostNL" interstitial.
fn home(look: Look, user: &User, csrf: &str, ecommerce: bool, intro: bool) -> String {
    let mut tiles = vec![
        tile(
            "/apex/BPG_Info?titel=Zendingen",
            ICON_BOX,
            "Zendingen",
            "Maak zendingen aan, importeer ze en print je labels.",
            "",
        ),
        tile(
            "/apex/BPG_Info?titel=Facturen",
            ICON_INVOICE,
            "Facturen",
            "Bekijk en download je facturen en specificaties.",
            "",
        ),
        tile(
            "/apex/BPG_Info?titel=Track%20%26%20Trace",
            ICON_PIN,
            "Track & Trace",
            "Volg je verstuurde pakketten en brieven.",
            "",
        ),
        tile(
            "/apex/BPG_Info?titel=Adresboek",
            ICON_BOOK,
            "Adresboek",
            "Beheer je vaste ontvangers en afzenders.",
            "",
        ),
        tile(
            "/apex/BPG_Info?titel=Retouren",
            ICON_RETURN,
            "Retouren",
            "Regel retourlabels voor je klanten.",
            "",
        ),
    ];
    if ecommerce {
        tiles.insert(
            2,
            tile(
                ECOMMERCE_PATH,
                ICON_CHART,
                "E-commerce Inzichten",
                "Download het rapport over je webwinkelzendingen.",
                "tile-new",
            ),
        );
    }
    let body = format!(
        r##"<div class="hero"><div><h1>Welkom in Mijn PostNL</h1><p>Wat wil je vandaag regelen?</p></div></div>
<div class="home-grid">
<section aria-labelledby="tegels-kop"><h2 id="tegels-kop" class="visually-hidden">Snel naar</h2><div class="tiles">{tiles}</div></section>
<aside class="card side" aria-labelledby="berichten-kop"><h2 id="berichten-kop">Berichten</h2><ul>
<li>Op zondag voeren we gepland onderhoud uit tussen 02:00 en 06:00 uur.</li>
<li>Tip: geef collega's precies de toegang die ze nodig hebben via je accountinstellingen.</li>
</ul></aside>
</div>"##,
        tiles = tiles.concat()
    );
    let mut page = Layout::new("Home", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    if intro {
        page.after = INTRO_DIALOG.to_string();
        page.script = INTRO_SCRIPT;
    }
    page.render()
}

const INTRO_DIALOG: &str = r##"<div class="modal-overlay" id="intro">
<div class="modal" role="dialog" aria-modal="true" aria-label="Nieuw in Mijn PostNL" aria-describedby="intro-tekst">
<p class="badge">Nieuw</p>
<h2>Mijn PostNL is vernieuwd</h2>
<p id="intro-tekst">We hebben Mijn PostNL een nieuw uiterlijk gegeven. Je accountinstellingen vind je voortaan in de balk onder de kop, en rapportages hebben een eigen plek gekregen.</p>
<div class="actions"><button type="button" class="btn-primary" data-sluit>Sluiten</button><button type="button" class="btn-secondary" data-sluit>Later</button></div>
</div>
</div>"##;

const INTRO_SCRIPT: &str = r##"
(function () {
  var intro = document.getElementById('intro');
  if (!intro) return;
  intro.querySelectorAll('[data-sluit]').forEach(function (b) {
    b.addEventListener('click', function () {
      document.cookie = 'intro_gezien=1; path=/; max-age=31536000; SameSite=Lax';
      intro.remove();
    });
  });
  intro.querySelector('button').focus();
})();
"##;

/// Masks an e-mail address for display: "g••••••@postnl.example".
fn mask_email(email: &str) -> String {
    match email.split_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().take(1).collect();
            format!("{first}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}@{domain}")
        }
        None => "\u{2022}\u{2022}\u{2022}\u{2022}".to_string(),
    }
}

/// Stap 3: Mijn Account with the two tabs. `klantnummer_tab` opens the second tab.
fn my_account(look: Look, user: &User, csrf: &str, klantnummer_tab: bool) -> String {
    let (sel_p, sel_k) = if klantnummer_tab {
        ("false", "true")
    } else {
        ("true", "false")
    };
    let (hid_p, hid_k) = if klantnummer_tab {
        (" hidden", "")
    } else {
        ("", " hidden")
    };
    let body = format!(
        r##"<h1>Mijn Account</h1>
<div class="tabs" role="tablist" aria-label="Mijn Account">
<button type="button" role="tab" id="tab-persoonlijk" aria-controls="panel-persoonlijk" aria-selected="{sel_p}" tabindex="{ti_p}">Persoonlijke instellingen</button>
<button type="button" role="tab" id="tab-klantnummer" aria-controls="panel-klantnummer" aria-selected="{sel_k}" tabindex="{ti_k}">Klantnummerinstellingen</button>
</div>
<section class="card" id="panel-persoonlijk" role="tabpanel" aria-labelledby="tab-persoonlijk"{hid_p}>
<h2>Je gegevens</h2>
<dl class="details"><dt>Naam</dt><dd>{name}</dd><dt>E-mailadres</dt><dd>{email}</dd><dt>Taal</dt><dd>Nederlands</dd></dl>
<ul class="link-list">
<li><a href="/apex/BPG_Info?titel=Wachtwoord%20wijzigen">Wachtwoord wijzigen</a><span>Kies regelmatig een nieuw, sterk wachtwoord.</span></li>
<li><a href="/apex/BPG_Info?titel=Contactgegevens">Contactgegevens</a><span>Je naam, telefoonnummer en functie.</span></li>
<li><a href="/apex/BPG_Info?titel=Nieuwsbrieven">Nieuwsbrieven</a><span>Kies welke e-mails je van ons ontvangt.</span></li>
</ul>
</section>
<section class="card" id="panel-klantnummer" role="tabpanel" aria-labelledby="tab-klantnummer"{hid_k}>
<h2>Instellingen voor je klantnummers</h2>
<ul class="link-list">
<li><a href="{AUTHORISATIONS_PATH}">Autorisaties</a><span>Bepaal welke gebruikers wat mogen per klantnummer.</span></li>
<li><a href="/apex/BPG_Info?titel=Klantnummergegevens">Klantnummergegevens</a><span>Bedrijfsnaam, adres en KvK-nummer.</span></li>
<li><a href="/apex/BPG_Info?titel=Factuurinstellingen">Factuurinstellingen</a><span>Factuuradres en betaalwijze.</span></li>
<li><a href="/apex/BPG_Info?titel=Verzendvoorkeuren">Verzendvoorkeuren</a><span>Standaardopties voor je zendingen.</span></li>
</ul>
</section>"##,
        ti_p = if klantnummer_tab { "-1" } else { "0" },
        ti_k = if klantnummer_tab { "0" } else { "-1" },
        name = esc(&user.name),
        email = esc(&mask_email(&user.email)),
    );
    let mut page = Layout::new("Mijn Account", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    page.script = TABS_SCRIPT;
    page.render()
}

const TABS_SCRIPT: &str = r##"
(function () {
  var tabs = Array.prototype.slice.call(document.querySelectorAll('[role=tab]'));
  function select(tab) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      t.tabIndex = on ? 0 : -1;
      document.getElementById(t.getAttribute('aria-controls')).hidden = !on;
    });
    var u = new URL(location.href);
    u.searchParams.set('tab', tab.id === 'tab-klantnummer' ? 'klantnummer' : 'persoonlijk');
    history.replaceState(null, '', u);
  }
  tabs.forEach(function (t, i) {
    t.addEventListener('click', function () { select(t); });
    t.addEventListener('keydown', function (e) {
      if (e.key !== 'ArrowRight' && e.key !== 'ArrowLeft') return;
      var n = tabs[(i + (e.key === 'ArrowRight' ? 1 : tabs.length - 1)) % tabs.length];
      select(n); n.focus();
    });
  });
})();
"##;

/// Stap 3 without the rights: the Dutch refusal (status 403 is set by the caller).
fn no_rights(look: Look, user: &User, csrf: &str) -> String {
    let body = format!(
        r##"<h1>Mijn Account</h1>
<section class="card">
<div class="alert" role="alert">
<h2>Je hebt geen toegang tot Autorisaties</h2>
<p>Om deze pagina te openen heb je de volgende gebruikersautorisaties nodig:</p>
<ul><li>{RIGHT_KLANTNUMMERINSTELLINGEN}</li><li>{RIGHT_BEHEREN}</li></ul>
<p>Vraag de beheerder (admin) van je klantnummer om je deze autorisaties te geven.</p>
</div>
<a class="back" href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug naar Mijn Account</a>
</section>"##
    );
    let mut page = Layout::new("Geen toegang", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    page.render()
}

/// Stap 4: the authorisations page. The user list loads asynchronously (see the script).
fn authorisations(
    look: Look,
    user: &User,
    csrf: &str,
    klantnummers: &[&Klantnummer],
    selected: &str,
    selected_user: Option<&str>,
) -> String {
    let options: String = klantnummers
        .iter()
        .map(|k| {
            let sel = if k.number == selected { " selected" } else { "" };
            format!(r##"<option value="{}"{sel}>{}</option>"##, esc(&k.number), esc(&k.name))
        })
        .collect();
    let tree: String = catalog::tree(look.variant)
        .iter()
        .enumerate()
        .map(|(g, (group, boxes))| {
            let items: String = boxes
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    format!(
                        r##"<div class="check"><input type="checkbox" id="autorisatie-{g}-{i}" name="autorisatie" value="{value}"><label for="autorisatie-{g}-{i}">{label}</label></div>"##,
                        value = esc(c.name),
                        label = esc(c.label)
                    )
                })
                .collect();
            format!(
                r##"<fieldset><legend>{}</legend>{items}</fieldset>"##,
                esc(group)
            )
        })
        .collect();
    let tree = if look.shadow_tree {
        shadow_tree(&tree)
    } else {
        format!(r##"<div class="tree">{tree}</div>"##)
    };
    let body = format!(
        r##"<h1>Mijn Account</h1>
<nav class="subnav" aria-label="Mijn Account">
<a href="/apex/bpg_my_account">Persoonlijke instellingen</a><span class="sep" aria-hidden="true">|</span>
<a href="/apex/bpg_my_account?tab=klantnummer" aria-current="page">Klantnummerinstellingen</a><span class="sep" aria-hidden="true">|</span>
<label for="klantnummer" class="visually-hidden">Klantnummer</label><select id="klantnummer" name="klantnummer">{options}</select><span class="sep" aria-hidden="true">|</span>
<a href="/apex/BPG_Info?titel=Hulp%20nodig">Hulp nodig ?</a>
</nav>
<section class="card" aria-labelledby="autorisaties-kop">
<div class="section-head"><h2 id="autorisaties-kop">Autorisaties</h2><a class="back" href="/apex/bpg_my_account?tab=klantnummer">&larr; Terug</a></div>
<div id="pagina-status" role="status" class="status-msg"></div>
<p id="categorie-kop">Kies een categorie om de autorisaties te beheren</p>
<div class="segmented" role="group" aria-labelledby="categorie-kop"><button type="button" id="categorie-gebruiker" aria-pressed="true">Gebruiker</button><span class="sep" aria-hidden="true">|</span><button type="button" id="categorie-klantnummer" aria-pressed="false">Klantnummer</button></div>
<div id="per-gebruiker">
<h3 id="gebruikers-kop">Selecteer een gebruiker om de autorisaties te wijzigen</h3>
<div class="user-picker">
<ul id="gebruikers" role="listbox" aria-labelledby="gebruikers-kop" tabindex="0" aria-busy="true"></ul>
<button type="button" class="btn-secondary" id="gebruiker-toevoegen">Gebruiker toevoegen</button>
</div>
<p id="gebruikers-laden" class="muted loading" aria-live="polite">Gebruikers laden&hellip;</p>
<p id="toevoegen-melding" class="info-box" hidden>Nieuwe gebruikers nodig je uit met hun zakelijke e-mailadres. Uitnodigen is in deze omgeving niet beschikbaar.</p>
<section id="details" aria-labelledby="details-kop" hidden>
<div class="section-head"><h3 id="details-kop">Autorisaties voor <span id="details-naam"></span></h3><a href="#verwijderen" id="verwijderen" class="danger-link">Gebruikersaccount verwijderen</a></div>
<form id="autorisaties-form">
{tree}
<div class="form-actions"><button type="submit" class="btn-primary" id="opslaan">Opslaan</button></div>
<div id="opslaan-status" role="status" class="status-msg"></div>
<div id="opslaan-fout" role="alert" class="alert" hidden></div>
</form>
</section>
</div>
<div id="per-klantnummer" hidden>
<h3>Gebruikers van dit klantnummer</h3>
<table class="overview"><thead><tr><th scope="col">Gebruiker</th><th scope="col">Aantal autorisaties</th></tr></thead><tbody id="overzicht"></tbody></table>
</div>
</section>"##
    );
    let mut page = Layout::new("Autorisaties", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    page.after = DELETE_DIALOG.to_string();
    page.script = AUTHORISATIONS_SCRIPT;
    page.data = Some(json!({
        "csrf": csrf,
        "klantnummer": selected,
        "gebruiker": selected_user,
        "ik": user.id,
        "vertraging": 350,
    }));
    page.render()
}

/// `--shadow-tree`: the checkbox tree as a design system's web component: `<autorisatie-boom>`
/// with an open shadow root (declarative, so it is in the page from the start), the labels and
/// boxes inside it. It is form-associated: the form still submits the ticked boxes as
/// `autorisatie`, and it re-dispatches `change` (which does not cross the shadow boundary).
fn shadow_tree(tree: &str) -> String {
    format!(
        r##"<autorisatie-boom name="autorisatie"><template shadowrootmode="open"><style>{SHADOW_TREE_CSS}</style><div class="tree" part="tree">{tree}</div></template></autorisatie-boom>
<script>{SHADOW_TREE_SCRIPT}</script>"##
    )
}

const SHADOW_TREE_CSS: &str = ".tree { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 16px; margin: 12px 0 20px; } \
fieldset { border: 1px solid #d9dbe3; border-radius: 10px; padding: 12px 18px 14px; margin: 0; } \
legend { font-weight: 800; color: #141f4b; padding: 0 6px; } \
.check { display: flex; align-items: center; gap: 10px; margin: 6px 0; } \
.check input { width: 18px; height: 18px; accent-color: #ff6200; margin: 0; }";

const SHADOW_TREE_SCRIPT: &str = r##"
customElements.define('autorisatie-boom', class extends HTMLElement {
  static formAssociated = true;
  constructor() {
    super();
    this.internals = this.attachInternals();
    var root = this.shadowRoot || this.attachShadow({ mode: 'open' });
    var self = this;
    root.addEventListener('change', function () { self.sync(); self.dispatchEvent(new Event('change', { bubbles: true })); });
    this.sync();
  }
  boxes() { return Array.prototype.slice.call(this.shadowRoot.querySelectorAll('input[type=checkbox]')); }
  set value(names) { this.boxes().forEach(function (b) { b.checked = names.indexOf(b.value) >= 0; }); this.sync(); }
  sync() {
    var fd = new FormData(), name = this.getAttribute('name');
    this.boxes().forEach(function (b) { if (b.checked) fd.append(name, b.value); });
    this.internals.setFormValue(fd);
  }
});
"##;

const DELETE_DIALOG: &str = r##"<div class="modal-overlay" id="verwijder-dialoog" hidden>
<div class="modal" role="alertdialog" aria-modal="true" aria-labelledby="verwijder-kop" aria-describedby="verwijder-tekst">
<h2 id="verwijder-kop">Gebruikersaccount verwijderen</h2>
<p id="verwijder-tekst">Weet je zeker dat je het account van <strong id="verwijder-naam"></strong> wilt verwijderen? Dit kan niet ongedaan worden gemaakt.</p>
<div class="actions"><button type="button" class="btn-danger" id="verwijder-ja">Ja, verwijderen</button><button type="button" class="btn-secondary" id="verwijder-nee">Annuleren</button></div>
</div>
</div>"##;

const AUTHORISATIONS_SCRIPT: &str = r##"
(function () {
  var cfg = JSON.parse(document.getElementById('pagina-data').textContent);
  var $ = function (id) { return document.getElementById(id); };
  var select = $('klantnummer'), list = $('gebruikers'), loading = $('gebruikers-laden');
  var details = $('details'), naam = $('details-naam'), form = $('autorisaties-form');
  var opslaan = $('opslaan'), status = $('opslaan-status'), fout = $('opslaan-fout'), paginaStatus = $('pagina-status');
  var kn = select.value, gebruiker = cfg.gebruiker || null, gebruikers = [], usersSeq = 0, detailsSeq = 0;

  function setUrl() {
    var u = new URL(location.href);
    u.searchParams.set('PageTile', 'ShowMyAuthorizations');
    u.searchParams.set('klantnummer', kn);
    if (gebruiker) u.searchParams.set('gebruiker', gebruiker); else u.searchParams.delete('gebruiker');
    history.replaceState(null, '', u);
  }
  function getJson(url) {
    return fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) { location.href = '/'; throw new Error('sessie'); }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }
  function loadUsers() {
    var my = ++usersSeq; detailsSeq++;
    list.innerHTML = ''; list.setAttribute('aria-busy', 'true'); list.removeAttribute('aria-activedescendant');
    loading.hidden = false; loading.textContent = 'Gebruikers laden\u2026'; details.hidden = true;
    setTimeout(function () {
      getJson('/apex/api/gebruikers?klantnummer=' + encodeURIComponent(kn)).then(function (data) {
        if (my !== usersSeq) return;
        gebruikers = data.gebruikers;
        render();
        if (gebruiker && gebruikers.some(function (g) { return g.id === gebruiker; })) selectUser(gebruiker);
        else { gebruiker = null; setUrl(); }
      }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
        if (my !== usersSeq) return;
        loading.textContent = 'De gebruikers konden niet worden geladen. Herlaad de pagina.';
      });
    }, cfg.vertraging);
  }
  function render() {
    list.innerHTML = '';
    var rows = '';
    gebruikers.forEach(function (g) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option'); li.id = 'gebruiker-' + g.id; li.setAttribute('data-id', g.id);
      li.setAttribute('aria-selected', 'false'); li.tabIndex = -1; li.textContent = g.naam;
      li.addEventListener('click', function () { selectUser(g.id); });
      list.appendChild(li);
    });
    var tbody = $('overzicht'); tbody.innerHTML = '';
    gebruikers.forEach(function (g) {
      var tr = document.createElement('tr'), a = document.createElement('td'), b = document.createElement('td');
      a.textContent = g.naam; b.textContent = g.aantal; tr.appendChild(a); tr.appendChild(b); tbody.appendChild(tr);
    });
    list.removeAttribute('aria-busy'); loading.hidden = true;
  }
  // The boxes live in the form, or in the shadow root of its <autorisatie-boom> (--shadow-tree).
  function setBoxes(names) {
    var boom = form.querySelector('autorisatie-boom');
    if (boom) { boom.value = names; return; }
    form.querySelectorAll('input[type=checkbox]').forEach(function (c) { c.checked = names.indexOf(c.value) >= 0; });
  }
  function selectUser(id) {
    gebruiker = id; setUrl();
    list.querySelectorAll('[role=option]').forEach(function (o) {
      o.setAttribute('aria-selected', o.getAttribute('data-id') === id ? 'true' : 'false');
    });
    list.setAttribute('aria-activedescendant', 'gebruiker-' + id);
    details.hidden = true; status.textContent = ''; fout.hidden = true;
    var my = ++detailsSeq;
    getJson('/apex/api/autorisaties?klantnummer=' + encodeURIComponent(kn) + '&gebruiker=' + encodeURIComponent(id)).then(function (d) {
      if (my !== detailsSeq) return;
      naam.textContent = d.naam;
      setBoxes(d.autorisaties);
      details.hidden = false;
    }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
      if (my !== detailsSeq) return;
      paginaStatus.textContent = 'De autorisaties konden niet worden geladen. Probeer het opnieuw.';
    });
  }
  list.addEventListener('keydown', function (e) {
    var opts = Array.prototype.slice.call(list.querySelectorAll('[role=option]'));
    if (!opts.length) return;
    var cur = opts.findIndex(function (o) { return o.getAttribute('aria-selected') === 'true'; });
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      var n = e.key === 'ArrowDown' ? Math.min(cur + 1, opts.length - 1) : Math.max(cur - 1, 0);
      selectUser(opts[n].getAttribute('data-id')); e.preventDefault();
    }
  });
  select.addEventListener('change', function () {
    if (select.value === kn) return;
    kn = select.value; setUrl(); loadUsers();
  });
  form.addEventListener('change', function () { status.textContent = ''; });
  form.addEventListener('submit', function (e) {
    e.preventDefault();
    if (opslaan.disabled || !gebruiker) return;
    var namen = new FormData(form).getAll('autorisatie');
    opslaan.disabled = true; opslaan.setAttribute('aria-busy', 'true'); status.textContent = ''; fout.hidden = true;
    fetch('/apex/api/autorisaties', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': cfg.csrf },
      body: JSON.stringify({ klantnummer: kn, gebruiker: gebruiker, autorisaties: namen })
    }).then(function (r) {
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    }).then(function () {
      status.textContent = 'De autorisaties zijn opgeslagen.';
    }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
      fout.textContent = 'De autorisaties konden niet worden opgeslagen. Probeer het opnieuw.'; fout.hidden = false;
    }).then(function () { opslaan.disabled = false; opslaan.removeAttribute('aria-busy'); });
  });
  function category(perUser) {
    $('categorie-gebruiker').setAttribute('aria-pressed', perUser ? 'true' : 'false');
    $('categorie-klantnummer').setAttribute('aria-pressed', perUser ? 'false' : 'true');
    $('per-gebruiker').hidden = !perUser; $('per-klantnummer').hidden = perUser;
  }
  $('categorie-gebruiker').addEventListener('click', function () { category(true); });
  $('categorie-klantnummer').addEventListener('click', function () { category(false); });
  $('gebruiker-toevoegen').addEventListener('click', function () { $('toevoegen-melding').hidden = false; });
  var dialoog = $('verwijder-dialoog');
  $('verwijderen').addEventListener('click', function (e) {
    e.preventDefault();
    if (!gebruiker) return;
    $('verwijder-naam').textContent = naam.textContent;
    dialoog.hidden = false; $('verwijder-nee').focus();
  });
  $('verwijder-nee').addEventListener('click', function () { dialoog.hidden = true; });
  $('verwijder-ja').addEventListener('click', function () {
    fetch('/apex/api/gebruikers/verwijderen', {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': cfg.csrf },
      body: JSON.stringify({ gebruiker: gebruiker })
    }).then(function (r) {
      dialoog.hidden = true;
      if (!r.ok) throw new Error('HTTP ' + r.status);
      paginaStatus.textContent = 'Het gebruikersaccount is verwijderd.';
      gebruiker = null; setUrl(); loadUsers();
    }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
      paginaStatus.textContent = 'Het gebruikersaccount kon niet worden verwijderd.';
    });
  });
  setUrl();
  loadUsers();
})();
"##;

/// Stap 5: choose a klantnummer, then a link downloads the PDF report.
fn ecommerce(look: Look, user: &User, csrf: &str, klantnummers: &[&Klantnummer]) -> String {
    let options: String = klantnummers
        .iter()
        .map(|k| format!(r##"<option value="{}">{}</option>"##, esc(&k.number), esc(&k.name)))
        .collect();
    let body = format!(
        r##"<h1>E-commerce inzichten</h1>
<section class="card narrow" aria-labelledby="rapport-kop">
<h2 id="rapport-kop">Rapport downloaden</h2>
<p>Het rapport laat zien hoe je webwinkelzendingen de afgelopen 30 dagen zijn verlopen: aantallen, bezorging bij de eerste poging en retouren.</p>
<div class="field"><label for="rapport-klantnummer">Klantnummer</label><select id="rapport-klantnummer" name="klantnummer"><option value="">Kies een klantnummer</option>{options}</select></div>
<div class="download" id="rapport" hidden><a id="rapport-link" href="#" download>Download het rapport (PDF)</a><span class="muted">PDF, ca. 2 kB</span></div>
</section>"##
    );
    let mut page = Layout::new("E-commerce inzichten", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    page.script = ECOMMERCE_SCRIPT;
    page.render()
}

const ECOMMERCE_SCRIPT: &str = r##"
(function () {
  var select = document.getElementById('rapport-klantnummer');
  var box = document.getElementById('rapport'), link = document.getElementById('rapport-link');
  function update() {
    var kn = select.value;
    if (!kn) { box.hidden = true; return; }
    link.href = '/apex/rapporten/e-commerce-inzichten-' + encodeURIComponent(kn) + '.pdf';
    box.hidden = false;
    var u = new URL(location.href); u.searchParams.set('klantnummer', kn); history.replaceState(null, '', u);
  }
  var initial = new URL(location.href).searchParams.get('klantnummer');
  if (initial && Array.prototype.some.call(select.options, function (o) { return o.value === initial; })) select.value = initial;
  select.addEventListener('change', update);
  update();
})();
"##;

/// Stap 5 without (visible) access to the report.
fn ecommerce_no_access(look: Look, user: &User, csrf: &str) -> String {
    let body = r##"<h1>E-commerce inzichten</h1>
<section class="card narrow"><div class="alert" role="alert">Je hebt (nog) geen toegang tot dit rapport. Na het toekennen van de autorisatie kan het tot 60 minuten duren voordat je het rapport kunt openen.</div>
<a class="back" href="/apex/BPG_Home">&larr; Terug naar home</a></section>"##
        .to_string();
    let mut page = Layout::new("Geen toegang", look, body);
    page.user = Some(HeaderUser {
        display_name: user.display_name(),
        csrf,
    });
    page.render()
}

/// A placeholder page for portal features outside the guide. `user` is None before login.
fn info(look: Look, title: &str, user: Option<(&User, &str)>) -> String {
    let back = if user.is_some() {
        r##"<a class="back" href="/apex/BPG_Home">&larr; Terug naar home</a>"##
    } else {
        r##"<a class="back" href="/">&larr; Terug naar inloggen</a>"##
    };
    let body = format!(
        r##"<section class="card narrow"><h1>{title}</h1><p>Dit onderdeel van Mijn PostNL is in deze replica niet uitgewerkt.</p>{back}</section>"##,
        title = esc(title)
    );
    let mut page = Layout::new(title, look, body);
    page.user = user.map(|(u, csrf)| HeaderUser {
        display_name: u.display_name(),
        csrf,
    });
    page.render()
}

/// The Dutch error page for HTTP 500 (also used by `--fail-on`).
fn server_error(look: Look) -> String {
    let body = r##"<section class="card narrow"><p class="error-code" aria-hidden="true">500</p><h1>Er is iets misgegaan</h1>
<p>Door een technische storing kunnen we deze pagina nu niet tonen (foutcode 500). Probeer het over een paar minuten opnieuw.</p>
<a class="back" href="/apex/BPG_Home">&larr; Naar de homepage</a></section>"##
        .to_string();
    Layout::new("Storing", look, body).render()
}

/// 404.
fn not_found(look: Look) -> String {
    let body = r##"<section class="card narrow"><p class="error-code" aria-hidden="true">404</p><h1>Pagina niet gevonden</h1>
<p>De pagina die je zoekt bestaat niet (meer).</p><a class="back" href="/apex/BPG_Home">&larr; Naar de homepage</a></section>"##
        .to_string();
    Layout::new("Niet gevonden", look, body).render()
}

/// A generic refusal (e.g. a form with an invalid CSRF token).
fn forbidden(look: Look) -> String {
    let body = r##"<section class="card narrow"><h1>Geen toegang</h1><div class="alert" role="alert">Deze actie is niet toegestaan. Herlaad de pagina en probeer het opnieuw.</div>
<a class="back" href="/apex/BPG_Home">&larr; Naar de homepage</a></section>"##
        .to_string();
    Layout::new("Geen toegang", look, body).render()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_email() {
        assert_eq!(
            mask_email("gatuser@postnl.example"),
            "g\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}@postnl.example"
        );
    }
}
