//! The Apex rendition's page scripts (dynamic actions, in APEX terms). They run after the shared
//! `apexUT` code of the page template.

/// Mijn Account: the Region Display Selector shows one region at a time.
pub(crate) const TABS: &str = r##"
(function () {
  var tabs = Array.prototype.slice.call(document.querySelectorAll('.apex-rds [role=tab]'));
  function select(tab) {
    tabs.forEach(function (t) {
      var on = t === tab;
      t.setAttribute('aria-selected', on ? 'true' : 'false');
      document.querySelector('[data-rds="' + t.getAttribute('aria-controls') + '"]').hidden = !on;
    });
    var u = new URL(location.href);
    u.searchParams.set('tab', tab.id === 'R_KLANTNUMMER_tab' ? 'klantnummer' : 'persoonlijk');
    history.replaceState(null, '', u);
  }
  tabs.forEach(function (t) { t.addEventListener('click', function (e) { e.preventDefault(); select(t); }); });
})();
"##;

/// Stap 4: the Popup LOV (its dialog loads the users when it opens, at most ten rows, a search
/// box that filters them), and on a pick the authorisation editor as a modal dialog page.
pub(crate) const AUTHORISATIONS: &str = r##"
(function () {
  var cfg = apexUT.data();
  var $ = function (id) { return document.getElementById(id); };
  var kn = $('P20_KLANTNUMMER'), value = $('P20_GEBRUIKER'), display = $('P20_GEBRUIKER_DISPLAY');
  var dlg = $('P20_GEBRUIKER_dialog'), overlay = $('P20_GEBRUIKER_overlay'), search = $('P20_GEBRUIKER_search');
  var list = $('P20_GEBRUIKER_list'), loading = $('P20_GEBRUIKER_loading'), more = $('P20_GEBRUIKER_more');
  var rows = null, seq = 0, MAX = 10, timer = null;
  function enc(s) { return encodeURIComponent(s); }
  function setUrl() {
    var u = new URL(location.href);
    u.searchParams.set('PageTile', 'ShowMyAuthorizations');
    u.searchParams.set('klantnummer', kn.value);
    u.searchParams.delete('gebruiker');
    history.replaceState(null, '', u);
  }
  function getJson(url) {
    return fetch(url, { headers: { 'Accept': 'application/json' }, credentials: 'same-origin' }).then(function (r) {
      if (r.status === 401) { location.href = '/'; throw new Error('sessie'); }
      if (!r.ok) throw new Error('HTTP ' + r.status);
      return r.json();
    });
  }
  function users(then) {
    var my = ++seq;
    setTimeout(function () {
      getJson('/apex/api/gebruikers?klantnummer=' + enc(kn.value)).then(function (d) {
        if (my === seq) then(d.gebruikers);
      }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
        if (my !== seq) return;
        loading.hidden = false; loading.className = ''; loading.textContent = 'De gebruikers konden niet worden geladen.';
      });
    }, cfg.vertraging);
  }
  function render() {
    var q = search.value.trim().toLowerCase();
    var hits = rows.filter(function (r) { return !q || r.naam.toLowerCase().indexOf(q) >= 0; });
    list.innerHTML = '';
    hits.slice(0, MAX).forEach(function (r) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option'); li.tabIndex = -1; li.textContent = r.naam;
      li.setAttribute('aria-selected', r.id === value.value ? 'true' : 'false');
      li.addEventListener('click', function () { pick(r); });
      list.appendChild(li);
    });
    more.hidden = hits.length > 0 && hits.length <= MAX;
    more.textContent = hits.length ? 'Meer dan ' + MAX + ' resultaten: verfijn je zoekopdracht.' : 'Geen gegevens gevonden';
  }
  function open() {
    overlay.hidden = false; dlg.hidden = false; search.value = ''; search.focus();
    rows = null; list.innerHTML = ''; more.hidden = true;
    list.setAttribute('aria-busy', 'true'); loading.hidden = false; loading.className = 'a-PopupLOV-loading'; loading.textContent = 'Laden\u2026';
    users(function (data) { rows = data; loading.hidden = true; list.removeAttribute('aria-busy'); render(); });
  }
  function close() { dlg.hidden = true; overlay.hidden = true; seq++; display.focus(); }
  function pick(r) {
    value.value = r.id; display.value = r.naam; close();
    apexUT.dialog.open(cfg.dialoog + '?klantnummer=' + enc(kn.value) + '&gebruiker=' + enc(r.id), 'Autorisaties voor ' + r.naam);
  }
  $('P20_GEBRUIKER_lov_btn').addEventListener('click', open);
  display.addEventListener('click', open);
  display.addEventListener('keydown', function (e) { if (e.key === 'Enter' || e.key === 'ArrowDown') { e.preventDefault(); open(); } });
  dlg.querySelector('.ui-dialog-titlebar-close').addEventListener('click', close);
  dlg.addEventListener('keydown', function (e) { if (e.key === 'Escape') close(); });
  search.addEventListener('input', function () { clearTimeout(timer); timer = setTimeout(function () { if (rows) render(); }, 250); });
  search.addEventListener('keydown', function (e) { if (e.key === 'Enter' && rows) { clearTimeout(timer); render(); } });
  dlg.querySelector('.a-PopupLOV-doSearch').addEventListener('click', function () { if (rows) render(); });
  kn.addEventListener('change', function () {
    value.value = ''; display.value = ''; apexUT.dialog.remove(); setUrl();
    if (!$('per-klantnummer').hidden) overview();
  });
  function overview() {
    var body = $('overzicht'); body.innerHTML = '';
    users(function (data) {
      data.forEach(function (g) {
        var tr = document.createElement('tr'), a = document.createElement('td'), b = document.createElement('td');
        a.textContent = g.naam; b.textContent = g.aantal; tr.appendChild(a); tr.appendChild(b); body.appendChild(tr);
      });
    });
  }
  document.querySelectorAll('input[name=P20_CATEGORIE]').forEach(function (r) {
    r.addEventListener('change', function () {
      var perUser = r.value === 'G' && r.checked;
      $('per-gebruiker').hidden = !perUser; $('per-klantnummer').hidden = perUser;
      if (!perUser) overview();
    });
  });
  $('B_TOEVOEGEN').addEventListener('click', function () { $('toevoegen-melding').hidden = false; });
  setUrl();
})();
"##;

/// The authorisation editor (a modal dialog page): "Opslaan" shows the processing overlay,
/// saves, and closes the dialog with the success message on the page below.
pub(crate) const DIALOG: &str = r##"
(function () {
  var cfg = apexUT.data();
  var $ = function (id) { return document.getElementById(id); };
  var form = $('P21_FORM'), alertBox = $('t_Body_alert'), busy = false;
  function parentUT() { try { return window.parent !== window ? window.parent.apexUT : null; } catch (e) { return null; } }
  function error(text) {
    alertBox.innerHTML = '<div class="t-Alert t-Alert--danger t-Alert--horizontal t-Alert--page" id="t_Alert_Notification" role="alert"><div class="t-Alert-wrap">' +
      '<div class="t-Alert-icon"><span class="t-Icon" aria-hidden="true"></span></div><div class="t-Alert-content"><h2 class="t-Alert-title"></h2></div></div></div>';
    alertBox.querySelector('.t-Alert-title').textContent = text;
  }
  function finish(message) {
    var p = parentUT();
    if (p) p.dialog.close(message); else apexUT.message(message);
  }
  function post(url, body) {
    return fetch(url, {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', 'X-CSRF-Token': cfg.csrf },
      body: JSON.stringify(body)
    }).then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); });
  }
  $('B_ANNULEREN').addEventListener('click', function () { var p = parentUT(); if (p) p.dialog.remove(); });
  $('B_OPSLAAN').addEventListener('click', function () {
    if (busy) return;
    busy = true; alertBox.innerHTML = '';
    var names = new FormData(form).getAll('autorisatie'), started = Date.now();
    apexUT.processing(true);
    post('/apex/api/autorisaties', { klantnummer: cfg.klantnummer, gebruiker: cfg.gebruiker, autorisaties: names }).then(function () {
      setTimeout(function () { apexUT.processing(false); busy = false; finish('De autorisaties zijn opgeslagen.'); },
        Math.max(0, 600 - (Date.now() - started)));
    }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err));
      apexUT.processing(false); busy = false;
      error('De autorisaties konden niet worden opgeslagen. Probeer het opnieuw.');
    });
  });
  $('B_VERWIJDEREN').addEventListener('click', function () {
    alertBox.innerHTML = '<div class="t-Alert t-Alert--danger t-Alert--horizontal" role="alertdialog" aria-labelledby="bevestig-kop"><div class="t-Alert-wrap"><div class="t-Alert-content">' +
      '<h2 class="t-Alert-title" id="bevestig-kop">Gebruikersaccount verwijderen</h2><p>Weet je zeker dat je het account van <strong></strong> wilt verwijderen? Dit kan niet ongedaan worden gemaakt.</p>' +
      '<button type="button" class="t-Button" id="B_NEE">Annuleren</button> <button type="button" class="t-Button t-Button--danger" id="B_JA">Ja, verwijderen</button></div></div></div>';
    alertBox.querySelector('strong').textContent = cfg.naam;
    $('B_NEE').addEventListener('click', function () { alertBox.innerHTML = ''; });
    $('B_JA').addEventListener('click', function () {
      apexUT.processing(true);
      post('/apex/api/gebruikers/verwijderen', { gebruiker: cfg.gebruiker }).then(function () {
        apexUT.processing(false); finish('Het gebruikersaccount is verwijderd.');
      }).catch(function (err) { console.error('[Mijn PostNL] verzoek mislukt:', String(err && err.message || err)); apexUT.processing(false); error('Het gebruikersaccount kon niet worden verwijderd.'); });
    });
  });
})();
"##;

/// Stap 5: choosing a klantnummer shows the download link.
pub(crate) const ECOMMERCE: &str = r##"
(function () {
  var select = document.getElementById('P40_KLANTNUMMER');
  var box = document.getElementById('rapport'), link = document.getElementById('rapport-link');
  function update() {
    var kn = select.value;
    if (!kn) { box.hidden = true; return; }
    link.href = '/apex/rapporten/e-commerce-inzichten-' + encodeURIComponent(kn) + '.pdf';
    box.hidden = false;
  }
  select.addEventListener('change', update);
  update();
})();
"##;
