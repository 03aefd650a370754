//! The Alt rendition's frame: a single-page-app shell. The server sends an empty root, a
//! `<template>` with the whole app (header, page, footer, modals) and a boot script that renders
//! it 300–800 ms later under a spinner overlay. Shared client components live here too: the
//! spinner (`alt.busy`), navigation by `data-href`, the user menu, the custom klantnummer
//! dropdown (`alt.combobox`) and the late, non-modal cookie bar.

use serde_json::Value;

use crate::portal::html::{esc, HeaderUser};

/// JSON that is safe inside `<script type="application/json">`.
fn script_json(v: &Value) -> String {
    v.to_string()
        .replace('<', "\\u003c")
        .replace('>', "\\u003e")
        .replace('&', "\\u0026")
}

/// One Alt page.
pub(crate) struct Shell<'a> {
    pub title: &'a str,
    pub user: Option<HeaderUser<'a>>,
    /// The page content (inside `<main>` of the app template).
    pub body: String,
    /// Modals, rendered with the app.
    pub overlays: String,
    /// Page script: sets `window.altPage = function (alt) { … }`, run right after rendering.
    pub script: &'static str,
    /// Page data, exposed as `#pagina-data` (`alt.data()`).
    pub data: Option<Value>,
}

impl<'a> Shell<'a> {
    pub fn new(title: &'a str, body: String) -> Self {
        Shell {
            title,
            user: None,
            body,
            overlays: String::new(),
            script: "",
            data: None,
        }
    }

    pub fn with_user(mut self, user: Option<HeaderUser<'a>>) -> Self {
        self.user = user;
        self
    }

    pub fn render(&self) -> String {
        let (nav, actions, menu) = match &self.user {
            Some(u) => (
                r##"<div class="pnl-nav"><div class="pnl-nav-item" tabindex="0" data-href="/apex/BPG_Home">Home</div><div class="pnl-nav-item" tabindex="0" data-href="/apex/BPG_Info?titel=Versturen">Versturen</div><div class="pnl-nav-item" tabindex="0" data-href="/apex/BPG_Info?titel=Ontvangen">Ontvangen</div><div class="pnl-nav-item" tabindex="0" data-href="/apex/BPG_Info?titel=Klantenservice">Klantenservice</div></div>"##.to_string(),
                format!(
                    r##"<button type="button" class="pnl-icon-btn" aria-label="Zoeken">{SEARCH_ICON}</button>
<div class="pnl-user-wrap"><button type="button" class="pnl-user" id="pnl-user" aria-expanded="false"><span class="pnl-avatar" aria-hidden="true">{initials}</span><span class="pnl-user-name">{name}</span>{CHEVRON}</button>
<div class="pnl-menu" id="pnl-usermenu" hidden><div class="pnl-menu-head">Ingelogd als<br><strong>{name}</strong></div><div class="pnl-menu-item" tabindex="-1" data-href="/apex/bpg_my_account">Mijn Account</div><div class="pnl-menu-item" tabindex="-1" data-logout>Uitloggen</div></div></div>"##,
                    initials = esc(&initials(u.display_name)),
                    name = esc(u.display_name),
                ),
                format!(
                    r##"<form id="pnl-logout" method="post" action="/uitloggen" hidden><input type="hidden" name="csrf" value="{}"></form>"##,
                    esc(u.csrf)
                ),
            ),
            None => (
                r##"<div class="pnl-nav"><div class="pnl-nav-item" tabindex="0" data-href="/info/zakelijk">Zakelijk</div><div class="pnl-nav-item" tabindex="0" data-href="/info/klantenservice">Klantenservice</div></div>"##.to_string(),
                String::new(),
                String::new(),
            ),
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
        format!(
            r##"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Mijn PostNL</title>
<style>{CSS}</style>
</head>
<body class="pnl">
<div id="root" class="pnl-root" aria-busy="true"></div>
<div id="pnl-busy" class="pnl-busy" role="progressbar" aria-label="Bezig met laden"><span class="pnl-spinner"></span></div>
<template id="pnl-app">
<div class="pnl-app">
<header class="pnl-topbar"><div class="pnl-topbar-inner">
<div class="pnl-brand" role="link" tabindex="0" data-href="/apex/BPG_Home" aria-label="PostNL, naar Mijn PostNL home">{LOGO}<span class="pnl-brand-text">Mijn PostNL</span></div>
{nav}
<div class="pnl-actions">{actions}</div>
</div></header>
<main class="pnl-main">
{body}
</main>
<div class="pnl-footer"><div class="pnl-footer-inner"><span>&copy; PostNL</span><span class="pnl-footer-link" tabindex="0" data-href="/info/privacy">Privacy</span><span class="pnl-footer-link" tabindex="0" data-href="/info/cookies">Cookies</span><span class="pnl-footer-link" tabindex="0" data-href="/info/voorwaarden">Algemene voorwaarden</span><span class="pnl-footer-note">Replica (alt) voor demo en test</span></div></div>
{overlays}
</div>
</template>
{menu}
{data}
<script>{script}</script>
<script>{BOOT}</script>
</body>
</html>
"##,
            title = esc(self.title),
            body = self.body,
            overlays = self.overlays,
            script = self.script,
        )
    }
}

/// A page the server renders completely (error pages from the gateway: no app, no delay).
pub(crate) fn static_page(title: &str, body: &str) -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title} – Mijn PostNL</title><style>{CSS}</style></head>
<body class="pnl pnl-static">
<div class="pnl-static-top">{LOGO}<span class="pnl-brand-text">Mijn PostNL</span></div>
<div class="pnl-static-body">{body}</div>
</body>
</html>
"##,
        title = esc(title),
    )
}

/// "GATUser, PostNL" (last name, first name) → "PG".
fn initials(name: &str) -> String {
    let mut parts: Vec<&str> = name.split(',').map(str::trim).filter(|p| !p.is_empty()).collect();
    parts.reverse();
    parts
        .iter()
        .filter_map(|p| p.chars().next())
        .flat_map(char::to_uppercase)
        .take(2)
        .collect()
}

const LOGO: &str = r##"<svg class="pnl-logo" width="40" height="40" viewBox="0 0 40 40" aria-hidden="true" focusable="false"><rect x="1" y="1" width="38" height="38" rx="19" fill="var(--pnl-orange)"/><text x="20" y="24" text-anchor="middle" font-family="Arial, Helvetica, sans-serif" font-weight="700" font-size="10" fill="#fff">PostNL</text></svg>"##;

const SEARCH_ICON: &str = r##"<svg width="20" height="20" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M10 3a7 7 0 0 1 5.6 11.2l5.1 5.1-1.4 1.4-5.1-5.1A7 7 0 1 1 10 3zm0 2a5 5 0 1 0 0 10 5 5 0 0 0 0-10z"/></svg>"##;

pub(crate) const CHEVRON: &str = r##"<svg class="pnl-chevron" width="14" height="14" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M6.4 8.6 12 14.2l5.6-5.6L19 10l-7 7-7-7z"/></svg>"##;

/// Renders the app after a delay, wires navigation, keyboard activation, the user menu, the
/// spinner and the cookie bar. Page scripts get `alt` (see below) in `window.altPage(alt)`.
const BOOT: &str = r##"
(function () {
  var root = document.getElementById('root'), busyEl = document.getElementById('pnl-busy');
  var alt = window.alt = {
    busy: function (on, label) { busyEl.hidden = !on; busyEl.setAttribute('aria-label', label || 'Bezig met laden'); },
    go: function (href) { alt.busy(true); location.assign(href); },
    data: function () { var d = document.getElementById('pagina-data'); return d ? JSON.parse(d.textContent) : {}; },
    delay: function () { return 300 + Math.floor(Math.random() * 500); },
    hasCookie: function (name) {
      return document.cookie.split(';').some(function (c) { return c.trim().indexOf(name + '=') === 0; });
    },
    // A custom dropdown: `btn` toggles the popup `list` (role=listbox of role=option items).
    combobox: function (btn, list, onChange) {
      var value = btn.querySelector('.pnl-select-value');
      function setOpen(on) {
        btn.setAttribute('aria-expanded', on ? 'true' : 'false'); list.hidden = !on;
        if (on) { var s = list.querySelector('[aria-selected=true]') || list.querySelector('[role=option]'); if (s) s.focus(); }
      }
      function choose(o) {
        list.querySelectorAll('[role=option]').forEach(function (x) { x.setAttribute('aria-selected', x === o ? 'true' : 'false'); });
        value.textContent = o.textContent; value.classList.remove('pnl-placeholder');
        onChange(o.getAttribute('data-value'));
      }
      btn.addEventListener('click', function (e) { e.stopPropagation(); setOpen(list.hidden); });
      list.addEventListener('click', function (e) {
        var o = e.target.closest('[role=option]'); if (!o) return;
        e.stopPropagation(); setOpen(false); btn.focus(); choose(o);
      });
      list.addEventListener('keydown', function (e) {
        var opts = Array.prototype.slice.call(list.querySelectorAll('[role=option]'));
        var i = opts.indexOf(document.activeElement);
        if (e.key === 'ArrowDown') { opts[Math.min(i + 1, opts.length - 1)].focus(); e.preventDefault(); }
        else if (e.key === 'ArrowUp') { opts[Math.max(i - 1, 0)].focus(); e.preventDefault(); }
        else if (e.key === 'Enter' || e.key === ' ') { if (i >= 0) { setOpen(false); btn.focus(); choose(opts[i]); } e.preventDefault(); }
        else if (e.key === 'Escape') { setOpen(false); btn.focus(); }
      });
      document.addEventListener('click', function (e) { if (!list.hidden && !list.contains(e.target)) setOpen(false); });
    }
  };
  document.addEventListener('click', function (e) {
    var t = e.target.closest && e.target.closest('[data-href]');
    if (t) { e.preventDefault(); alt.go(t.getAttribute('data-href')); }
  });
  document.addEventListener('keydown', function (e) {
    if (e.key !== 'Enter' && e.key !== ' ') return;
    var t = e.target;
    if (t.matches && t.matches('[role=button], [role=link], [role=checkbox], [role=radio], [data-href], .pnl-tile')) { e.preventDefault(); t.click(); }
  });
  function menu() {
    var btn = document.getElementById('pnl-user'), m = document.getElementById('pnl-usermenu');
    if (!btn || !m) return;
    function setOpen(on) { btn.setAttribute('aria-expanded', on ? 'true' : 'false'); m.hidden = !on; }
    btn.addEventListener('click', function (e) { e.stopPropagation(); setOpen(m.hidden); });
    document.addEventListener('click', function (e) { if (!m.hidden && !m.contains(e.target)) setOpen(false); });
    document.addEventListener('keydown', function (e) { if (e.key === 'Escape') setOpen(false); });
    var out = m.querySelector('[data-logout]');
    if (out) out.addEventListener('click', function () { alt.busy(true); document.getElementById('pnl-logout').submit(); });
  }
  function cookieBar() {
    if (alt.hasCookie('cookie_consent')) return;
    var bar = document.createElement('div');
    bar.className = 'pnl-cookiebar';
    bar.setAttribute('role', 'region');
    bar.setAttribute('aria-label', 'Cookiemelding');
    bar.innerHTML = '<div class="pnl-cookiebar-inner"><div class="pnl-cookiebar-text"><strong>Cookies op Mijn PostNL</strong>' +
      '<span>We gebruiken cookies om Mijn PostNL goed te laten werken, het gebruik te meten en je relevante informatie te tonen.</span></div>' +
      '<div class="pnl-cookiebar-actions"><div class="pnl-btn pnl-btn-primary" role="button" tabindex="0" data-consent="accepted">Alle cookies accepteren</div>' +
      '<div class="pnl-btn pnl-btn-ghost" role="button" tabindex="0" data-consent="declined">Alleen noodzakelijke cookies</div></div></div>';
    bar.addEventListener('click', function (e) {
      var b = e.target.closest('[data-consent]'); if (!b) return;
      document.cookie = 'cookie_consent=' + b.getAttribute('data-consent') + '; path=/; max-age=31536000; SameSite=Lax';
      bar.remove();
    });
    document.body.appendChild(bar);
  }
  function render() {
    var tpl = document.getElementById('pnl-app');
    root.appendChild(tpl.content.cloneNode(true));
    root.removeAttribute('aria-busy');
    menu();
    if (typeof window.altPage === 'function') window.altPage(alt);
    requestAnimationFrame(function () { if (!window.altKeepBusy) alt.busy(false); });
  }
  setTimeout(render, alt.delay());
  setTimeout(cookieBar, 1000);
})();
"##;

const CSS: &str = r##"
:root { --pnl-orange: #ed7000; --pnl-orange-dark: #c85d00; --pnl-orange-soft: #fff3e8; --pnl-ink: #1d1d3b; --pnl-ink-2: #3a3a63;
  --pnl-bg: #f6f5f2; --pnl-line: #e4e1da; --pnl-muted: #6d6b7e; --pnl-ok: #127a45; --pnl-error: #b3261e; --pnl-radius: 16px; }
* { box-sizing: border-box; }
[hidden] { display: none !important; }
html, body { margin: 0; }
body.pnl { font-family: "Inter", "Segoe UI", Roboto, Helvetica, Arial, sans-serif; font-size: 15px; line-height: 1.55; color: var(--pnl-ink);
  background: var(--pnl-bg); min-height: 100vh; }
.pnl-root { min-height: 100vh; }
.pnl-app { min-height: 100vh; display: flex; flex-direction: column; }
.pnl-busy { position: fixed; inset: 0; z-index: 500; background: rgba(246,245,242,.72); display: flex; align-items: center; justify-content: center; }
.pnl-spinner { width: 44px; height: 44px; border-radius: 50%; border: 4px solid var(--pnl-line); border-top-color: var(--pnl-orange); animation: pnl-spin .7s linear infinite; }
@keyframes pnl-spin { to { transform: rotate(360deg); } }
.pnl-topbar { background: #fff; border-top: 4px solid var(--pnl-orange); box-shadow: 0 1px 0 var(--pnl-line); position: sticky; top: 0; z-index: 40; }
.pnl-topbar-inner { max-width: 1200px; margin: 0 auto; padding: 10px 28px; display: flex; align-items: center; gap: 28px; }
.pnl-brand { display: flex; align-items: center; gap: 10px; cursor: pointer; }
.pnl-brand-text { font-weight: 800; font-size: 18px; letter-spacing: -.2px; }
.pnl-nav { display: flex; gap: 6px; flex: 1; }
.pnl-nav-item { padding: 7px 14px; border-radius: 999px; cursor: pointer; font-weight: 600; color: var(--pnl-ink-2); }
.pnl-nav-item:hover { background: var(--pnl-bg); }
.pnl-actions { display: flex; align-items: center; gap: 10px; margin-left: auto; }
.pnl-icon-btn { width: 40px; height: 40px; border-radius: 50%; border: 1px solid var(--pnl-line); background: #fff; color: var(--pnl-ink); cursor: pointer;
  display: inline-flex; align-items: center; justify-content: center; }
.pnl-user-wrap { position: relative; }
.pnl-user { display: inline-flex; align-items: center; gap: 10px; background: var(--pnl-orange); color: #fff; border: 0; border-radius: 999px;
  padding: 5px 14px 5px 5px; font: inherit; font-weight: 700; cursor: pointer; }
.pnl-user:hover { background: var(--pnl-orange-dark); }
.pnl-avatar { width: 30px; height: 30px; border-radius: 50%; background: #fff; color: var(--pnl-orange-dark); font-size: 12px; display: inline-flex; align-items: center; justify-content: center; }
.pnl-user[aria-expanded=true] .pnl-chevron { transform: rotate(180deg); }
.pnl-menu { position: absolute; right: 0; top: calc(100% + 10px); width: 240px; background: #fff; border-radius: 12px; padding: 6px;
  box-shadow: 0 12px 32px rgba(29,29,59,.18); border: 1px solid var(--pnl-line); z-index: 60; }
.pnl-menu-head { padding: 10px 12px; color: var(--pnl-muted); font-size: 13px; border-bottom: 1px solid var(--pnl-line); margin-bottom: 4px; }
.pnl-menu-head strong { color: var(--pnl-ink); font-size: 14px; }
.pnl-menu-item { padding: 10px 12px; border-radius: 8px; cursor: pointer; }
.pnl-menu-item:hover, .pnl-menu-item:focus { background: var(--pnl-orange-soft); outline: none; }
.pnl-main { flex: 1; width: 100%; max-width: 1200px; margin: 0 auto; padding: 30px 28px 120px; }
.pnl-footer { background: #fff; border-top: 1px solid var(--pnl-line); font-size: 13px; color: var(--pnl-muted); }
.pnl-footer-inner { max-width: 1200px; margin: 0 auto; padding: 16px 28px; display: flex; gap: 22px; flex-wrap: wrap; }
.pnl-footer-link { cursor: pointer; color: var(--pnl-ink-2); }
.pnl-footer-note { margin-left: auto; }
.pnl-title { font-size: 32px; font-weight: 800; letter-spacing: -.5px; margin: 0 0 18px; }
.pnl-h2 { font-size: 21px; font-weight: 800; margin: 0 0 10px; }
.pnl-h3 { font-size: 17px; font-weight: 700; margin: 0 0 10px; }
.pnl-muted { color: var(--pnl-muted); }
.pnl-card { background: #fff; border-radius: var(--pnl-radius); padding: 26px; box-shadow: 0 2px 10px rgba(29,29,59,.06); margin-bottom: 22px; }
.pnl-narrow { max-width: 580px; }
.pnl-btn { display: inline-flex; align-items: center; justify-content: center; gap: 8px; padding: 11px 22px; border-radius: 10px; font: inherit; font-weight: 700;
  cursor: pointer; user-select: none; border: 2px solid transparent; }
.pnl-btn-primary { background: var(--pnl-orange); color: #fff; }
.pnl-btn-primary:hover { background: var(--pnl-orange-dark); }
.pnl-btn-primary[aria-disabled=true] { opacity: .5; cursor: progress; }
.pnl-btn-ghost { background: #fff; color: var(--pnl-ink); border-color: var(--pnl-ink); }
.pnl-btn-danger { background: var(--pnl-error); color: #fff; }
.pnl-btn-link { color: var(--pnl-ink-2); font-weight: 700; cursor: pointer; text-decoration: underline; text-underline-offset: 3px; }
.pnl-btn-block { width: 100%; }
.pnl-field { margin-bottom: 18px; }
.pnl-field-label { font-weight: 700; font-size: 14px; margin-bottom: 6px; }
.pnl-input { width: 100%; padding: 13px 14px; font: inherit; color: var(--pnl-ink); border: 1.5px solid #cfcbc2; border-radius: 10px; background: #fff; }
.pnl-input:focus { outline: none; border-color: var(--pnl-orange); box-shadow: 0 0 0 3px var(--pnl-orange-soft); }
.pnl-hint { font-size: 13px; color: var(--pnl-muted); margin: 6px 0 0; }
.pnl-cb { flex: none; width: 20px; height: 20px; border-radius: 6px; border: 2px solid #a19d93; background: #fff; display: inline-flex; align-items: center;
  justify-content: center; cursor: pointer; }
.pnl-cb[aria-checked=true] { background: var(--pnl-orange); border-color: var(--pnl-orange); }
.pnl-cb[aria-checked=true]::after { content: ""; width: 10px; height: 5px; border-left: 2.5px solid #fff; border-bottom: 2.5px solid #fff; transform: rotate(-45deg) translate(1px, -1px); }
.pnl-cb[aria-checked=mixed] { background: var(--pnl-orange-soft); border-color: var(--pnl-orange); }
.pnl-cb[aria-checked=mixed]::after { content: ""; width: 10px; height: 2.5px; background: var(--pnl-orange); }
.pnl-check-row { display: flex; align-items: center; gap: 10px; margin: 6px 0; cursor: pointer; }
.pnl-alert { border-radius: 10px; background: #fdeceb; color: #6b140f; padding: 14px 18px; margin: 0 0 18px; border: 1px solid #f3c2be; }
.pnl-alert ul { margin: 6px 0; }
.pnl-toast:not(:empty) { display: inline-block; border-radius: 10px; background: #e5f5ec; color: #0b4d2b; padding: 10px 16px; margin-top: 14px; font-weight: 600; }
.pnl-note { display: flex; gap: 12px; background: #eef3fb; border-radius: 12px; padding: 14px 16px; margin: 6px 0 20px; font-size: 14px; }
.pnl-note-icon { flex: none; width: 22px; height: 22px; border-radius: 50%; background: var(--pnl-ink-2); color: #fff; font-weight: 700; display: flex;
  align-items: center; justify-content: center; font-size: 13px; font-family: Georgia, serif; }
.pnl-welcome { font-size: 38px; font-weight: 800; letter-spacing: -.8px; margin: 8px 0 22px; }
.pnl-login { display: grid; grid-template-columns: minmax(0, 1.25fr) minmax(0, 1fr); gap: 22px; align-items: start; }
.pnl-card-dark { background: var(--pnl-ink); color: #fff; }
.pnl-card-dark .pnl-btn-ghost { background: transparent; color: #fff; border-color: #fff; }
.pnl-hero { border-radius: var(--pnl-radius); background: linear-gradient(120deg, var(--pnl-orange) 0%, #f5a04a 100%); color: #fff; padding: 28px 30px; margin-bottom: 24px; }
.pnl-hero .pnl-title { margin: 0 0 4px; }
.pnl-home { display: grid; grid-template-columns: minmax(0, 3fr) minmax(0, 1fr); gap: 22px; }
.pnl-tiles { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 18px; }
.pnl-tile { background: #fff; border-radius: var(--pnl-radius); padding: 22px; cursor: pointer; box-shadow: 0 2px 10px rgba(29,29,59,.06);
  border: 1.5px solid transparent; transition: border-color .15s; }
.pnl-tile:hover { border-color: var(--pnl-orange); }
.pnl-tile-icon { width: 48px; height: 48px; border-radius: 14px; background: var(--pnl-orange-soft); color: var(--pnl-orange); display: flex; align-items: center; justify-content: center; }
.pnl-tile-title { font-weight: 800; font-size: 17px; margin: 14px 0 4px; }
.pnl-tile-text { color: var(--pnl-muted); font-size: 14px; }
.pnl-pill { display: inline-block; background: var(--pnl-orange); color: #fff; font-size: 11px; font-weight: 800; border-radius: 999px; padding: 1px 8px; margin-left: 6px; vertical-align: 2px; }
.pnl-modal-backdrop { position: fixed; inset: 0; z-index: 300; background: rgba(29,29,59,.5); display: flex; align-items: center; justify-content: center; padding: 24px; }
.pnl-modal { position: relative; background: #fff; border-radius: 20px; padding: 30px; max-width: 520px; width: 100%; box-shadow: 0 24px 60px rgba(0,0,0,.3); }
.pnl-modal-close { position: absolute; top: 14px; right: 14px; width: 36px; height: 36px; border-radius: 50%; display: flex; align-items: center;
  justify-content: center; font-size: 24px; line-height: 1; cursor: pointer; color: var(--pnl-muted); }
.pnl-modal-close:hover { background: var(--pnl-bg); }
.pnl-modal-actions { display: flex; gap: 10px; margin-top: 18px; }
.pnl-cookiebar { position: fixed; left: 0; right: 0; bottom: 0; z-index: 400; background: #fff; border-top: 3px solid var(--pnl-orange);
  box-shadow: 0 -8px 24px rgba(29,29,59,.12); }
.pnl-cookiebar-inner { max-width: 1200px; margin: 0 auto; padding: 16px 28px; display: flex; align-items: center; gap: 24px; }
.pnl-cookiebar-text { flex: 1; display: flex; flex-direction: column; font-size: 14px; }
.pnl-cookiebar-actions { display: flex; gap: 10px; }
.pnl-split { display: grid; grid-template-columns: 300px minmax(0, 1fr); gap: 22px; align-items: start; }
.pnl-accordion { background: #fff; border-radius: var(--pnl-radius); box-shadow: 0 2px 10px rgba(29,29,59,.06); overflow: hidden; }
.pnl-acc-head { display: flex; justify-content: space-between; align-items: center; padding: 16px 20px; font-weight: 800; cursor: pointer; border-bottom: 1px solid var(--pnl-line); }
.pnl-acc-head[aria-expanded=true] .pnl-chevron { transform: rotate(180deg); }
.pnl-acc-panel { padding: 6px 10px 12px; border-bottom: 1px solid var(--pnl-line); }
.pnl-acc-row { padding: 10px 12px; border-radius: 10px; cursor: pointer; }
.pnl-acc-row:hover { background: var(--pnl-orange-soft); }
.pnl-acc-row-title { font-weight: 700; display: block; }
.pnl-acc-row-sub { font-size: 13px; color: var(--pnl-muted); display: block; }
.pnl-details { display: grid; grid-template-columns: 150px 1fr; gap: 8px 16px; margin: 0; }
.pnl-details .k { font-weight: 700; }
.pnl-toolbar { display: flex; flex-wrap: wrap; align-items: center; gap: 8px; background: #fff; border-radius: 12px; padding: 10px 16px; margin-bottom: 20px;
  box-shadow: 0 2px 10px rgba(29,29,59,.06); }
.pnl-toolbar-item { cursor: pointer; font-weight: 600; padding: 4px 8px; border-radius: 8px; }
.pnl-toolbar-item.current { color: var(--pnl-orange-dark); }
.pnl-sep { color: #b8b4aa; }
.pnl-select-wrap { position: relative; display: inline-block; }
.pnl-select { display: inline-flex; align-items: center; gap: 10px; min-width: 240px; justify-content: space-between; padding: 8px 12px; font: inherit; font-weight: 700;
  color: var(--pnl-ink); background: var(--pnl-orange-soft); border: 1.5px solid #f2c9a4; border-radius: 10px; cursor: pointer; }
.pnl-select.wide { width: 100%; background: #fff; border-color: #cfcbc2; padding: 12px 14px; }
.pnl-select[aria-expanded=true] .pnl-chevron { transform: rotate(180deg); }
.pnl-placeholder { color: var(--pnl-muted); font-weight: 500; }
.pnl-options { position: absolute; left: 0; top: calc(100% + 6px); min-width: 100%; list-style: none; margin: 0; padding: 6px; background: #fff; border-radius: 12px;
  border: 1px solid var(--pnl-line); box-shadow: 0 12px 32px rgba(29,29,59,.18); z-index: 70; }
.pnl-options [role=option] { padding: 9px 12px; border-radius: 8px; cursor: pointer; white-space: nowrap; }
.pnl-options [role=option]:hover, .pnl-options [role=option]:focus { background: var(--pnl-orange-soft); outline: none; }
.pnl-options [role=option][aria-selected=true] { font-weight: 700; }
.pnl-seg { display: inline-flex; background: var(--pnl-bg); border-radius: 999px; padding: 4px; margin: 4px 0 22px; }
.pnl-seg [role=radio] { padding: 6px 18px; border-radius: 999px; cursor: pointer; font-weight: 700; color: var(--pnl-muted); }
.pnl-seg [role=radio][aria-checked=true] { background: #fff; color: var(--pnl-ink); box-shadow: 0 1px 4px rgba(29,29,59,.15); }
.pnl-users { display: flex; gap: 16px; align-items: flex-start; flex-wrap: wrap; }
.pnl-table { border-collapse: separate; border-spacing: 0; min-width: 480px; border: 1px solid var(--pnl-line); border-radius: 12px; overflow: hidden; }
.pnl-table th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .6px; color: var(--pnl-muted); background: var(--pnl-bg); padding: 10px 14px; }
.pnl-table td { padding: 12px 14px; border-top: 1px solid var(--pnl-line); }
.pnl-table tbody tr { cursor: pointer; }
.pnl-table tbody tr:hover td { background: #fbfaf8; }
.pnl-table tbody tr[aria-selected=true] td { background: var(--pnl-orange-soft); font-weight: 700; }
.pnl-table tbody tr[aria-selected=true] td:first-child { box-shadow: inset 4px 0 0 var(--pnl-orange); }
.pnl-count { display: inline-block; min-width: 26px; text-align: center; background: var(--pnl-bg); border-radius: 999px; font-size: 12px; font-weight: 700; padding: 1px 8px; }
.pnl-section-head { display: flex; align-items: baseline; gap: 18px; flex-wrap: wrap; }
.pnl-danger { color: var(--pnl-error); font-weight: 700; cursor: pointer; font-size: 14px; }
#details { margin-top: 26px; border-top: 1px solid var(--pnl-line); padding-top: 20px; }
.pnl-tree { display: grid; grid-template-columns: repeat(auto-fill, minmax(260px, 1fr)); gap: 14px; margin: 12px 0 20px; }
.pnl-tree-group { border: 1px solid var(--pnl-line); border-radius: 12px; padding: 12px 16px; }
.pnl-tree-head { display: flex; align-items: center; gap: 10px; font-weight: 800; padding-bottom: 6px; border-bottom: 1px dashed var(--pnl-line); margin-bottom: 6px; cursor: pointer; }
.pnl-tree-item { display: flex; align-items: center; gap: 10px; padding: 4px 0 4px 8px; cursor: pointer; }
.pnl-actions-row { display: flex; align-items: center; gap: 14px; }
.pnl-download { display: flex; align-items: center; gap: 14px; margin-top: 10px; padding: 16px; background: var(--pnl-orange-soft); border-radius: 12px; }
.pnl-static-top { background: #fff; border-top: 4px solid var(--pnl-orange); padding: 12px 28px; display: flex; align-items: center; gap: 10px; box-shadow: 0 1px 0 var(--pnl-line); }
.pnl-static-body { max-width: 640px; margin: 60px auto; background: #fff; border-radius: var(--pnl-radius); padding: 34px; box-shadow: 0 2px 10px rgba(29,29,59,.06); }
.pnl-error-code { font-size: 72px; font-weight: 800; color: var(--pnl-orange); margin: 0; line-height: 1; }
@media (max-width: 820px) { .pnl-login, .pnl-home, .pnl-split { grid-template-columns: 1fr; } .pnl-nav { display: none; } }
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn initials_of_listed_names() {
        assert_eq!(initials("GATUser, PostNL"), "PG");
        assert_eq!(initials("Jansen, Piet"), "PJ");
        assert_eq!(initials("Mohamed"), "M");
    }
}
