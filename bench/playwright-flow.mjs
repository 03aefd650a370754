#!/usr/bin/env node
// The guide flow "Gebruiker autoriseren — Toegang geven tot e-commerce inzichten"
// (flows/autoriseren-ecommerce-inzichten.toml + flows/login.toml), written the Playwright way,
// as the baseline for bench/run.py. Same steps, same checks, one screenshot per step. It runs
// on the replica's renditions `classic` and `alt` alike: elements are found by role, label,
// placeholder and text, each with the alternative the other markup needs (e.g. a native
// <select> or a custom dropdown, a listbox of users or a grid of rows).
//
//   POSTNL_EMAIL=… POSTNL_PASSWORD=… node playwright-flow.mjs --base-url URL --out DIR \
//       [--klantnummer 9401138] [--gebruiker "GATUser, PostNL (PostNL)"] [--timings]
//
// Exits 0 when all five steps passed; 1 with a message otherwise. `--timings` prints the
// duration of each phase (launch, steps, close) to stderr as one JSON line.

import { chromium } from 'playwright-core';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';

// performance.now() counts from the process start (Node's timeOrigin).
const t0 = 0;
const { values: opt } = parseArgs({
  options: {
    'base-url': { type: 'string' },
    out: { type: 'string' },
    klantnummer: { type: 'string', default: '9401138' },
    gebruiker: { type: 'string', default: 'GATUser, PostNL (PostNL)' },
    timings: { type: 'boolean', default: false },
  },
});
if (!opt['base-url'] || !opt.out) {
  console.error('usage: playwright-flow.mjs --base-url URL --out DIR [--klantnummer N] [--gebruiker NAME]');
  process.exit(2);
}
const email = process.env.POSTNL_EMAIL;
const password = process.env.POSTNL_PASSWORD;
if (!email || !password) {
  console.error('POSTNL_EMAIL and POSTNL_PASSWORD must be set');
  process.exit(2);
}
const { klantnummer, gebruiker } = opt;
const outDir = path.resolve(opt.out);
await mkdir(path.join(outDir, 'downloads'), { recursive: true });

// Flags from the brief (Debian's Chromium as root in a container). Playwright adds its own
// automation switches and `--headless` on top, as chromedriver does for the robot.
const ARGS = [
  '--no-sandbox',
  '--headless=new',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Same word-set comparison as the flow language's `same_person` (src/flow/text.rs). */
function samePerson(a, b) {
  const words = (s) => s.split(/[^\p{L}\p{N}]+/u).filter(Boolean).map((w) => w.toLowerCase());
  let [wa, wb] = [words(a), words(b)];
  if (wa.length > wb.length) [wa, wb] = [wb, wa];
  return wa.length > 0 && wa.every((w) => wb.includes(w));
}

const phases = {};
let mark = t0;
function lap(name) {
  const now = performance.now();
  phases[name] = Math.round(now - mark);
  mark = now;
}
lap('node_start');

const browser = await chromium.launch({
  executablePath: '/usr/bin/chromium',
  headless: true,
  args: ARGS,
});
let failed = null;
try {
  const context = await browser.newContext({
    baseURL: opt['base-url'],
    viewport: { width: 1280, height: 900 },
    acceptDownloads: true,
  });
  const page = await context.newPage();
  page.setDefaultTimeout(30_000);
  lap('launch');

  // The menu button with the user's name: a banner button that opens a popup.
  const userMenu = page
    .getByRole('banner')
    .getByRole('button')
    .and(page.locator('[aria-haspopup], [aria-expanded]'));

  // Handlers, as in the flow: the cookie banner (refuse) and a "Nieuw in Mijn PostNL" notice.
  // The banner shows 200 ms after a page loads; when the login was quicker than that, it shows
  // on the home page and can cover the just-opened user menu. Clicking "Weigeren" is a click
  // outside the menu, which closes it: open it again, so the interrupted click can go on.
  await page.addLocatorHandler(
    page.getByRole('button', { name: /^(Weigeren|Alleen noodzakelijke cookies)$/ }),
    async (weigeren) => {
      const menuWasOpen = (await userMenu.count()) > 0 && (await userMenu.getAttribute('aria-expanded')) === 'true';
      await weigeren.click();
      if (menuWasOpen) await userMenu.click();
    },
  );
  const closeNotice = page
    .getByRole('dialog')
    .getByRole('button', { name: /^(Sluiten|Later|Niet nu|Overslaan|Begrepen)$/ });
  await page.addLocatorHandler(closeNotice, async (button) => button.first().click());

  const shot = (n) => page.screenshot({ path: path.join(outDir, `stap-${n}.png`) });
  // The klantnummer: a native <select>, or a custom dropdown (a button opening a listbox).
  const selectContaining = async (select, text) => {
    if ((await select.evaluate((e) => e.tagName)) === 'SELECT') {
      const label = await select.locator('option', { hasText: text }).first().textContent();
      await select.selectOption({ label });
      return;
    }
    if ((await select.innerText()).includes(text)) return; // already chosen
    await select.click();
    await page.getByRole('option', { name: text }).click();
  };
  // A page that answered HTTP 5xx is reloaded, as a person would (a few times at most).
  const reloadServerErrors = async (response) => {
    for (let n = 0; response && response.status() >= 500 && n < 3; n++) response = await page.reload();
  };
  const klantnummerSelect = page
    .getByRole('combobox', { name: 'Klantnummer' })
    .or(page.getByRole('button', { name: /^Klantnummer\s/ }));
  // Stap 1. Log in op MijnPostNL
  await page.goto('/');
  await page.getByRole('heading', { name: 'Log in bij Mijn PostNL' }).waitFor();
  await page.getByLabel('E-mailadres', { exact: true }).fill(email);
  await page
    .getByLabel('Wachtwoord', { exact: true })
    .or(page.getByPlaceholder('Wachtwoord', { exact: true }))
    .fill(password);
  await page.getByRole('button', { name: 'Inloggen bij Mijn PostNL' }).click();
  await userMenu.or(page.getByLabel('Nieuw wachtwoord')).or(page.getByRole('alert')).first().waitFor();
  if (await page.getByLabel('Nieuw wachtwoord').isVisible()) {
    throw new Error('the portal asks for a new password (not part of this benchmark)');
  }
  await page.waitForURL(/\/apex\/BPG_Home/i);
  await shot(1);
  lap('stap1_login');

  // Stap 2. Ga naar 'Mijn Account'
  const ingelogdeGebruiker = (await userMenu.innerText()).trim();
  await userMenu.click();
  const account = page.waitForResponse(
    (r) => r.request().isNavigationRequest() && /\/apex\/bpg_my_account/i.test(r.url()),
  );
  await page
    .getByRole('menuitem', { name: 'Mijn Account' })
    .or(page.getByRole('banner').getByText('Mijn Account', { exact: true }))
    .first()
    .click();
  await reloadServerErrors(await account);
  await page.waitForURL(/\/apex\/bpg_my_account/i);
  await shot(2);
  lap('stap2_mijn_account');

  // Stap 3. Ga naar 'Autorisaties'
  const autorisaties = page
    .getByRole('link', { name: 'Autorisaties', exact: true })
    .or(page.getByRole('main').getByText('Autorisaties', { exact: true }))
    .first();
  const klantTab = page
    .getByRole('tab', { name: 'Klantnummerinstellingen' })
    .or(page.getByRole('button', { name: 'Klantnummerinstellingen' }));
  // Decide once the page shows one of the two (a page may render after it loaded).
  await autorisaties.or(klantTab).first().waitFor();
  if (!(await autorisaties.isVisible())) await klantTab.click();
  await autorisaties.click();
  await page.getByText('Selecteer een gebruiker om de autorisaties te wijzigen').waitFor();
  await shot(3);
  lap('stap3_autorisaties');

  // Stap 4. Selecteer 'autorisaties voor gebruiker'
  const userOption = page
    .getByRole('listbox')
    .getByRole('option', { name: gebruiker, exact: true })
    .or(page.getByRole('grid').getByRole('row').filter({ has: page.getByRole('gridcell', { name: gebruiker, exact: true }) }));
  const details = page.getByRole('heading', { name: /^Autorisaties voor/ });
  // A labelled checkbox, or a checkbox with its text right after it.
  const box = page
    .getByLabel('E-commerce inzichten', { exact: true })
    .or(page.getByText('E-commerce inzichten', { exact: true }).locator('xpath=preceding-sibling::*[@role="checkbox"]'));
  // The user's authorisations load after the choice (under a spinner, on alt): wait for them
  // before reading or ticking the box.
  const loaded = async () => {
    await details.waitFor();
    await page.getByRole('progressbar').waitFor({ state: 'hidden' });
  };
  await selectContaining(klantnummerSelect, klantnummer);
  await userOption.click();
  await loaded();
  await box.check();
  const saved = page.waitForResponse(
    (r) => r.request().method() === 'POST' && new URL(r.url()).pathname.toLowerCase() === '/apex/api/autorisaties',
  );
  await page.getByRole('button', { name: 'Opslaan' }).click();
  const response = await saved;
  if (!response.ok()) throw new Error(`saving answered HTTP ${response.status()}`);
  await page.reload();
  await selectContaining(klantnummerSelect, klantnummer);
  await userOption.click();
  await loaded();
  if (!(await box.isChecked())) throw new Error("'E-commerce inzichten' is not ticked after the reload");
  await box.scrollIntoViewIfNeeded();
  await shot(4);
  lap('stap4_autoriseren');

  // Stap 5. Nadat de gebruiker geautoriseerd is (only when the logged-in user is that user)
  if (samePerson(gebruiker, ingelogdeGebruiker)) {
    await page.goto('/');
    const tile = page
      .getByRole('link', { name: /E-commerce Inzichten/ })
      .or(page.getByRole('main').getByText(/E-commerce Inzichten/))
      .first();
    // The tile can take up to 60 minutes to appear: reload every 15 s until it is there.
    const deadline = Date.now() + 3600_000;
    for (;;) {
      try {
        await tile.waitFor({ timeout: 15_000 });
        break;
      } catch (e) {
        if (Date.now() > deadline) throw e;
        await page.reload();
      }
    }
    await tile.click();
    await selectContaining(klantnummerSelect, klantnummer);
    const downloading = page.waitForEvent('download');
    await page.getByRole('link', { name: /PDF/ }).or(page.getByRole('button', { name: /PDF/ })).click();
    const download = await downloading;
    const file = path.join(outDir, 'downloads', download.suggestedFilename());
    await download.saveAs(file);
    const head = (await readFile(file)).subarray(0, 5).toString('latin1');
    if (head !== '%PDF-') throw new Error(`the download is not a PDF (starts with ${JSON.stringify(head)})`);
    await shot(5);
  }
  lap('stap5_rapport');
  await context.close();
} catch (e) {
  failed = e;
} finally {
  await browser.close();
  lap('close');
}
if (opt.timings) {
  phases.total = Math.round(performance.now() - t0);
  console.error(JSON.stringify({ tool: 'playwright', phases_ms: phases }));
}
if (failed) {
  console.error(`FAILED: ${failed.message}`);
  process.exit(1);
}
