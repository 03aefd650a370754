//! `--cookie-iframe`: the cookie dialog as many consent managers show it — their own page
//! ("Cookie-instellingen", at [`DIALOG_PATH`]) in an iframe, on an overlay that covers the portal
//! and holds nothing but that iframe. A choice in the frame sets the consent cookie (same site)
//! and tells the portal page, which removes the overlay.

use super::html::esc;

/// Where the consent manager's dialog page lives.
pub(crate) const DIALOG_PATH: &str = "/cookies/instellingen";

/// The frame's title (its accessible name).
pub(crate) const FRAME_TITLE: &str = "Cookie-instellingen";

/// Portal side: while no consent cookie is set, a moment after load, an overlay with only the
/// iframe; it goes when the frame posts its choice.
pub(crate) const IFRAME_SCRIPT: &str = r##"
(function () {
  if (document.cookie.split(';').some(function (c) { return c.trim().indexOf('cookie_consent=') === 0; })) return;
  setTimeout(function () {
    var overlay = document.createElement('div');
    overlay.id = 'cookie-overlay';
    overlay.setAttribute('style', 'position:fixed;inset:0;z-index:1000;background:rgba(11,21,51,.55);' +
      'display:flex;align-items:flex-end;justify-content:center;padding:24px;');
    var frame = document.createElement('iframe');
    frame.src = '/cookies/instellingen';
    frame.title = 'Cookie-instellingen';
    frame.setAttribute('style', 'width:100%;max-width:760px;height:300px;border:0;border-radius:14px;' +
      'background:#fff;box-shadow:0 20px 50px rgba(0,0,0,.3);margin-bottom:24px;');
    overlay.appendChild(frame);
    document.body.appendChild(overlay);
    window.addEventListener('message', function (e) {
      if (e.origin !== location.origin || !e.data || e.data.cookieKeuze === undefined) return;
      overlay.remove();
    });
  }, 200);
})();
"##;

/// The consent manager's page shown in the iframe.
pub(crate) fn dialog_page() -> String {
    format!(
        r##"<!DOCTYPE html>
<html lang="nl">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
* {{ box-sizing: border-box; }}
html, body {{ margin: 0; height: 100%; }}
body {{ font-family: "Segoe UI", Roboto, Helvetica, Arial, sans-serif; color: #141f4b; background: #fff; }}
.cmp {{ padding: 24px 28px; border-top: 6px solid #ff6200; height: 100%; }}
h1 {{ font-size: 21px; margin: 0 0 10px; }}
p {{ margin: 0 0 14px; line-height: 1.45; font-size: 15px; }}
.knoppen {{ display: flex; gap: 12px; }}
button {{ font: inherit; font-weight: 700; border-radius: 22px; padding: 10px 24px; cursor: pointer; }}
.ja {{ background: #ff6200; border: 2px solid #ff6200; color: #fff; }}
.nee {{ background: #fff; border: 2px solid #141f4b; color: #141f4b; }}
</style>
</head>
<body>
<div class="cmp" role="dialog" aria-modal="true" aria-labelledby="cmp-kop" aria-describedby="cmp-tekst">
<h1 id="cmp-kop">PostNL gebruikt cookies</h1>
<p id="cmp-tekst">Wij gebruiken functionele en analytische cookies om Mijn PostNL goed te laten werken en te verbeteren. Met jouw toestemming plaatsen wij ook cookies om je relevante informatie te tonen.</p>
<div class="knoppen"><button type="button" class="ja" data-consent="accepted">Accepteren</button><button type="button" class="nee" data-consent="declined">Weigeren</button></div>
</div>
<script>
document.querySelectorAll('button[data-consent]').forEach(function (b) {{
  b.addEventListener('click', function () {{
    var keuze = b.getAttribute('data-consent');
    document.cookie = 'cookie_consent=' + keuze + '; path=/; max-age=31536000; SameSite=Lax';
    parent.postMessage({{ cookieKeuze: keuze }}, location.origin);
  }});
}});
</script>
</body>
</html>
"##,
        title = esc(FRAME_TITLE),
    )
}
