//! The Universal Theme page templates of the Apex rendition: the standard page (header with
//! the navigation bar and its user menu, top navigation tabs, title bar, content, footer), the
//! modal dialog page shown inside an iframe, the login page, and the shared client code
//! (`apexUT`: menus, the modal dialog, the processing overlay, page messages).

use serde_json::Value;

use crate::portal::html::{esc, HeaderUser};
use crate::portal::rendition::Look;
use crate::portal::{cookie, html};

/// JSON that is safe inside `<script type="application/json">`.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// Which page template.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Template {
    /// "Standard": header, navigation, title bar, body.
    Standard,
    /// "Login": a centred login region, no navigation.
    Login,
    /// "Modal Dialog": only body and button bar; the page lives in an iframe of its parent.
    Dialog,
}

/// One APEX page.
pub(crate) struct Page<'a> {
    pub title: &'a str,
    pub look: Look,
    pub template: Template,
    /// APEX page number (shows in ids and body class, as APEX does).
    pub number: u32,
    pub user: Option<HeaderUser<'a>>,
    /// Regions of the body.
    pub body: String,
    /// Buttons of the dialog's button bar (Dialog template only).
    pub buttons: String,
    /// Markup after the page (inline dialogs).
    pub after: String,
    /// Page script (static source, runs after `apexUT` is set up).
    pub script: &'static str,
    /// Page data, exposed as `apexUT.data()`.
    pub data: Option<Value>,
}

impl<'a> Page<'a> {
    pub fn new(title: &'a str, look: Look, number: u32, body: String) -> Self {
        Page {
            title,
            look,
            template: Template::Standard,
            number,
            user: None,
            body,
            buttons: String::new(),
            after: String::new(),
            script: "",
            data: None,
        }
    }

    pub fn user(mut self, user: &'a crate::portal::state::User, csrf: &'a str) -> Self {
        self.user = Some(HeaderUser {
            display_name: user.display_name(),
            csrf,
        });
        self
    }

    pub fn render(&self) -> String {
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
        let cookie_script = match (self.template, self.look.cookie_iframe) {
            // A dialog page is inside the portal page, which shows the cookie dialog itself.
            (Template::Dialog, _) => "",
            (_, true) => cookie::IFRAME_SCRIPT,
            (_, false) => html::COOKIE_SCRIPT,
        };
        let frame = match self.template {
            Template::Standard => self.standard_frame(),
            Template::Login => format!(
                r##"<div class="t-Body"><main class="t-Body-main" id="main"><div class="t-Body-content"><div class="t-Body-alert" id="t_Body_alert"></div>
<div class="t-Login-container">{LOGO_BIG}{body}</div></div></main></div>"##,
                body = self.body
            ),
            Template::Dialog => format!(
                r##"<div class="t-Dialog" role="document"><div class="t-Dialog-body"><div class="t-Body-alert" id="t_Body_alert"></div>{body}</div>
<div class="t-Dialog-footer"><div class="t-ButtonRegion t-ButtonRegion--dialogRegion"><div class="t-ButtonRegion-wrap">{buttons}</div></div></div></div>"##,
                body = self.body,
                buttons = self.buttons
            ),
        };
        let body_class = match self.template {
            Template::Standard => "t-PageBody t-PageBody--hideLeft t-PageBody--hideActions apex-top-nav",
            Template::Login => "t-PageBody--login apex-side-nav",
            Template::Dialog => "t-Dialog-page t-Dialog-page--standard",
        };
        format!(
            r##"<!DOCTYPE html>
<html lang="nl" class="apex-ut">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>{CSS}</style>
</head>
<body class="{body_class} page-{number} app-BPG" id="t_PageBody">
<form id="wwvFlowForm" method="post" action="#" onsubmit="return false"><input type="hidden" name="p_flow_id" value="500" id="pFlowId"><input type="hidden" name="p_flow_step_id" value="{number}" id="pFlowStepId"></form>
{frame}
{after}
<div class="apex_wait_overlay" id="apex_wait_overlay" hidden></div>
{data}
<script>{SHARED_SCRIPT}</script>
<script>{cookie_script}</script>
<script>{script}</script>
</body>
</html>
"##,
            title = esc(self.title),
            number = self.number,
            after = self.after,
            script = self.script,
        )
    }

    fn standard_frame(&self) -> String {
        let (nav_bar, tabs) = match &self.user {
            Some(u) => (
                format!(
                    r##"<ul class="t-NavigationBar" data-mode="classic">
<li class="t-NavigationBar-item"><a class="t-Button t-Button--icon t-Button--header t-Button--navBar" href="/apex/BPG_Info?titel=Meldingen" title="Meldingen"><span class="t-Icon a-Icon icon-bell" aria-hidden="true"></span><span class="u-VisuallyHidden">Meldingen</span></a></li>
<li class="t-NavigationBar-item has-username"><button class="t-Button t-Button--icon t-Button--header t-Button--navBar js-menuButton" type="button" id="L_USER" aria-haspopup="true" aria-expanded="false" aria-controls="menu_L_USER">{PERSON}<span class="t-Button-label">{name}</span><span class="a-Icon icon-down-arrow" aria-hidden="true"></span></button>
<div class="a-Menu" id="menu_L_USER" hidden><ul role="menu" aria-labelledby="L_USER">
<li role="none" class="a-Menu-item"><a role="menuitem" class="a-Menu-label" href="/apex/bpg_my_account">Mijn Account</a></li>
<li role="none" class="a-Menu-item"><form method="post" action="/uitloggen"><input type="hidden" name="csrf" value="{csrf}"><button type="submit" role="menuitem" class="a-Menu-label">Uitloggen</button></form></li>
</ul></div></li>
</ul>"##,
                    name = esc(u.display_name),
                    csrf = esc(u.csrf),
                ),
                r##"<div class="t-Header-nav"><ul class="t-NavTabs" aria-label="Hoofdmenu"><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/apex/BPG_Home">Home</a></li><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/apex/BPG_Info?titel=Versturen">Versturen</a></li><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/apex/BPG_Info?titel=Ontvangen">Ontvangen</a></li><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/apex/BPG_Info?titel=Klantenservice">Klantenservice</a></li></ul></div>"##,
            ),
            None => (
                String::new(),
                r##"<div class="t-Header-nav"><ul class="t-NavTabs" aria-label="Hoofdmenu"><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/info/zakelijk">Zakelijk</a></li><li class="t-NavTabs-item"><a class="t-NavTabs-link" href="/info/klantenservice">Klantenservice</a></li></ul></div>"##,
            ),
        };
        format!(
            r##"<header class="t-Header" id="t_Header" role="banner">
<div class="t-Header-branding">
<div class="t-Header-logo"><a href="/apex/BPG_Home" class="t-Header-logo-link" aria-label="PostNL, naar Mijn PostNL home">{LOGO}<span class="apex-logo-text">Mijn PostNL</span></a></div>
<div class="t-Header-navBar">{nav_bar}</div>
</div>
{tabs}
</header>
<div class="t-Body">
<div class="t-Body-main">
<div class="t-Body-title" id="t_Body_title"><div class="t-BreadcrumbRegion"><div class="t-BreadcrumbRegion-body"><div class="t-BreadcrumbRegion-title"><h1 class="t-BreadcrumbRegion-titleText">{title}</h1></div></div></div></div>
<div class="t-Body-content" id="t_Body_content">
<div class="t-Body-alert" id="t_Body_alert"></div>
<main class="t-Body-contentInner" id="main">
{body}
</main>
<footer class="t-Footer" id="t_Footer"><div class="t-Footer-body"><div class="t-Footer-content"><span>&copy; PostNL</span> <a href="/info/privacy">Privacy</a> <a href="/info/cookies">Cookies</a> <a href="/info/voorwaarden">Algemene voorwaarden</a></div><div class="t-Footer-apex"><span class="t-Footer-version">Replica (apex) voor demo en test</span></div></div></footer>
</div>
</div>
</div>"##,
            title = esc(self.title),
            body = self.body,
        )
    }
}

/// A region (template "Standard") with a title and optional header buttons.
pub(crate) fn region(id: &str, title: &str, buttons: &str, body: &str) -> String {
    format!(
        r##"<div class="t-Region t-Region--scrollBody" id="{id}" role="region" aria-labelledby="{id}_heading">
<div class="t-Region-header"><div class="t-Region-headerItems t-Region-headerItems--title"><h2 class="t-Region-title" id="{id}_heading">{title}</h2></div><div class="t-Region-headerItems t-Region-headerItems--buttons">{buttons}</div></div>
<div class="t-Region-bodyWrap"><div class="t-Region-body">{body}</div></div>
</div>"##,
        title = esc(title),
    )
}

/// A page item with its label above it (template "Optional - Above").
pub(crate) fn item(id: &str, label: &str, input: &str) -> String {
    format!(
        r##"<div class="t-Form-fieldContainer t-Form-fieldContainer--stacked" id="{id}_CONTAINER"><div class="t-Form-labelContainer"><label for="{id}" id="{id}_LABEL" class="t-Form-label">{label}</label></div>
<div class="t-Form-inputContainer"><div class="t-Form-itemWrapper">{input}</div><span id="{id}_error_placeholder" class="a-Form-error" data-template-id="error"></span></div></div>"##,
        label = esc(label),
    )
}

/// A page message region (`t-Alert`, `role="alert"`) as APEX shows success and error messages.
pub(crate) fn alert(success: bool, message: &str) -> String {
    let (class, id) = if success {
        ("t-Alert--success", "t_Alert_Success")
    } else {
        ("t-Alert--danger", "t_Alert_Notification")
    };
    format!(
        r##"<div class="t-Alert t-Alert--defaultIcons t-Alert--horizontal t-Alert--page {class}" id="{id}" role="alert"><div class="t-Alert-wrap"><div class="t-Alert-icon"><span class="t-Icon" aria-hidden="true"></span></div><div class="t-Alert-content"><div class="t-Alert-header"><h2 class="t-Alert-title">{message}</h2></div></div></div></div>"##,
        message = esc(message),
    )
}

const LOGO: &str = r##"<svg class="apex-logo" width="40" height="40" viewBox="0 0 46 46" aria-hidden="true" focusable="false"><circle cx="23" cy="23" r="22" fill="#ff6200"/><text x="23" y="27" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="11" fill="#fff">PostNL</text></svg>"##;
const LOGO_BIG: &str = r##"<div class="t-Login-logo"><svg width="64" height="64" viewBox="0 0 46 46" aria-hidden="true" focusable="false"><circle cx="23" cy="23" r="22" fill="#ff6200"/><text x="23" y="27" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="11" fill="#fff">PostNL</text></svg></div>"##;
const PERSON: &str = r##"<span class="t-Icon a-Icon icon-user" aria-hidden="true"><svg width="16" height="16" viewBox="0 0 24 24"><circle cx="12" cy="8" r="4" fill="currentColor"/><path d="M4 21c0-4.4 3.6-7 8-7s8 2.6 8 7z" fill="currentColor"/></svg></span>"##;

/// Shared client code: `apexUT.data()`, menu buttons, `apexUT.dialog` (a modal dialog page in an
/// iframe; `close(message)` from inside it), `apexUT.processing(on)` (the overlay and spinner
/// while the page is being processed) and `apexUT.message(text)` (the success message region).
const SHARED_SCRIPT: &str = r##"
(function () {
  var ut = window.apexUT = {};
  ut.data = function () { var d = document.getElementById('pagina-data'); return d ? JSON.parse(d.textContent) : {}; };
  // Menu buttons (the navigation bar's user menu).
  document.querySelectorAll('.js-menuButton').forEach(function (btn) {
    var menu = document.getElementById(btn.getAttribute('aria-controls'));
    function setOpen(open) { btn.setAttribute('aria-expanded', open ? 'true' : 'false'); menu.hidden = !open; }
    btn.addEventListener('click', function (e) { e.stopPropagation(); setOpen(menu.hidden); if (!menu.hidden) menu.querySelector('[role=menuitem]').focus(); });
    document.addEventListener('click', function (e) { if (!menu.hidden && !menu.contains(e.target)) setOpen(false); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && !menu.hidden) { setOpen(false); btn.focus(); } });
  });
  // The processing overlay ("u-Processing") while a page is submitted.
  var spinner = null;
  ut.processing = function (on) {
    document.getElementById('apex_wait_overlay').hidden = !on;
    if (on && !spinner) {
      spinner = document.createElement('span');
      spinner.className = 'u-Processing'; spinner.setAttribute('role', 'alert');
      spinner.innerHTML = '<span class="u-Processing-spinner"></span><span class="u-VisuallyHidden">Bezig met verwerken</span>';
      document.body.appendChild(spinner);
    } else if (!on && spinner) { spinner.remove(); spinner = null; }
  };
  // The page's success message region.
  ut.message = function (text) {
    var box = document.getElementById('t_Body_alert');
    box.innerHTML = '<div class="t-Alert t-Alert--defaultIcons t-Alert--horizontal t-Alert--page t-Alert--success" id="t_Alert_Success" role="alert">' +
      '<div class="t-Alert-wrap"><div class="t-Alert-icon"><span class="t-Icon" aria-hidden="true"></span></div><div class="t-Alert-content"><div class="t-Alert-header"><h2 class="t-Alert-title"></h2></div></div>' +
      '<div class="t-Alert-buttons"><button class="t-Button t-Button--noUI t-Button--icon t-Button--closeAlert" type="button" title="Melding sluiten" aria-label="Melding sluiten">&times;</button></div></div></div>';
    box.querySelector('.t-Alert-title').textContent = text;
    box.querySelector('.t-Button--closeAlert').addEventListener('click', function () { box.innerHTML = ''; });
  };
  // Modal dialog pages: the page opens in an iframe inside a jQuery UI style dialog.
  var current = null;
  ut.dialog = {
    open: function (url, title, onClose) {
      ut.dialog.remove();
      var overlay = document.createElement('div'); overlay.className = 'ui-widget-overlay ui-front';
      var dlg = document.createElement('div');
      dlg.className = 'ui-dialog ui-dialog--apex t-Dialog-page--standard ui-front';
      dlg.setAttribute('role', 'dialog'); dlg.setAttribute('aria-modal', 'true'); dlg.setAttribute('aria-labelledby', 'apex_dialog_title');
      dlg.innerHTML = '<div class="ui-dialog-titlebar"><span class="ui-dialog-title" id="apex_dialog_title"></span>' +
        '<button type="button" class="ui-button ui-dialog-titlebar-close" title="Sluiten" aria-label="Sluiten">&times;</button></div>' +
        '<div class="ui-dialog-content"><iframe class="apex-dialog-frame"></iframe></div>';
      dlg.querySelector('.ui-dialog-title').textContent = title;
      var frame = dlg.querySelector('iframe'); frame.title = title; frame.src = url;
      dlg.querySelector('.ui-dialog-titlebar-close').addEventListener('click', function () { ut.dialog.remove(); });
      document.body.appendChild(overlay); document.body.appendChild(dlg);
      current = { dlg: dlg, overlay: overlay, onClose: onClose };
    },
    // Called from inside the dialog page (same origin): closes it and shows its message.
    close: function (message) {
      var c = current; ut.dialog.remove();
      if (message) ut.message(message);
      if (c && c.onClose) c.onClose(message);
    },
    remove: function () {
      if (!current) return;
      current.dlg.remove(); current.overlay.remove(); current = null;
    }
  };
  document.addEventListener('keydown', function (e) { if (e.key === 'Escape' && current) ut.dialog.remove(); });
})();
"##;

const CSS: &str = r##"
:root { --ut-accent: #ff6200; --ut-accent-dark: #db5400; --ut-header: #fff; --ut-body: #f5f4f2; --ut-text: #262626; --ut-muted: #707070;
  --ut-border: #dfdfdf; --ut-navy: #141f4b; --ut-success: #1b7f3b; --ut-danger: #cb1100; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; }
body { font-family: -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 14px; line-height: 20px; color: var(--ut-text); background: var(--ut-body); }
a { color: #0572ce; }
.u-VisuallyHidden { position: absolute !important; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
#wwvFlowForm { display: none; }
.t-Header { background: var(--ut-header); box-shadow: 0 1px 0 var(--ut-border); position: sticky; top: 0; z-index: 400; }
.t-Header-branding { display: flex; align-items: center; height: 56px; padding: 0 16px; }
.t-Header-logo-link { display: flex; align-items: center; gap: 10px; text-decoration: none; color: var(--ut-navy); font-size: 18px; font-weight: 700; }
.t-Header-navBar { margin-left: auto; }
.t-NavigationBar { list-style: none; display: flex; align-items: center; gap: 6px; margin: 0; padding: 0; }
.t-NavigationBar-item { position: relative; }
.t-Button { font: inherit; display: inline-flex; align-items: center; gap: 6px; border-radius: 3px; padding: 8px 12px; border: 1px solid var(--ut-border);
  background: #f8f8f8; color: var(--ut-text); cursor: pointer; text-decoration: none; line-height: 16px; box-shadow: 0 1px 1px rgba(0,0,0,.05); }
.t-Button:hover { background: #fff; }
.t-Button--hot { background: var(--ut-accent); border-color: var(--ut-accent); color: #fff; font-weight: 600; }
.t-Button--hot:hover { background: var(--ut-accent-dark); }
.t-Button--stretch { width: 100%; justify-content: center; padding: 11px; }
.t-Button--header { border: 0; background: none; box-shadow: none; }
.has-username .t-Button--navBar { background: var(--ut-accent); color: #fff; border-radius: 18px; padding: 8px 16px; font-weight: 600; }
.has-username .t-Button--navBar:hover { background: var(--ut-accent-dark); }
.t-Button--danger { color: var(--ut-danger); border-color: #f0c0bb; }
.t-Button--link { border: 0; background: none; box-shadow: none; color: #0572ce; padding: 4px; }
.a-Menu { position: absolute; right: 0; top: calc(100% + 4px); background: #fff; border: 1px solid var(--ut-border); border-radius: 3px; box-shadow: 0 4px 12px rgba(0,0,0,.15); min-width: 200px; z-index: 500; }
.a-Menu ul { list-style: none; margin: 0; padding: 4px 0; }
.a-Menu form { margin: 0; }
.a-Menu-label { display: block; width: 100%; text-align: left; padding: 8px 16px; color: var(--ut-text); text-decoration: none; background: none; border: 0; font: inherit; cursor: pointer; }
.a-Menu-label:hover, .a-Menu-label:focus { background: #f0f0f0; outline: none; }
.t-Header-nav { border-top: 1px solid var(--ut-border); padding: 0 16px; }
.t-NavTabs { list-style: none; margin: 0; padding: 0; display: flex; gap: 4px; }
.t-NavTabs-link { display: block; padding: 10px 14px; color: var(--ut-text); text-decoration: none; border-bottom: 3px solid transparent; }
.t-NavTabs-link:hover { border-bottom-color: var(--ut-accent); }
.t-Body-title { background: #fff; border-bottom: 1px solid var(--ut-border); padding: 14px 24px; }
.t-BreadcrumbRegion-titleText { font-size: 24px; line-height: 32px; margin: 0; font-weight: 400; color: var(--ut-navy); }
.t-Body-content { max-width: 1200px; margin: 0 auto; padding: 16px 24px 40px; }
.t-Body-contentInner { display: block; }
.t-Body-alert:empty { display: none; }
.t-Alert { border-radius: 3px; margin-bottom: 16px; background: #fff; box-shadow: 0 2px 6px rgba(0,0,0,.08); }
.t-Alert-wrap { display: flex; align-items: center; gap: 12px; padding: 12px 16px; }
.t-Alert-icon .t-Icon { display: block; width: 24px; height: 24px; border-radius: 50%; background: var(--ut-muted); }
.t-Alert--success { border-left: 4px solid var(--ut-success); } .t-Alert--success .t-Icon { background: var(--ut-success); }
.t-Alert--danger { border-left: 4px solid var(--ut-danger); } .t-Alert--danger .t-Icon { background: var(--ut-danger); }
.t-Alert--info { border-left: 4px solid #0572ce; } .t-Alert--info .t-Alert-icon .t-Icon { background: #0572ce; }
.t-Alert-title { font-size: 15px; margin: 0; font-weight: 600; }
.t-Alert-content { flex: 1; }
.t-Alert-buttons .t-Button { border: 0; background: none; box-shadow: none; font-size: 18px; }
.t-Region { background: #fff; border: 1px solid var(--ut-border); border-radius: 3px; margin-bottom: 16px; }
.t-Region-header { display: flex; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--ut-border); }
.t-Region-title { font-size: 16px; margin: 0; font-weight: 600; }
.t-Region-headerItems--buttons { margin-left: auto; display: flex; gap: 8px; }
.t-Region-body { padding: 16px; }
.t-Form-fieldContainer { margin-bottom: 14px; }
.t-Form-label { display: block; font-size: 13px; color: #404040; margin-bottom: 4px; font-weight: 600; }
.t-Form-itemWrapper { display: flex; align-items: stretch; }
.apex-item-text, .apex-item-select { font: inherit; padding: 7px 8px; border: 1px solid #c8c8c8; border-radius: 2px; background: #fff; min-width: 280px; }
.apex-item-text:focus, .apex-item-select:focus { border-color: #0572ce; outline: none; box-shadow: 0 0 0 1px #0572ce inset; }
.apex-item-popup-lov { background: #fafafa; cursor: pointer; border-right: 0; }
.a-Button--popupLOV { border-radius: 0 2px 2px 0; border: 1px solid #c8c8c8; background: #f4f4f4; padding: 0 10px; cursor: pointer; }
/* Universal Theme draws checkboxes and radios on their label: the real input is transparent. */
.apex-item-option { position: relative; margin: 4px 0; }
.apex-item-option input[type=checkbox], .apex-item-option input[type=radio] { position: absolute; left: 0; top: 0; width: 20px; height: 20px; margin: 0; opacity: 0; cursor: pointer; }
.apex-item-option label { display: inline-block; padding-left: 28px; position: relative; cursor: pointer; line-height: 20px; }
.apex-item-option label::before { content: ""; position: absolute; left: 0; top: 1px; width: 16px; height: 16px; border: 1px solid #9a9a9a; border-radius: 2px; background: #fff; }
.apex-item-option input[type=radio] + label::before { border-radius: 50%; }
.apex-item-option input:checked + label::before { background: var(--ut-accent); border-color: var(--ut-accent); box-shadow: inset 0 0 0 3px #fff; }
.apex-item-option input:focus + label::before { outline: 2px solid #0572ce; }
.apex-item-group--rc { display: inline-flex; gap: 0; border: 1px solid #c8c8c8; border-radius: 3px; overflow: hidden; }
.apex-item-group--rc .apex-item-option { margin: 0; }
.apex-item-group--rc label { padding: 6px 14px; }
.apex-item-group--rc label::before { display: none; }
.apex-item-group--rc input:checked + label { background: var(--ut-navy); color: #fff; }
.t-Form-fieldset { border: 1px solid var(--ut-border); border-radius: 3px; padding: 8px 14px 10px; margin: 0 0 12px; }
.t-Form-fieldset legend { font-weight: 600; padding: 0 4px; }
.t-Cards { list-style: none; margin: 0; padding: 0; display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 16px; }
.t-Card { background: #fff; border: 1px solid var(--ut-border); border-radius: 3px; height: 100%; }
.t-Card-wrap { display: block; padding: 16px; text-decoration: none; color: var(--ut-text); height: 100%; }
.t-Card-wrap:hover { box-shadow: 0 2px 8px rgba(0,0,0,.12); }
.t-Card-icon { width: 44px; height: 44px; border-radius: 50%; background: #fff0e6; color: var(--ut-accent); display: flex; align-items: center; justify-content: center; margin-bottom: 10px; }
.t-Card-title { font-size: 16px; margin: 0 0 6px; }
.t-Card-desc { color: var(--ut-muted); }
.t-Card--new { border-color: var(--ut-accent); }
.row { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr); gap: 16px; }
.apex-rds { list-style: none; display: flex; margin: 0 0 12px; padding: 0; border-bottom: 1px solid var(--ut-border); }
.apex-rds a { display: block; padding: 10px 16px; text-decoration: none; color: var(--ut-text); border-bottom: 3px solid transparent; margin-bottom: -1px; }
.apex-rds a[aria-selected=true] { border-bottom-color: var(--ut-accent); font-weight: 600; }
.t-LinksList { list-style: none; margin: 0; padding: 0; }
.t-LinksList-item { border-bottom: 1px solid var(--ut-border); }
.t-LinksList-link { display: flex; justify-content: space-between; padding: 12px 4px; text-decoration: none; }
.t-LinksList-label { font-weight: 600; } .t-LinksList-badge { color: var(--ut-muted); }
.t-ContextualInfo { display: grid; grid-template-columns: 160px 1fr; gap: 6px 12px; margin: 0; }
.t-ContextualInfo dt { font-weight: 600; } .t-ContextualInfo dd { margin: 0; }
.t-ButtonRegion-wrap { display: flex; gap: 8px; justify-content: flex-end; padding: 12px 16px; }
.t-ButtonRegion-wrap .left { margin-right: auto; }
.subbar { display: flex; align-items: center; gap: 10px; flex-wrap: wrap; background: #fff; border: 1px solid var(--ut-border); border-radius: 3px; padding: 8px 14px; margin-bottom: 16px; }
.subbar .sep { color: #aaa; }
.t-Report-report { width: 100%; border-collapse: collapse; }
.t-Report-report th, .t-Report-report td { text-align: left; padding: 8px; border-bottom: 1px solid var(--ut-border); }
.t-Login-container { max-width: 420px; margin: 48px auto; }
.t-Login-logo { text-align: center; margin-bottom: 12px; }
.t-Login-region { background: #fff; border-radius: 3px; box-shadow: 0 2px 10px rgba(0,0,0,.1); padding: 28px; }
.t-Login-title { font-size: 22px; margin: 0 0 14px; text-align: center; font-weight: 600; }
.t-Login-welcome { text-align: center; font-size: 26px; font-weight: 700; color: var(--ut-navy); margin: 0 0 12px; }
.t-Login-links { display: flex; justify-content: space-between; margin-top: 14px; }
.t-Login-container .apex-item-text { width: 100%; }
.t-Footer { margin-top: 24px; color: var(--ut-muted); font-size: 12px; }
.t-Footer-body { display: flex; justify-content: space-between; }
.t-Footer a { color: var(--ut-muted); margin-left: 10px; }
.apex_wait_overlay { position: fixed; inset: 0; background: rgba(255,255,255,.5); z-index: 1100; cursor: wait; }
.u-Processing { position: fixed; left: 50%; top: 40%; margin-left: -32px; width: 64px; height: 64px; border-radius: 50%; background: #fff; box-shadow: 0 2px 8px rgba(0,0,0,.2); z-index: 1101; display: flex; align-items: center; justify-content: center; }
.u-Processing-spinner { width: 32px; height: 32px; border: 3px solid #e0e0e0; border-top-color: var(--ut-accent); border-radius: 50%; animation: ut-spin .8s linear infinite; }
@keyframes ut-spin { to { transform: rotate(360deg); } }
.ui-widget-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.45); z-index: 900; }
.ui-dialog { position: fixed; z-index: 901; background: #fff; border-radius: 4px; box-shadow: 0 10px 40px rgba(0,0,0,.35); display: flex; flex-direction: column; }
.ui-dialog--apex { left: 50%; top: 40px; width: 760px; max-width: calc(100vw - 32px); height: calc(100vh - 80px); max-height: 760px; transform: translateX(-50%); }
.ui-dialog--popuplov { left: 50%; top: 80px; width: 480px; max-width: calc(100vw - 32px); transform: translateX(-50%); }
.ui-dialog-titlebar { display: flex; align-items: center; padding: 10px 16px; border-bottom: 1px solid var(--ut-border); }
.ui-dialog-title { font-size: 16px; font-weight: 600; flex: 1; }
.ui-dialog-titlebar-close { border: 0; background: none; font-size: 22px; line-height: 20px; cursor: pointer; padding: 4px 8px; }
.ui-dialog-content { flex: 1; min-height: 0; padding: 0; }
.apex-dialog-frame { width: 100%; height: 100%; border: 0; display: block; }
.a-PopupLOV-searchBar { display: flex; gap: 6px; padding: 12px 16px; }
.a-PopupLOV-search { flex: 1; min-width: 0; }
.a-PopupLOV-results { max-height: 320px; overflow: auto; padding: 0 16px 12px; }
.a-PopupLOV-results [role=listbox] { list-style: none; margin: 0; padding: 0; }
.a-PopupLOV-results [role=option] { padding: 8px 10px; border-bottom: 1px solid #eee; cursor: pointer; }
.a-PopupLOV-results [role=option]:hover, .a-PopupLOV-results [role=option][aria-selected=true] { background: #fff0e6; }
.a-PopupLOV-loading::before { content: ""; display: inline-block; width: 14px; height: 14px; margin-right: 8px; border: 2px solid #ddd; border-top-color: var(--ut-accent); border-radius: 50%; animation: ut-spin .8s linear infinite; vertical-align: -2px; }
.a-PopupLOV-more { color: var(--ut-muted); padding: 8px 10px; }
.t-Dialog-page { background: #fff; }
.t-Dialog { display: flex; flex-direction: column; min-height: 100vh; }
.t-Dialog-body { flex: 1; padding: 16px; }
.t-Dialog-footer { border-top: 1px solid var(--ut-border); position: sticky; bottom: 0; background: #fff; }
.tree { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 12px; }
.cookie-overlay { position: fixed; inset: 0; background: rgba(0,0,0,.45); z-index: 1000; display: flex; align-items: flex-end; justify-content: center; padding: 24px; }
.cookie-banner { background: #fff; border-radius: 4px; padding: 24px; max-width: 760px; width: 100%; border-top: 5px solid var(--ut-accent); box-shadow: 0 10px 40px rgba(0,0,0,.3); }
.cookie-title { font-size: 18px; margin: 0 0 8px; }
.cookie-actions { display: flex; gap: 10px; margin-top: 12px; }
.btn-primary, .btn-secondary { font: inherit; border-radius: 3px; padding: 8px 16px; cursor: pointer; font-weight: 600; }
.btn-primary { background: var(--ut-accent); border: 1px solid var(--ut-accent); color: #fff; }
.btn-secondary { background: #fff; border: 1px solid #999; color: var(--ut-text); }
.error-code { font-size: 56px; font-weight: 800; color: var(--ut-accent); margin: 0; }
"##;
