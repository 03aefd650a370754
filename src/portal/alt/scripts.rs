//! The Alt rendition's page scripts. Each sets `window.altPage = function (alt) { … }`, which
//! the shell's boot script runs right after it rendered the app (see `shell.rs` for `alt`).

/// Login: the custom "Onthoud mij" checkbox drives the hidden `remember` field.
pub(crate) const LOGIN: &str = r##"
window.altPage = function () {
  var row = document.getElementById('onthoud'), box = row.querySelector('[role=checkbox]');
  var field = document.getElementById('remember');
  row.addEventListener('click', function () {
    var on = box.getAttribute('aria-checked') !== 'true';
    box.setAttribute('aria-checked', on ? 'true' : 'false');
    field.disabled = !on;
  });
  document.getElementById('login-form').addEventListener('submit', function () { alt.busy(true, 'Inloggen'); });
};
"##;

/// The forced password change: the `role=button` submits the form.
pub(crate) const PASSWORD: &str = r##"
window.altPage = function (alt) {
  document.getElementById('wachtwoord-opslaan').addEventListener('click', function () {
    alt.busy(true, 'Opslaan');
    document.getElementById('wachtwoord-form').submit();
  });
};
"##;

/// Home: the "Nieuw: …" interstitial closes with its × and is not shown again.
pub(crate) const HOME: &str = r##"
window.altPage = function () {
  var d = document.getElementById('nieuw');
  if (!d) return;
  d.querySelector('[data-sluit]').addEventListener('click', function (e) {
    e.stopPropagation();
    document.cookie = 'intro_gezien=1; path=/; max-age=31536000; SameSite=Lax';
    d.remove();
  });
};
"##;

/// Mijn Account: accordion sections that open and close independently (a click on an open
/// section's header closes it).
pub(crate) const ACCORDION: &str = r##"
window.altPage = function () {
  document.querySelectorAll('.pnl-acc-head').forEach(function (h) {
    h.addEventListener('click', function () {
      var open = h.getAttribute('aria-expanded') !== 'true';
      h.setAttribute('aria-expanded', open ? 'true' : 'false');
      document.getElementById(h.getAttribute('aria-controls')).hidden = !open;
    });
  });
};
"##;

/// Stap 4: users load behind the spinner; a row click loads that user's authorisations into the
/// tree; "Opslaan" disables itself, validates for a moment, then saves (≥ 700 ms in all).
pub(crate) const AUTHORISATIONS: &str = r##"
window.altPage = function (alt) {
  var cfg = alt.data();
  var $ = function (id) { return document.getElementById(id); };
  var tbody = $('gebruikers'), details = $('details'), naam = $('details-naam'), boom = $('boom');
  var opslaan = $('opslaan'), status = $('opslaan-status'), fout = $('opslaan-fout'), paginaStatus = $('pagina-status');
  var kn = cfg.klantnummer, gebruiker = cfg.gebruiker || null, gebruikers = [], usersSeq = 0, detailsSeq = 0;

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
    tbody.innerHTML = ''; details.hidden = !gebruiker; alt.busy(true, 'Gebruikers laden');
    setTimeout(function () {
      getJson('/apex/api/gebruikers?klantnummer=' + encodeURIComponent(kn)).then(function (data) {
        if (my !== usersSeq) return;
        gebruikers = data.gebruikers;
        render();
        if (gebruiker && gebruikers.some(function (g) { return g.id === gebruiker; })) selectUser(gebruiker);
        else { gebruiker = null; setUrl(); details.hidden = true; alt.busy(false); }
      }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
        if (my !== usersSeq) return;
        alt.busy(false);
        paginaStatus.textContent = 'De gebruikers konden niet worden geladen. Herlaad de pagina.';
      });
    }, alt.delay());
  }
  function render() {
    tbody.innerHTML = '';
    var overzicht = $('overzicht'); overzicht.innerHTML = '';
    gebruikers.forEach(function (g) {
      var tr = document.createElement('tr');
      tr.setAttribute('data-id', g.id); tr.setAttribute('aria-selected', 'false'); tr.tabIndex = 0;
      var a = document.createElement('td'), b = document.createElement('td'), c = document.createElement('span');
      a.textContent = g.naam; c.className = 'pnl-count'; c.textContent = g.aantal; b.appendChild(c);
      tr.appendChild(a); tr.appendChild(b);
      tr.addEventListener('click', function () { selectUser(g.id); });
      tr.addEventListener('keydown', function (e) { if (e.key === 'Enter') selectUser(g.id); });
      tbody.appendChild(tr);
      var r = document.createElement('tr'), x = document.createElement('td'), y = document.createElement('td');
      x.textContent = g.naam; y.textContent = g.aantal; r.appendChild(x); r.appendChild(y); overzicht.appendChild(r);
    });
  }
  function boxes() { return Array.prototype.slice.call(boom.querySelectorAll('[role=checkbox][data-name]')); }
  function groups() {
    boom.querySelectorAll('.pnl-tree-group').forEach(function (g) {
      var items = Array.prototype.slice.call(g.querySelectorAll('[role=checkbox][data-name]'));
      var on = items.filter(function (b) { return b.getAttribute('aria-checked') === 'true'; }).length;
      g.querySelector('[data-groep]').setAttribute('aria-checked', on === 0 ? 'false' : on === items.length ? 'true' : 'mixed');
    });
  }
  function selectUser(id) {
    gebruiker = id; setUrl();
    tbody.querySelectorAll('tr').forEach(function (tr) { tr.setAttribute('aria-selected', tr.getAttribute('data-id') === id ? 'true' : 'false'); });
    // The panel stays (with what it showed) under the spinner while the user's data loads.
    details.hidden = false; status.textContent = ''; fout.hidden = true; alt.busy(true, 'Autorisaties laden');
    var my = ++detailsSeq;
    getJson('/apex/api/autorisaties?klantnummer=' + encodeURIComponent(kn) + '&gebruiker=' + encodeURIComponent(id)).then(function (d) {
      if (my !== detailsSeq) return;
      setTimeout(function () {
        if (my !== detailsSeq) return;
        naam.textContent = d.naam.replace(/ \([^)]*\)$/, '');
        boxes().forEach(function (b) { b.setAttribute('aria-checked', d.autorisaties.indexOf(b.getAttribute('data-name')) >= 0 ? 'true' : 'false'); });
        groups();
        details.hidden = false; alt.busy(false);
      }, alt.delay());
    }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
      if (my !== detailsSeq) return;
      alt.busy(false);
      paginaStatus.textContent = 'De autorisaties konden niet worden geladen. Probeer het opnieuw.';
    });
  }
  boom.addEventListener('click', function (e) {
    var head = e.target.closest('.pnl-tree-head'), item = e.target.closest('.pnl-tree-item');
    if (item) {
      var b = item.querySelector('[role=checkbox]');
      b.setAttribute('aria-checked', b.getAttribute('aria-checked') === 'true' ? 'false' : 'true');
    } else if (head) {
      var g = head.parentNode, all = head.querySelector('[data-groep]').getAttribute('aria-checked') !== 'true';
      g.querySelectorAll('[role=checkbox][data-name]').forEach(function (x) { x.setAttribute('aria-checked', all ? 'true' : 'false'); });
    } else return;
    groups(); status.textContent = '';
  });
  opslaan.addEventListener('click', function () {
    if (opslaan.getAttribute('aria-disabled') === 'true' || !gebruiker) return;
    var namen = boxes().filter(function (b) { return b.getAttribute('aria-checked') === 'true'; }).map(function (b) { return b.getAttribute('data-name'); });
    var started = Date.now(), who = gebruiker, where = kn;
    opslaan.setAttribute('aria-disabled', 'true'); status.textContent = ''; fout.hidden = true; alt.busy(true, 'Opslaan');
    function done() { opslaan.setAttribute('aria-disabled', 'false'); alt.busy(false); }
    // Client-side validation first, then the request; the whole save takes about 700 ms.
    setTimeout(function () {
      fetch('/apex/api/autorisaties', {
        method: 'POST', credentials: 'same-origin',
        headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': cfg.csrf },
        body: JSON.stringify({ klantnummer: where, gebruiker: who, autorisaties: namen })
      }).then(function (r) {
        if (!r.ok) throw new Error('HTTP ' + r.status);
        return r.json();
      }).then(function () {
        setTimeout(function () { status.textContent = 'De autorisaties zijn opgeslagen.'; done(); }, Math.max(0, 700 - (Date.now() - started)));
      }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
        fout.textContent = 'De autorisaties konden niet worden opgeslagen. Probeer het opnieuw.'; fout.hidden = false; done();
      });
    }, 250);
  });
  alt.combobox($('kn-combo'), $('kn-lijst'), function (value) {
    if (value === kn) return;
    kn = value; gebruiker = null; setUrl(); loadUsers();
  });
  function category(perUser) {
    $('categorie-gebruiker').setAttribute('aria-checked', perUser ? 'true' : 'false');
    $('categorie-klantnummer').setAttribute('aria-checked', perUser ? 'false' : 'true');
    $('per-gebruiker').hidden = !perUser; $('per-klantnummer').hidden = perUser;
  }
  $('categorie-gebruiker').addEventListener('click', function () { category(true); });
  $('categorie-klantnummer').addEventListener('click', function () { category(false); });
  $('gebruiker-toevoegen').addEventListener('click', function () { $('toevoegen-melding').hidden = false; });
  var dialoog = $('verwijder-dialoog');
  $('verwijderen').addEventListener('click', function () {
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
  window.altKeepBusy = true;
  setUrl();
  // A user in the address: his panel shows at once (nothing ticked yet) and fills in once loaded.
  if (gebruiker) details.hidden = false;
  loadUsers();
};
"##;

/// Stap 5: pick a klantnummer in the dropdown; the report is "prepared", then offered.
pub(crate) const ECOMMERCE: &str = r##"
window.altPage = function (alt) {
  var btn = document.getElementById('rapport-kn'), list = btn.parentNode.querySelector('[role=listbox]');
  var box = document.getElementById('rapport'), dl = document.getElementById('rapport-download');
  var kn = null, seq = 0;
  function show(value) {
    kn = value; box.hidden = true;
    var u = new URL(location.href); u.searchParams.set('klantnummer', kn); history.replaceState(null, '', u);
    var my = ++seq; alt.busy(true, 'Rapport voorbereiden');
    setTimeout(function () { if (my !== seq) return; box.hidden = false; alt.busy(false); }, alt.delay());
  }
  alt.combobox(btn, list, show);
  dl.addEventListener('click', function () {
    if (!kn) return;
    location.href = '/apex/rapporten/e-commerce-inzichten-' + encodeURIComponent(kn) + '.pdf';
  });
};
"##;
