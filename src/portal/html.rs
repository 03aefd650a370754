//! The page frame shared by every screen: inline CSS (PostNL orange and navy, or the redesign's
//! blue), the header with logo and user menu, the footer, and the cookie-consent banner script.

use serde_json::Value;

use super::rendition::Look;
use super::{cookie, Variant};

/// Escapes text for HTML content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    crate::markup::escape(s)
}

/// JSON that is safe inside `<script type="application/json">`.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// The logged-in user as the header shows him.
pub(crate) struct HeaderUser<'a> {
    /// E.g. "GATUser, PostNL".
    pub display_name: &'a str,
    /// The session's CSRF token, for the logout form.
    pub csrf: &'a str,
}

/// One page to render.
pub(crate) struct Layout<'a> {
    pub title: &'a str,
    pub look: Look,
    pub user: Option<HeaderUser<'a>>,
    /// The content of `<main>`.
    pub body: String,
    /// Markup placed after `<footer>` (modals).
    pub after: String,
    /// Page script (static source).
    pub script: &'static str,
    /// Page data, exposed to the script as `#pagina-data`.
    pub data: Option<Value>,
}

impl<'a> Layout<'a> {
    pub fn new(title: &'a str, look: Look, body: String) -> Self {
        Layout {
            title,
            look,
            user: None,
            body,
            after: String::new(),
            script: "",
            data: None,
        }
    }

    pub fn render(&self) -> String {
        let variant_class = match self.look.variant {
            Variant::Classic => "variant-classic",
            Variant::Redesign => "variant-redesign",
            // Alt and Apex pages have their own frames; this one is never used for them.
            Variant::Alt | Variant::Apex => "variant-classic",
        };
        let nav = if self.user.is_some() {
            r##"<nav class="main-nav" aria-label="Hoofdmenu"><a href="/apex/BPG_Home">Home</a><a href="/apex/BPG_Info?titel=Versturen">Versturen</a><a href="/apex/BPG_Info?titel=Ontvangen">Ontvangen</a><a href="/apex/BPG_Info?titel=Klantenservice">Klantenservice</a></nav>"##
        } else {
            r##"<nav class="main-nav" aria-label="Hoofdmenu"><a href="/info/zakelijk">Zakelijk</a><a href="/info/klantenservice">Klantenservice</a></nav>"##
        };
        let menu = self.user.as_ref().map(user_menu).unwrap_or_default();
        let (in_header, below_header) = match self.look.variant {
            Variant::Classic | Variant::Alt | Variant::Apex => (menu, String::new()),
            Variant::Redesign if self.user.is_some() => (
                String::new(),
                format!(
                    r##"<div class="account-bar"><div class="account-bar-inner"><span class="account-hint">Je account</span>{menu}</div></div>"##
                ),
            ),
            Variant::Redesign => (String::new(), String::new()),
        };
        let data = self
            .data
            .as_ref()
            .map(|v| {
                format!(
                    r##"<script type="application/json" id="pagina-data">{}</script>"##,
                    script_json(v)
                )
            })
            .unwrap_or_default();
        let menu_script = if self.user.is_some() { MENU_SCRIPT } else { "" };
        let cookie_script = if self.look.cookie_iframe {
            cookie::IFRAME_SCRIPT
        } else {
            COOKIE_SCRIPT
        };
        format!(
            r##"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} | Mijn PostNL</title>
<style>{CSS}</style>
</head>
<body class="{variant_class}">
<a class="skip-link" href="#inhoud">Naar de inhoud</a>
<header class="site-header">
<div class="header-inner">
<a class="logo" href="/apex/BPG_Home" aria-label="PostNL, naar Mijn PostNL home">{LOGO}<span class="logo-text">Mijn PostNL</span></a>
{nav}
{in_header}
</div>
</header>
{below_header}
<main id="inhoud" class="page">
{body}
</main>
<footer class="site-footer">
<div class="footer-inner">
<span>&copy; PostNL</span>
<a href="/info/privacy">Privacy</a>
<a href="/info/cookies">Cookies</a>
<a href="/info/voorwaarden">Algemene voorwaarden</a>
<span class="demo-note">Replica voor demo en test</span>
</div>
</footer>
{after}
{data}
<script>{cookie_script}</script>
<script>{menu_script}</script>
<script>{script}</script>
</body>
</html>
"##,
            title = esc(self.title),
            after = self.after,
            body = self.body,
            script = self.script,
        )
    }
}

fn user_menu(u: &HeaderUser<'_>) -> String {
    format!(
        r##"<div class="user-menu">
<button type="button" class="user-button" id="gebruikersmenu-knop" aria-haspopup="menu" aria-expanded="false" aria-controls="gebruikersmenu">{PERSON_ICON}{name}</button>
<ul class="menu" id="gebruikersmenu" role="menu" aria-labelledby="gebruikersmenu-knop" hidden>
<li role="none"><a role="menuitem" href="/apex/bpg_my_account">Mijn Account</a></li>
<li role="none"><form method="post" action="/uitloggen"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" role="menuitem">Uitloggen</button></form></li>
</ul>
</div>"##,
        name = esc(u.display_name),
        csrf = esc(u.csrf),
    )
}

const LOGO: &str = r##"<svg class="logo-mark" width="46" height="46" viewBox="0 0 46 46" aria-hidden="true" focusable="false"><circle cx="23" cy="23" r="22" fill="var(--brand)"/><text x="23" y="27" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="11" fill="#fff">PostNL</text></svg>"##;

const PERSON_ICON: &str = r##"<svg class="person-icon" width="18" height="18" viewBox="0 0 24 24" aria-hidden="true" focusable="false"><circle cx="12" cy="8" r="4" fill="currentColor"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z" fill="currentColor"/></svg>"##;

/// Inserts the cookie banner a moment after load while no consent cookie is set; its overlay
/// blocks every click until "Accepteren" or "Weigeren" is chosen.
pub(crate) const COOKIE_SCRIPT: &str = r##"
(function () {
  if (document.cookie.split(';').some(function (c) { return c.trim().indexOf('cookie_consent=') === 0; })) return;
  setTimeout(function () {
    var overlay = document.createElement('div');
    overlay.className = 'cookie-overlay';
    overlay.id = 'cookie-overlay';
    overlay.innerHTML =
      '<div class="cookie-banner" role="dialog" aria-modal="true" aria-label="Cookies" aria-describedby="cookie-tekst">' +
      '<h2 class="cookie-title">PostNL gebruikt cookies</h2>' +
      '<p id="cookie-tekst">Wij gebruiken functionele en analytische cookies om Mijn PostNL goed te laten werken en te verbeteren. ' +
      'Met jouw toestemming plaatsen wij ook cookies om je relevante informatie te tonen. Lees meer in onze <a href="/info/cookies">cookieverklaring</a>.</p>' +
      '<div class="cookie-actions"><button type="button" class="btn-primary" data-consent="accepted">Accepteren</button>' +
      '<button type="button" class="btn-secondary" data-consent="declined">Weigeren</button></div></div>';
    document.body.appendChild(overlay);
    overlay.querySelectorAll('button[data-consent]').forEach(function (b) {
      b.addEventListener('click', function () {
        document.cookie = 'cookie_consent=' + b.getAttribute('data-consent') + '; path=/; max-age=31536000; SameSite=Lax';
        overlay.remove();
      });
    });
    overlay.querySelector('button').focus();
  }, 200);
})();
"##;

/// The user menu button: toggles the menu, closes it on Escape or a click elsewhere.
const MENU_SCRIPT: &str = r##"
(function () {
  var btn = document.getElementById('gebruikersmenu-knop');
  var menu = document.getElementById('gebruikersmenu');
  if (!btn || !menu) return;
  function setOpen(open) {
    btn.setAttribute('aria-expanded', open ? 'true' : 'false');
    menu.hidden = !open;
  }
  btn.addEventListener('click', function (e) {
    e.stopPropagation();
    var open = btn.getAttribute('aria-expanded') !== 'true';
    setOpen(open);
    if (open) menu.querySelector('[role=menuitem]').focus();
  });
  document.addEventListener('click', function (e) { if (!menu.contains(e.target)) setOpen(false); });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && !menu.hidden) { setOpen(false); btn.focus(); }
    if (menu.hidden || (e.key !== 'ArrowDown' && e.key !== 'ArrowUp')) return;
    var items = Array.prototype.slice.call(menu.querySelectorAll('[role=menuitem]'));
    var i = items.indexOf(document.activeElement);
    i = e.key === 'ArrowDown' ? (i + 1) % items.length : (i - 1 + items.length) % items.length;
    items[i].focus();
    e.preventDefault();
  });
})();
"##;

const CSS: &str = r##"
:root { --brand: #ff6200; --brand-dark: #e05400; --brand-light: #fff0e6; --navy: #141f4b; --navy-2: #26356f;
  --grey: #f3f3f6; --line: #d9dbe3; --text: #141f4b; --muted: #5c6380; --ok: #1f7a3d; --error: #c4161c; }
body.variant-redesign { --brand: #1b5fd6; --brand-dark: #1449a8; --brand-light: #e8f0fd; --navy: #0b1533; --grey: #eef2f8; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; }
body { font-family: "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 16px; line-height: 1.5; color: var(--text);
  background: var(--grey); min-height: 100vh; display: flex; flex-direction: column; }
a { color: var(--navy-2); }
a:hover { color: var(--brand-dark); }
h1, h2, h3 { color: var(--navy); line-height: 1.25; margin: 0 0 12px; }
h1 { font-size: 30px; } h2 { font-size: 22px; } h3 { font-size: 18px; }
.visually-hidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip-link { position: absolute; left: -999px; top: 0; }
.skip-link:focus { left: 8px; top: 8px; background: #fff; padding: 8px; z-index: 50; }
.site-header { background: #fff; border-bottom: 1px solid var(--line); box-shadow: 0 2px 6px rgba(20,31,75,.06); }
.header-inner { max-width: 1180px; margin: 0 auto; padding: 12px 24px; display: flex; align-items: center; gap: 32px; }
.logo { display: flex; align-items: center; gap: 12px; text-decoration: none; color: var(--navy); }
.logo-text { font-size: 20px; font-weight: 700; }
.main-nav { display: flex; gap: 24px; flex: 1; }
.main-nav a { text-decoration: none; font-weight: 600; color: var(--navy); padding: 6px 0; border-bottom: 3px solid transparent; }
.main-nav a:hover { border-bottom-color: var(--brand); color: var(--navy); }
.user-menu { position: relative; margin-left: auto; }
.user-button { display: inline-flex; align-items: center; gap: 8px; background: var(--brand); color: #fff; border: 0; border-radius: 24px;
  padding: 10px 20px; font: inherit; font-weight: 700; cursor: pointer; box-shadow: 0 2px 4px rgba(0,0,0,.12); }
.user-button:hover { background: var(--brand-dark); }
.user-button::after { content: ""; border: 5px solid transparent; border-top-color: #fff; margin-top: 5px; }
.user-button[aria-expanded="true"]::after { border-top-color: transparent; border-bottom-color: #fff; margin-top: -5px; }
.menu { position: absolute; right: 0; top: calc(100% + 8px); min-width: 220px; list-style: none; margin: 0; padding: 8px 0; background: #fff;
  border: 1px solid var(--line); border-radius: 10px; box-shadow: 0 8px 24px rgba(20,31,75,.18); z-index: 20; }
.menu[hidden] { display: none; }
.menu a, .menu button { display: block; width: 100%; text-align: left; padding: 10px 18px; color: var(--navy); text-decoration: none;
  background: none; border: 0; font: inherit; cursor: pointer; }
.menu a:hover, .menu button:hover, .menu a:focus, .menu button:focus { background: var(--brand-light); outline: none; }
.menu form { margin: 0; }
body.variant-redesign .site-header { background: var(--navy); border-bottom: 0; }
body.variant-redesign .logo, body.variant-redesign .main-nav a { color: #fff; }
body.variant-redesign .logo-mark circle { fill: #fff; }
body.variant-redesign .logo-mark text { fill: var(--brand); }
.account-bar { background: #fff; border-bottom: 1px solid var(--line); }
.account-bar-inner { max-width: 1180px; margin: 0 auto; padding: 8px 24px; display: flex; align-items: center; gap: 12px; }
.account-hint { color: var(--muted); font-size: 14px; }
.account-bar .user-menu { margin-left: 0; }
.account-bar .user-button { border-radius: 6px; }
.page { flex: 1; width: 100%; max-width: 1180px; margin: 0 auto; padding: 32px 24px 48px; }
.card { background: #fff; border-radius: 12px; box-shadow: 0 1px 3px rgba(20,31,75,.10); padding: 28px; margin-bottom: 24px; }
.narrow { max-width: 560px; }
.muted { color: var(--muted); }
.btn-primary, .btn-secondary, .btn-danger { display: inline-block; border-radius: 24px; padding: 11px 26px; font: inherit; font-weight: 700;
  cursor: pointer; text-decoration: none; text-align: center; }
.btn-primary { background: var(--brand); color: #fff; border: 2px solid var(--brand); }
.btn-primary:hover { background: var(--brand-dark); border-color: var(--brand-dark); color: #fff; }
.btn-primary:disabled { opacity: .55; cursor: progress; }
.btn-secondary { background: #fff; color: var(--navy); border: 2px solid var(--navy); }
.btn-secondary:hover { background: var(--grey); color: var(--navy); }
.btn-danger { background: var(--error); color: #fff; border: 2px solid var(--error); }
.btn-block { width: 100%; }
.field { margin-bottom: 18px; }
.field label { display: block; font-weight: 700; margin-bottom: 6px; }
.field input, .field select { width: 100%; padding: 12px 14px; font: inherit; color: var(--text); border: 1px solid #b9bccb; border-radius: 6px; background: #fff; }
.field input:focus, .field select:focus, select:focus { outline: 3px solid var(--brand-light); border-color: var(--brand); }
.hint { font-size: 14px; color: var(--muted); margin: 6px 0 0; }
.check { display: flex; align-items: center; gap: 10px; margin: 6px 0; }
.check input { width: 18px; height: 18px; accent-color: var(--brand); margin: 0; }
.alert { border-left: 5px solid var(--error); background: #fdecec; color: #5c0b0e; padding: 14px 18px; border-radius: 6px; margin: 0 0 18px; }
.alert h2 { color: #5c0b0e; font-size: 19px; }
.alert ul { margin: 6px 0; }
.status-msg:not(:empty) { border-left: 5px solid var(--ok); background: #e9f6ee; color: #0f4522; padding: 12px 16px; border-radius: 6px; margin-top: 16px; }
.info-box { display: flex; gap: 12px; background: #eef4fb; border-radius: 8px; padding: 14px 16px; margin: 8px 0 22px; font-size: 15px; }
.info-box p { margin: 0; }
.info-icon { flex: none; width: 22px; height: 22px; border-radius: 50%; background: var(--navy-2); color: #fff; font-weight: 700;
  font-family: Georgia, serif; display: flex; align-items: center; justify-content: center; font-size: 14px; }
.welcome { font-size: 34px; font-weight: 800; color: var(--navy); margin: 0 0 20px; }
.login-grid { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr); gap: 24px; align-items: start; }
.login-card .link { display: inline-block; margin-top: 16px; font-weight: 600; }
.register-card { background: var(--navy); color: #fff; }
.register-card h2 { color: #fff; }
.register-card .btn-secondary { border-color: #fff; }
.hero { display: flex; justify-content: space-between; align-items: flex-end; margin-bottom: 24px; }
.hero p { margin: 0; color: var(--muted); }
.tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(240px, 1fr)); gap: 20px; }
.tile { display: block; background: #fff; border-radius: 12px; padding: 24px; text-decoration: none; color: var(--text);
  box-shadow: 0 1px 3px rgba(20,31,75,.10); border: 2px solid transparent; transition: border-color .15s, transform .15s; }
.tile:hover { border-color: var(--brand); transform: translateY(-2px); color: var(--text); }
.tile h3 { margin: 14px 0 6px; }
.tile p { margin: 0; color: var(--muted); font-size: 15px; }
.tile-icon { width: 52px; height: 52px; border-radius: 50%; background: var(--brand-light); color: var(--brand); display: flex; align-items: center; justify-content: center; }
.tile-new { position: relative; }
.badge { display: inline-block; background: var(--brand); color: #fff; font-size: 12px; font-weight: 700; border-radius: 10px; padding: 1px 8px; vertical-align: middle; }
.home-grid { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr); gap: 24px; }
.side h2 { font-size: 18px; }
.side ul { padding-left: 18px; margin: 0; }
.tabs { display: flex; gap: 4px; border-bottom: 2px solid var(--line); margin-bottom: 24px; }
.tabs [role=tab] { background: none; border: 0; border-bottom: 4px solid transparent; margin-bottom: -2px; padding: 12px 18px; font: inherit;
  font-weight: 700; color: var(--muted); cursor: pointer; }
.tabs [role=tab][aria-selected=true] { color: var(--navy); border-bottom-color: var(--brand); }
.link-list { list-style: none; margin: 0; padding: 0; }
.link-list li { display: flex; justify-content: space-between; gap: 16px; padding: 14px 0; border-bottom: 1px solid var(--line); }
.link-list li:last-child { border-bottom: 0; }
.link-list a { font-weight: 700; text-decoration: none; }
.link-list a::after { content: ""; display: inline-block; width: 7px; height: 7px; margin-left: 10px; border-top: 2px solid var(--brand);
  border-right: 2px solid var(--brand); transform: rotate(45deg); vertical-align: 2px; }
.link-list span { color: var(--muted); font-size: 15px; }
dl.details { display: grid; grid-template-columns: 160px 1fr; gap: 8px 16px; margin: 0 0 20px; }
dl.details dt { font-weight: 700; }
dl.details dd { margin: 0; }
.subnav { display: flex; flex-wrap: wrap; align-items: center; gap: 10px; background: #fff; border-radius: 10px; padding: 12px 18px; margin-bottom: 20px;
  box-shadow: 0 1px 3px rgba(20,31,75,.10); }
.subnav a { font-weight: 600; text-decoration: none; }
.subnav a[aria-current=page] { color: var(--brand-dark); }
.subnav select { font: inherit; font-weight: 700; color: var(--navy); padding: 6px 10px; border: 1px solid #b9bccb; border-radius: 6px; background: var(--brand-light); }
.sep { color: #9aa0b8; }
.section-head { display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
.back { font-weight: 600; text-decoration: none; }
.segmented { display: inline-flex; align-items: center; gap: 6px; margin-bottom: 20px; }
.segmented button { font: inherit; font-weight: 700; border: 2px solid var(--navy); background: #fff; color: var(--navy); border-radius: 18px; padding: 5px 16px; cursor: pointer; }
.segmented button[aria-pressed=true] { background: var(--navy); color: #fff; }
.user-picker { display: flex; align-items: flex-start; gap: 16px; flex-wrap: wrap; }
[role=listbox] { list-style: none; margin: 0; padding: 4px; min-width: 360px; min-height: 48px; border: 1px solid var(--line); border-radius: 8px; background: #fff; }
[role=listbox]:focus { outline: 3px solid var(--brand-light); }
[role=option] { padding: 9px 14px; border-radius: 6px; cursor: pointer; }
[role=option]:hover { background: var(--grey); }
[role=option][aria-selected=true] { background: var(--brand-light); font-weight: 700; box-shadow: inset 4px 0 0 var(--brand); }
.loading::before { content: ""; display: inline-block; width: 14px; height: 14px; margin-right: 8px; border: 2px solid var(--line); border-top-color: var(--brand);
  border-radius: 50%; animation: spin .8s linear infinite; vertical-align: -2px; }
@keyframes spin { to { transform: rotate(360deg); } }
#details { margin-top: 28px; border-top: 1px solid var(--line); padding-top: 22px; }
.danger-link { color: var(--error); font-weight: 600; }
.tree { display: grid; grid-template-columns: repeat(auto-fill, minmax(250px, 1fr)); gap: 16px; margin: 12px 0 20px; }
.tree fieldset { border: 1px solid var(--line); border-radius: 10px; padding: 12px 18px 14px; margin: 0; }
.tree legend { font-weight: 800; color: var(--navy); padding: 0 6px; }
.form-actions { display: flex; gap: 12px; align-items: center; }
table.overview { border-collapse: collapse; width: 100%; }
table.overview th, table.overview td { text-align: left; padding: 10px 12px; border-bottom: 1px solid var(--line); }
.download { display: flex; align-items: center; gap: 12px; margin-top: 8px; padding: 16px; background: var(--brand-light); border-radius: 8px; }
.download a { font-weight: 700; }
.modal-overlay, .cookie-overlay { position: fixed; inset: 0; background: rgba(11,21,51,.55); display: flex; align-items: center; justify-content: center; padding: 24px; }
.modal-overlay { z-index: 900; }
.modal-overlay[hidden] { display: none; }
.cookie-overlay { z-index: 1000; align-items: flex-end; }
.modal, .cookie-banner { background: #fff; border-radius: 14px; padding: 28px; max-width: 560px; width: 100%; box-shadow: 0 20px 50px rgba(0,0,0,.3); }
.cookie-banner { max-width: 760px; margin-bottom: 24px; border-top: 6px solid var(--brand); }
.cookie-actions, .modal .actions { display: flex; gap: 12px; margin-top: 16px; }
.site-footer { background: var(--navy); color: #cfd3e6; font-size: 14px; }
.footer-inner { max-width: 1180px; margin: 0 auto; padding: 18px 24px; display: flex; gap: 24px; flex-wrap: wrap; }
.site-footer a { color: #fff; text-decoration: none; }
.demo-note { margin-left: auto; opacity: .8; }
.error-code { font-size: 64px; font-weight: 800; color: var(--brand); margin: 0; }
@media (max-width: 800px) { .login-grid, .home-grid { grid-template-columns: 1fr; } .main-nav { display: none; } }
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes() {
        assert_eq!(esc(r##"<a href="x">&'"##), "&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
        assert_eq!(
            script_json(&serde_json::json!({"a": "</script>"})),
            r##"{"a":"\u003c/script\u003e"}"##
        );
    }

    #[test]
    fn redesign_moves_the_menu_out_of_the_header() {
        let mut l = Layout::new("T", Look::of(Variant::Redesign), String::new());
        l.user = Some(HeaderUser {
            display_name: "A, B",
            csrf: "t",
        });
        let html = l.render();
        let header_end = html.find("</header>").unwrap();
        let button = html.find("aria-haspopup=\"menu\"").unwrap();
        assert!(button > header_end);
        l.look = Look::of(Variant::Classic);
        let html = l.render();
        assert!(html.find("aria-haspopup=\"menu\"").unwrap() < html.find("</header>").unwrap());
    }
}
