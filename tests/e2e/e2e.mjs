// End-to-end tests: the release build of flockboard, served from a sub-path by a plain static
// file server, driven in headless Chromium (Debian's, through playwright-core) against the
// sandbox FLock API. Runs on Node 20; no test framework, so nothing is downloaded.
//
// Environment:
//   APP_URL      the page, e.g. http://127.0.0.1:18080/apps/flockboard/  (trailing slash)
//   SANDBOX_URL  the sandbox, e.g. http://127.0.0.1:18181
//   HUB_URL      the sandbox Hub, e.g. http://127.0.0.1:18182 (the upload tests fail without it)
//   OUT          folder for screenshots (created)
//   MODE         direct (default): the page calls the sandbox itself, CORS on;
//                nginx: page and API on one origin through deploy/nginx (sandbox CORS off);
//                worker: the page on one origin, deploy/worker on another (sandbox CORS off).
//   API_ADDRESS, HUB_ADDRESS  in the proxied modes, the addresses saved in Settings (e.g.
//                `api/v1/` and `hf/` behind nginx, the Worker's URL + `api/v1/`)
// Prints one line per test and ends with `e2e: N passed, M failed`; exits 1 on any failure.
// In the proxied modes only the tests marked for that mode run.

import { chromium } from 'playwright-core';
import AxeBuilder from '@axe-core/playwright';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import assert from 'node:assert/strict';

const APP_URL = process.env.APP_URL;
const SANDBOX_URL = process.env.SANDBOX_URL;
// The upload tests need the sandbox Hub: without it they fail rather than skip.
if (!process.env.HUB_URL || !process.env.STORAGE_URL) {
  console.error('HUB_URL and STORAGE_URL must be set (the sandbox Hub and its storage)');
  process.exit(2);
}
const OUT = process.env.OUT || 'tests/e2e/out';
const MODE = process.env.MODE || 'direct';
if (!APP_URL || !SANDBOX_URL || !['direct', 'nginx', 'worker'].includes(MODE)) {
  console.error('APP_URL and SANDBOX_URL must be set, and MODE be direct, nginx or worker');
  process.exit(2);
}
const PROXIED = MODE !== 'direct';
if (PROXIED && !process.env.API_ADDRESS) {
  console.error(`MODE=${MODE} needs API_ADDRESS (and HUB_ADDRESS)`);
  process.exit(2);
}
const APP_ORIGIN = new URL(APP_URL).origin;
/** The API base the page resolves its address to, as a browser would. */
const API_BASE = new URL(process.env.API_ADDRESS || `${SANDBOX_URL}/api/v1/`, APP_URL).href;
const HUB_BASE = new URL(process.env.HUB_ADDRESS || `${process.env.HUB_URL || SANDBOX_URL}/`, APP_URL).href;
/** Tests for every mode, for direct and nginx, and (the default) direct only. */
const ALL_MODES = ['direct', 'nginx', 'worker'];
const SAME_ORIGIN = ['direct', 'nginx'];
mkdirSync(OUT, { recursive: true });

const OPEN_IDS = ['7', '8', '9', '10', '12'];
const FINALIZED_IDS = ['1', '2', '3', '4', '5', '6', '99999'];
const ALL_IDS = [...OPEN_IDS, '11', ...FINALIZED_IDS];

// ---- sandbox control -------------------------------------------------------------------------

async function control(method, path, body) {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status} ${await res.text()}`);
  return res.status === 204 ? null : res.json();
}
const reset = () => control('POST', 'reset');
const fault = (f) => control('POST', 'faults', f);
const requestLog = () => control('GET', 'log');

// ---- browser ---------------------------------------------------------------------------------

/** Headless Chromium with the suite's flags, and `extra` ones. */
const launch = (extra = []) => chromium.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
  args: [
    '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync', ...extra,
  ],
});
const browser = await launch();

/** Pages opened by the running test; their requests are checked when it ends. */
let openedPages = [];

/** A fresh browser profile and tab (of `from`, the suite's browser unless another is given),
 * recording dialogs, page errors and every request it makes. In the proxied modes the
 * profile's settings point the page at the proxy. */
async function freshPage(init, from = browser) {
  const context = await from.newContext({ viewport: { width: 1280, height: 900 } });
  if (init) await context.addInitScript(init);
  if (PROXIED) {
    // After the test's own seed: add the proxy addresses to whatever settings it saved.
    await context.addInitScript(([api, hub]) => {
      const saved = JSON.parse(localStorage.getItem('flockboard.settings') || '{}');
      if (!saved.flock_api_base) {
        localStorage.setItem('flockboard.settings', JSON.stringify({ ...saved, flock_api_base: api, hub_base: hub }));
      }
    }, [process.env.API_ADDRESS, process.env.HUB_ADDRESS]);
  }
  const page = await context.newPage();
  page.dialogs = [];
  page.errors = [];
  page.requests = [];
  page.on('dialog', async (d) => { page.dialogs.push(d.message()); await d.dismiss(); });
  page.on('pageerror', (e) => page.errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error' && !/Failed to load resource|net::ERR_|CORS policy/.test(m.text())) page.errors.push(m.text()); });
  page.on('request', (r) => page.requests.push({ url: r.url(), method: r.method(), headers: r.headers() }));
  openedPages.push(page);
  return page;
}

/** Where the browser may send requests in this mode: the page's own origin, and the services
 * it is set to call. Storage URLs come from the Hub's answers and are always direct. */
function allowedOrigins() {
  const storage = process.env.STORAGE_URL ? [new URL(process.env.STORAGE_URL).origin] : [];
  return [...new Set([APP_ORIGIN, new URL(API_BASE).origin, new URL(HUB_BASE).origin, ...storage])];
}

/** What the browser itself sent (not only what the sandbox saw): only to allowed origins, the
 * key only to the API base, the token only to the Hub base. */
function checkRequests(page) {
  const allowed = [...allowedOrigins(), ...(page.extraOrigins || [])];
  for (const r of page.requests) {
    if (r.url.startsWith('data:') || r.url.startsWith('blob:')) continue;
    assert.ok(allowed.includes(new URL(r.url).origin), `request to an unexpected origin: ${r.method} ${r.url} (allowed: ${allowed})`);
    if ('flock-api-key' in r.headers && r.headers['flock-api-key'] !== '') {
      assert.ok(r.url.startsWith(API_BASE), `the key went to ${r.url}`);
    }
    if ('authorization' in r.headers) {
      assert.ok(r.url.startsWith(HUB_BASE), `the token went to ${r.url}`);
    }
  }
}

const url = (query = '') => `${APP_URL}${query}`;

async function rowIds(page) {
  await page.waitForSelector('[data-testid=task-row]');
  return page.$$eval('[data-testid=task-row]', (rows) => rows.map((r) => r.dataset.taskId));
}

async function shot(page, name) {
  await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
}

// ---- runner ----------------------------------------------------------------------------------

const results = [];
/** The tests that also run behind a proxy: the FLock-facing ones through nginx (page and API on
 * one origin), a smaller set through the Worker (another origin). The rest run direct only. */
const PROXIED_TESTS = {
  'open task list shows the open fixture tasks from a sub-path': ALL_MODES,
  'all and finalized filters; unknown status shown and labelled': ALL_MODES,
  'sort, order and search live in the URL and survive a fresh tab': SAME_ORIGIN,
  'deep link to a task opens in a fresh page with every field': ALL_MODES,
  'unknown task and unreadable links say what is wrong': SAME_ORIGIN,
  'HTTP 500 shows the status and the server detail, then recovers': ALL_MODES,
  'HTTP 502 from a gateway shows its page title, then recovers': SAME_ORIGIN,
  'malformed JSON is reported as unreadable data, then recovers': SAME_ORIGIN,
  'a slow answer shows loading, then the tasks': SAME_ORIGIN,
  'XSS payloads in title, description, type, VRAM and links never execute': SAME_ORIGIN,
  'every request went to the API base, without credentials or stray headers': ALL_MODES,
  'a wallet link opens in a fresh tab with medals, tasks and every submission': ALL_MODES,
  'an invalid address is explained inline and nothing is requested': SAME_ORIGIN,
  'a leaderboard spanning many pages is read whole and paged in the table': ALL_MODES,
  'leaderboard sorting and wallet filter live in the URL': SAME_ORIGIN,
  'own wallet is highlighted, "jump to me" finds it, and the CSV holds what is shown': SAME_ORIGIN,
  'stats: both daily charts drawn, range in the URL, numbers as a table': SAME_ORIGIN,
  'my submissions: no key, a wrong key, then the right key': ALL_MODES,
  'submitting goes through the proxy with the key': ALL_MODES,
  'connection check: every row passes': ALL_MODES,
  'an upload through the Hub proxy: API routes and completion via the proxy, bytes straight to storage': ['nginx'],
};

/** Run `body` with a fresh page, when this mode runs the test. */
async function test(name, body) {
  if (!(PROXIED_TESTS[name] || ['direct']).includes(MODE)) return;
  // ONLY=regexp runs just the tests whose names match it (for working on a few tests).
  if (process.env.ONLY && !new RegExp(process.env.ONLY).test(name)) return;
  await reset();
  // Behind a proxy the sandbox's API and Hub allow no cross-origin calls: only the proxy can
  // work. Its storage keeps CORS, as S3 does for the Hub's uploads.
  if (PROXIED) await control('POST', 'cors', { enabled: false, storage: true });
  openedPages = [];
  const page = await freshPage();
  const started = Date.now();
  try {
    await body(page);
    assert.deepEqual(page.errors, [], 'no page errors');
    assert.deepEqual(page.dialogs, [], 'no dialogs');
    for (const opened of openedPages) checkRequests(opened);
    results.push(true);
    console.log(`ok   ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${name}\n     ${String(e.stack || e).split('\n').slice(0, 6).join('\n     ')}`);
    if (page.errors.length) console.log(`     page errors: ${JSON.stringify(page.errors)}`);
    await shot(page, `FAILED-${MODE}-${name.replace(/\W+/g, '-')}`).catch(() => {});
  } finally {
    await page.context().close();
  }
}

// ---- tests -----------------------------------------------------------------------------------

await test('open task list shows the open fixture tasks from a sub-path', async (page) => {
  await page.goto(url());
  const ids = await rowIds(page);
  assert.deepEqual([...ids].sort(), [...OPEN_IDS].sort());
  assert.equal(await page.locator('#boot').count(), 0, 'the loading line is gone once the app runs');
  // Default sort: soonest deadline first; task 7's deadline (2025) passed long ago.
  assert.equal(ids[0], '7');
  const row7 = page.locator('[data-task-id="7"]');
  await assert.doesNotReject(row7.getByText('15 B').waitFor());
  await assert.doesNotReject(row7.getByText('48GB').waitFor());
  const title = await row7.locator('.deadline').getAttribute('title');
  assert.equal(title, '2025-04-23 23:59:59 UTC');
  // Task 9 closes within the hour: a ticking countdown.
  const countdown = await page.locator('[data-task-id="9"] .deadline').innerText();
  assert.match(countdown, /^00:\d\d:\d\d$/);
  await page.waitForTimeout(1100);
  assert.notEqual(await page.locator('[data-task-id="9"] .deadline').innerText(), countdown, 'countdown ticks');
  await shot(page, 'tasks-open');
});

await test('all and finalized filters; unknown status shown and labelled', async (page) => {
  await page.goto(url());
  await rowIds(page);
  await page.getByTestId('filter-all').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=task-row]').length === 13);
  assert.deepEqual((await rowIds(page)).sort(), [...ALL_IDS].sort());
  assert.match(page.url(), /[?&]status=all/);
  const badge = page.locator('[data-task-id="11"] [data-testid=status]');
  assert.match(await badge.innerText(), /final validation.*unrecognised/s);
  await shot(page, 'tasks-all');
  await page.getByTestId('filter-finalized').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=task-row]').length === 7);
  assert.deepEqual((await rowIds(page)).sort(), [...FINALIZED_IDS].sort());
  const log = await requestLog();
  const lists = log.filter((r) => r.path === '/api/v1/tasks/list').map((r) => r.query);
  assert.ok(lists.includes(''), 'all = unfiltered list…');
  assert.ok(lists.includes('status=submission_phase') && lists.includes('status=finalized'), '…joined with each status');
  assert.ok(log.every((r) => !r.path.includes('//') && !r.path.includes('&') && !r.query.endsWith('&')), `no malformed URLs: ${JSON.stringify(log.map((r) => r.path + '?' + r.query))}`);
});

await test('sort, order and search live in the URL and survive a fresh tab', async (page) => {
  await page.goto(url('?view=tasks&status=all'));
  await rowIds(page);
  await page.getByTestId('sort').selectOption('id');
  await page.getByTestId('order').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=task-row]')?.dataset.taskId === '99999');
  await page.getByTestId('search').fill('flock');
  await page.waitForFunction(() => /[?&]q=flock/.test(location.search));
  const ids = await rowIds(page);
  assert.ok(ids.length > 0 && ids.length < 13, `search narrows (${ids})`);
  assert.equal(await page.getByTestId('search').evaluate((el) => el === document.activeElement), true, 'search keeps focus');
  const shared = page.url();
  assert.match(shared, /sort=id/);
  assert.match(shared, /order=desc/);
  const fresh = await freshPage();
  try {
    await fresh.goto(shared);
    assert.deepEqual(await rowIds(fresh), ids);
    assert.equal(await fresh.getByTestId('search').inputValue(), 'flock');
  } finally {
    await fresh.context().close();
  }
  await page.getByTestId('search').fill('zzz-no-such-task');
  await page.getByTestId('empty').waitFor();
  assert.match(await page.getByTestId('empty').innerText(), /No task matches “zzz-no-such-task”/);
});

await test('deep link to a task opens in a fresh page with every field', async (page) => {
  await page.goto(url('?view=task&id=7'));
  await page.getByTestId('task-detail').waitFor();
  assert.equal(await page.getByTestId('task-title').innerText(), 'FLock x OneKey: Advancing AI-Driven Smart Contract Security');
  const facts = await page.getByTestId('facts').innerText();
  assert.match(facts, /15 B/);
  assert.match(facts, /8,192 tokens/);
  assert.match(facts, /28 d/);
  // Only the list answer has these: the page asks it too and fills them in.
  assert.match(facts, /Recommended VRAM\s+48GB/);
  assert.match(facts, /Dataset\s+onekey-security\/combined\.jsonl/);
  assert.equal(await page.getByTestId('phase').innerText(), 'Ended');
  assert.match(await page.getByTestId('status-note').innerText(), /still lists this task as open/);
  const training = await page.getByTestId('training-set').getAttribute('href');
  assert.match(training, /^https:\/\/fed-ledger-prod-dataset\.s3\.amazonaws\.com\/7\/training_set\.jsonl\?/);
  assert.match(await page.locator('.task').innerText(), /expires an hour after loading/);
  assert.equal(await page.title(), 'Task 7 · flockboard');
  await shot(page, 'task-7');
  // Task 1 has a final model link; an open invented task has a live phase.
  await page.goto(url('?view=task&id=1'));
  assert.equal(await page.getByTestId('final-link').getAttribute('href'), 'https://huggingface.co/jfranklin-foundry/task-1-microsoft-Phi-3-mini-4k-instruct');
  await page.goto(url('?view=task&id=8'));
  await page.getByTestId('task-detail').waitFor();
  assert.equal(await page.getByTestId('phase').innerText(), 'Submission phase');
  await shot(page, 'task-8');
  // Clicking a row link navigates inside the page (no reload) and back works.
  await page.goto(url('?view=tasks&status=all'));
  await rowIds(page);
  await page.locator('[data-task-id="5"] [data-testid=task-link]').click();
  await page.getByTestId('task-detail').waitFor();
  assert.match(page.url(), /view=task&id=5/);
  assert.match(await page.getByTestId('description').innerText(), /FLock & Chasm/);
  await page.goBack();
  await rowIds(page);
});

await test('unknown task and unreadable links say what is wrong', async (page) => {
  await page.goto(url('?view=task&id=4242'));
  await page.getByTestId('error').waitFor();
  const text = await page.getByTestId('error').innerText();
  assert.match(text, /404 Not Found/);
  assert.match(text, /Task not found/);
  await page.goto(url('?view=task&id=seven'));
  assert.match(await page.getByTestId('invalid-link').innerText(), /“seven” is not a task id/);
  await page.goto(url('?view=nonsense'));
  assert.match(await page.getByTestId('invalid-link').innerText(), /no view called “nonsense”/);
});

/** Inject one fault for tasks/list, load the list, check the message, retry, see the tasks. */
async function faultThenRetry(page, spec, expected, name) {
  await fault({ route: 'tasks/list', times: 1, ...spec });
  await page.goto(url());
  await page.getByTestId('error').waitFor();
  const text = await page.getByTestId('error').innerText();
  for (const re of expected) assert.match(text, re);
  await shot(page, `error-${name}`);
  await page.getByTestId('retry').click();
  assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort());
}

await test('HTTP 500 shows the status and the server detail, then recovers', (page) =>
  faultThenRetry(page, { status: 500 }, [/500 Internal Server Error/, /Internal Server Error/, /server's side/], '500'));

await test('HTTP 502 from a gateway shows its page title, then recovers', (page) =>
  faultThenRetry(page, { status: 502 }, [/502 Bad Gateway/, /server's side/], '502'));

await test('malformed JSON is reported as unreadable data, then recovers', (page) =>
  faultThenRetry(page, { mode: 'malformed' }, [/cannot read/, /task list/], 'malformed'));

await test('JSON of the wrong shape is reported as unreadable data, then recovers', (page) =>
  faultThenRetry(page, { mode: 'wrong_shape' }, [/cannot read/, /expected a JSON array/], 'wrong-shape'));

await test('a truncated body is reported as cut short, then recovers', (page) =>
  faultThenRetry(page, { mode: 'truncated' }, [/cut short/, /connection dropped/], 'truncated'));

await test('CORS refusal is explained with where the endpoint is set, then recovers', async (page) => {
  await control('POST', 'cors', { enabled: false });
  await page.goto(url());
  await page.getByTestId('error').waitFor();
  const text = await page.getByTestId('error').innerText();
  assert.match(text, /Could not reach the FLock API/);
  assert.match(text, /CORS/);
  assert.match(text, /Settings/);
  assert.match(text, new RegExp(`${SANDBOX_URL}/api/v1/`));
  await shot(page, 'error-cors');
  await control('POST', 'cors', { enabled: true });
  await page.getByTestId('retry').click();
  assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort());
});

await test('the start page asks for the open tasks once, while the app is still loading', async (page) => {
  const events = [];
  page.on('request', (r) => { if (/tasks\/list/.test(r.url())) events.push(`asked ${new URL(r.url()).search}`); });
  page.on('requestfinished', (r) => { if (r.url().endsWith('.wasm')) events.push('wasm loaded'); });
  await page.goto(url());
  assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort());
  assert.deepEqual(events.filter((e) => e.startsWith('asked')), ['asked ?status=submission_phase'], 'one request for the list');
  assert.ok(events.indexOf('asked ?status=submission_phase') < events.indexOf('wasm loaded'), `asked before the app had loaded: ${events}`);
  // Any other view does not ask for it, and a refresh asks anew.
  events.length = 0;
  await page.getByTestId('refresh').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=refresh]').textContent === 'Refresh');
  assert.deepEqual(events.filter((e) => e.startsWith('asked')), ['asked ?status=submission_phase']);
  events.length = 0;
  await page.goto(url('?view=stats'));
  await page.locator('[data-testid=panel-submission]').waitFor();
  assert.deepEqual(events.filter((e) => e.startsWith('asked')), [], 'the stats view does not');
});

await test('a slow answer shows loading, then the tasks', async (page) => {
  await fault({ route: 'tasks/list', mode: 'delay', delay_ms: 1500, times: 1 });
  await page.goto(url());
  await page.getByTestId('loading').waitFor();
  assert.match(await page.getByTestId('loading').innerText(), /Loading tasks/);
  assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort());
});

await test('an answer slower than the time limit times out, then recovers', async () => {
  // A fresh profile whose saved settings set a 1 s limit.
  const page = await freshPage(() => localStorage.setItem('flockboard.settings', JSON.stringify({ timeout_secs: 1 })));
  try {
    await fault({ route: 'tasks/list', mode: 'delay', delay_ms: 3000, times: 1 });
    await page.goto(url());
    await page.getByTestId('error').waitFor();
    assert.match(await page.getByTestId('error').innerText(), /did not answer in time[\s\S]*within 1 s/);
    await page.getByTestId('retry').click();
    assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort());
  } finally {
    await page.context().close();
  }
});

await test('XSS payloads in title, description, type, VRAM and links never execute', async (page) => {
  await page.addInitScript(() => { window.__xss = undefined; });
  await page.goto(url());
  await rowIds(page);
  const row = page.locator('[data-task-id="12"]');
  assert.match(await row.innerText(), /<img src=x onerror=/, 'title shown as text');
  await page.waitForTimeout(300);
  await row.getByTestId('task-link').click();
  await page.getByTestId('task-detail').waitFor();
  await page.waitForTimeout(500);
  assert.match(await page.getByTestId('task-title').innerText(), /<script>/);
  const description = await page.getByTestId('description').innerText();
  assert.match(description, /Safe bold text <kept>\./);
  assert.match(description, /click me/);
  const injected = await page.evaluate(() => ({
    xss: window.__xss,
    elements: document.querySelectorAll('body img, body script, body iframe, body svg, [data-testid=description] a').length,
    javascriptLinks: [...document.querySelectorAll('a')].filter((a) => /^\s*javascript:/i.test(a.getAttribute('href') || '')).length,
  }));
  assert.deepEqual(injected, { xss: undefined, elements: 0, javascriptLinks: 0 });
  assert.equal(await page.getByTestId('final-link').count(), 0, 'javascript: final link is not a link');
  assert.match(await page.getByTestId('final-link-text').innerText(), /^javascript:/);
  await shot(page, 'task-12-xss');
  // Defence in depth: the page's Content-Security-Policy refuses any script it did not ship.
  const csp = await page.evaluate(() => {
    const s = document.createElement('script');
    s.textContent = 'window.__csp = 1';
    document.body.appendChild(s);
    s.remove();
    return { ran: window.__csp, policy: document.querySelector('meta[http-equiv=Content-Security-Policy]')?.content };
  });
  assert.equal(csp.ran, undefined, 'inline script refused');
  assert.match(csp.policy, /default-src 'none'/);
  page.errors = page.errors.filter((e) => !/Content Security Policy/.test(e));
});

await test('settings change the endpoint, validate input and persist', async (page) => {
  await page.goto(url('?view=settings'));
  const input = page.getByTestId('api-base-input');
  assert.equal(await input.inputValue(), `${SANDBOX_URL}/api/v1/`);
  await input.fill('fed-ledger-prod.flock.io');
  assert.match(await page.locator('.field__error').first().innerText(), /looks like a host name: write https:\/\/fed-ledger-prod\.flock\.io/);
  await input.fill(`${SANDBOX_URL}//api//v1`);
  await page.getByTestId('test-api').click();
  assert.match(await page.getByTestId('test-result').innerText(), /"status":"ok"/);
  await page.getByTestId('save-settings').click();
  assert.equal(await input.inputValue(), `${SANDBOX_URL}/api/v1/`, 'normalised');
  await shot(page, 'settings');
  await page.reload();
  assert.equal(await page.getByTestId('api-base-input').inputValue(), `${SANDBOX_URL}/api/v1/`);
  assert.equal(await page.getByTestId('api-base').innerText(), `${SANDBOX_URL}/api/v1/`);
});

await test('every request went to the API base, without credentials or stray headers', async (page) => {
  await page.goto(url('?view=tasks&status=all'));
  await rowIds(page);
  await page.goto(url('?view=task&id=7'));
  await page.getByTestId('task-detail').waitFor();
  const log = await requestLog();
  assert.ok(log.length >= 4, `requests seen: ${log.length}`);
  for (const r of log) {
    assert.ok(r.path.startsWith('/api/v1/'), r.path);
    const names = r.headers.map(([k]) => k);
    assert.ok(!names.includes('flock-api-key') && !names.includes('authorization') && !names.includes('cookie'), JSON.stringify(names));
    assert.equal(r.method, 'GET');
  }
});

// ---- issue 3: wallets, leaderboards, stats, keys ---------------------------------------------

const ME = '0xB93A9c73751Bbca8E1924954271ee8d4De5747c9';
const KEY = 'K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3';
const sandboxOrigin = new URL(SANDBOX_URL).origin;
/** A fresh profile whose saved settings hold `settings` (merged over nothing). */
// The init script runs on every navigation: it seeds the settings once, then leaves them be.
const withSettings = (settings, from) => freshPage(new Function(`if (!localStorage.getItem('flockboard.settings')) localStorage.setItem('flockboard.settings', ${JSON.stringify(JSON.stringify(settings))})`), from);

/** Run `body` in a fresh profile (of the browser `from`, the suite's unless given) seeded with
 * `settings`. */
async function inProfile(settings, body, from) {
  const page = await withSettings(settings, from);
  try {
    await body(page);
    assert.deepEqual(page.errors, [], `no page errors: ${JSON.stringify(page.errors)}`);
  } catch (e) {
    await shot(page, `FAILED-${MODE}-profile-${Date.now()}`).catch(() => {});
    throw e;
  } finally {
    await page.context().close();
  }
}

await test('a wallet link opens in a fresh tab with medals, tasks and every submission', async (page) => {
  await page.goto(url(`?address=${ME}`));
  await page.getByTestId('wallet-address').waitFor();
  assert.equal(await page.getByTestId('wallet-address').innerText(), ME);
  await page.locator('[data-testid=medals-node] [data-testid=medal-counts]').waitFor();
  assert.match(await page.locator('[data-testid=medals-node]').innerText(), /Gold 1[\s\S]*Bronze 2[\s\S]*5 participations/);
  assert.match(await page.locator('[data-testid=medals-validator]').innerText(), /Silver 1/);
  await page.locator('[data-testid=enrolled] a').first().waitFor();
  assert.equal(await page.locator('[data-testid=enrolled] a').first().getAttribute('href'), '?view=task&id=7');
  await page.getByTestId('submission-row').first().waitFor();
  const rows = await page.getByTestId('submission-row').allInnerTexts();
  assert.equal(rows.length, 4);
  assert.match(rows[0], /task-7-Qwen-Qwen2.5-7B-Instruct[\s\S]*2025-04-10 13:05:58/, 'newest first');
  assert.equal(await page.title(), 'Wallet 0xB93A…47c9 · flockboard');
  await shot(page, 'wallet');
  const log = await requestLog();
  const paths = log.map((r) => `${r.path}?${r.query}`);
  assert.ok(paths.includes(`/api/v1/stats/submissions/${ME}?page=1&size=100`), paths.join('\n'));
  assert.ok(paths.includes(`/api/v1/stats/enrolled-tasks/${ME}?`), 'one stats/ segment');
  assert.ok(paths.includes(`/api/v1/stats/achievements/${ME}?role=node`));
});

/** Wait until every standing table on the page has read all its boards. */
const standingRead = (page) => page.waitForFunction(() => {
  const times = [...document.querySelectorAll('[data-testid=standing-read-at]')];
  return times.length > 0 && times.every((c) => c.textContent !== '—')
    && [...document.querySelectorAll('[data-testid=refresh]')].every((b) => !b.disabled);
}, null, { timeout: 30000 });

await test('my standing: every open task and the finalized ones submitted to, both boards, kept for the session', async () => {
  await inProfile({ wallet: ME, flock_api_key: KEY, flock_key_scope: API_BASE }, async (page) => {
    // Slow board pages, so that the reading is seen in progress.
    await fault({ route: 'stats/models', mode: 'delay', delay_ms: 300, times: 6 });
    await page.goto(url('?view=me'));
    await page.waitForFunction(() => /reading board: \d+ of \d+ pages/.test(document.querySelector('[data-testid=standing-table]')?.innerText || ''));
    const row = (id) => page.locator(`[data-testid=standing-row][data-task-id="${id}"]`);
    await standingRead(page);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=standing-mine]')].every((c) => c.textContent !== '…'));
    const ids = await page.$$eval('[data-testid=standing-row]', (rows) => rows.map((r) => r.dataset.taskId));
    assert.deepEqual([...ids].sort(), [...OPEN_IDS, '1', '5'].sort(), 'the open tasks, and the finalized tasks the wallet submitted to');
    assert.deepEqual(ids.slice(-2), ['5', '1'], 'finalized ones after the open ones, newest first');
    assert.match(await row(7).getByTestId('standing-models').innerText(), /^#12 of 1,030\s+score 0\.\d{4}\s+0\.\d{4} from #11$/);
    assert.match(await row(1).getByTestId('standing-models').innerText(), /^#734 of 1,250/);
    assert.match(await row(1).getByTestId('standing-validators').innerText(), /^#3 of 1,100/);
    assert.equal(await row(8).getByTestId('standing-models').innerText(), 'not on the board (40 wallets)');
    assert.equal(await row(9).getByTestId('standing-models').innerText(), 'no entries yet');
    assert.equal(await row(7).getByTestId('standing-mine').innerText(), '2', 'with the key: own submissions');
    assert.equal(await row(1).getByTestId('standing-mine').innerText(), '1');
    const href = await row(7).getByTestId('standing-rank').getAttribute('href');
    assert.equal(new URLSearchParams(href).get('id'), '7');
    assert.equal(new URLSearchParams(href).get('wallet'), ME, 'the board filtered to the wallet');
    await shot(page, 'standing');
    const saved = JSON.parse((await downloaded(page, 'download-json')).text);
    assert.deepEqual(saved.map((r) => String(r.task_id)), ids, 'the download holds the rows shown');
    const seven = saved.find((r) => r.task_id === 7);
    assert.equal(seven.models.rank, 12);
    assert.equal(seven.models.wallets, 1030);
    assert.equal(seven.models.next_rank, 11);
    assert.equal(seven.my_submissions, 2);
    const table = parseCsv((await downloaded(page, 'download-csv')).text);
    assert.ok(table[0].includes('models.rank') && table[0].includes('validators.rank'), `columns: ${table[0]}`);
    assert.equal(table.length, ids.length + 1);
    const boardReads = () => page.requests.filter((r) => /\/stats\/(models|validators)\?/.test(r.url));
    const first = boardReads().map((r) => r.url);
    assert.equal(new Set(first).size, first.length, 'each board page read once');
    for (const u of first) assert.ok(['1', '5', ...OPEN_IDS].includes(new URL(u).searchParams.get('task_id')), u);
    // Away and back inside the app: the boards come from memory, with the time they were read.
    await page.getByRole('link', { name: 'Tasks', exact: true }).click();
    await rowIds(page);
    await page.getByRole('link', { name: 'Standing', exact: true }).click();
    await row(7).getByTestId('standing-rank').waitFor();
    await page.waitForTimeout(300);
    assert.equal(boardReads().length, first.length, 'nothing read again');
    await page.getByTestId('refresh').click();
    await page.waitForFunction(() => !document.querySelector('[data-testid=refresh]').disabled, null, { timeout: 30000 });
    assert.equal(boardReads().length, 2 * first.length, 'Refresh reads every board again');
  });
  // Anyone's standing, by link: no key column for a wallet that is not the key's.
  await inProfile({ wallet: ME, flock_api_key: KEY, flock_key_scope: API_BASE }, async (page) => {
    const rival = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';
    await page.goto(url(`?view=me&address=${rival}`));
    const models = page.locator('[data-testid=standing-row][data-task-id="7"] [data-testid=standing-models]');
    await models.getByTestId('standing-rank').waitFor();
    assert.match(await models.innerText(), /^#1 of 1,030\s+score/);
    assert.equal(await models.getByTestId('standing-gap').count(), 0, 'nobody above first place');
    assert.equal(await page.getByTestId('standing-mine').count(), 0, 'no key column for another wallet');
    assert.ok(!page.requests.some((r) => r.headers['flock-api-key']), 'the key is not used for another wallet');
    assert.equal(await page.title(), 'Standing of 0x5aAe…eAed · flockboard');
  });
  // A malformed address is explained and nothing is asked; no wallet at all says where to save one.
  await inProfile({}, async (page) => {
    await page.goto(url('?view=me&address=0x12'));
    assert.match(await page.getByTestId('address-error').innerText(), /“0x12” is not a wallet address/);
    await page.goto(url('?view=me'));
    assert.match(await page.getByTestId('no-wallet').innerText(), /save your wallet in Settings/);
    assert.ok(!page.requests.some((r) => r.url.includes('/stats/')), 'nothing requested');
  });
});

await test('watchlist: stars from the pages, movement since the previous look, new tasks, export and import', async () => {
  let exported;
  await inProfile({ wallet: ME }, async (page) => {
    await page.goto(url(`?address=${ME}`));
    await page.getByTestId('wallet-address').waitFor();
    const star = page.locator('.wallet__head [data-testid=star]');
    await star.click();
    assert.equal(await star.getAttribute('aria-pressed'), 'true');
    await page.goto(url());
    await rowIds(page);
    await page.locator('[data-testid=task-row][data-task-id="8"] [data-testid=star]').click();
    const stored = () => page.evaluate(() => JSON.parse(localStorage.getItem('flockboard.watchlist')));
    assert.deepEqual([(await stored()).wallets, (await stored()).tasks], [[ME], [8]]);
    // From a board: the first row's wallet, starred and unstarred again.
    await page.goto(url('?view=leaderboard&id=7'));
    const first = page.locator('[data-testid=board-table] tbody tr').first();
    await first.waitFor();
    const rival = await first.locator('.wallet-cell a').innerText();
    await first.getByTestId('star').click();
    assert.deepEqual((await stored()).wallets, [ME, rival]);
    await first.getByTestId('star').click();
    assert.equal(await first.getByTestId('star').getAttribute('aria-pressed'), 'false');
    assert.deepEqual((await stored()).wallets, [ME]);
    // The first look: nothing to compare with yet; it is kept.
    await page.goto(url('?view=watch'));
    await standingRead(page);
    assert.equal(await page.getByTestId('standing-move').count(), 0, 'no movement at the first look');
    assert.match(await page.getByTestId('new-tasks').innerText(), /First visit/);
    assert.deepEqual(await page.$$eval('[data-testid=watched-task]', (rows) => rows.map((r) => r.dataset.taskId)), ['8']);
    await page.waitForFunction(() => Object.keys(JSON.parse(localStorage.getItem('flockboard.watchlist')).snapshots?.[document.querySelector('[data-testid=standing-wallet]').textContent.toLowerCase()] || {}).length >= 7);
    // The boards change between two looks, and a task opened since (seen lacks task 12).
    await control('POST', 'place', { task_id: 7, board: 'models', wallet: ME, rank: 5 });
    await control('POST', 'place', { task_id: 1, board: 'validators', wallet: ME, rank: 9 });
    await page.evaluate(() => {
      const list = JSON.parse(localStorage.getItem('flockboard.watchlist'));
      list.seen_tasks.ids = list.seen_tasks.ids.filter((id) => id !== 12);
      localStorage.setItem('flockboard.watchlist', JSON.stringify(list));
    });
    await page.reload();
    await standingRead(page);
    const cell = (id, board) => page.locator(`[data-testid=standing-row][data-task-id="${id}"] [data-testid=standing-${board}]`);
    assert.match(await cell(7, 'models').innerText(), /^#5 of 1,030[\s\S]*▲ 7 since \d\d\/\d\d\/\d{4}, \d\d:\d\d:\d\d/);
    assert.match(await cell(1, 'validators').innerText(), /^#9 of 1,100[\s\S]*▼ 6 since/);
    assert.match(await cell(1, 'models').innerText(), /= 0 since/, 'unchanged ranks say so');
    assert.match(await page.getByTestId('new-tasks').innerText(), /Opened since your previous visit[\s\S]*#12 /);
    await shot(page, 'watchlist');
    const kept = (await stored()).snapshots[ME.toLowerCase()]['7'];
    assert.deepEqual(kept.map((s) => s.models), [12, 5], 'one snapshot per look');
    const file = await downloaded(page, 'export-watchlist');
    assert.equal(file.name, 'flockboard-watchlist.json');
    exported = file.text;
  });
  // Another browser: a broken file changes nothing; the exported one brings the stars.
  await inProfile({}, async (page) => {
    await page.goto(url('?view=watch'));
    await page.getByTestId('no-wallets').waitFor();
    await page.getByTestId('import-watchlist').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from('{"version":1,"wallets":["0x12"],"tasks":[7]}') });
    assert.match(await page.getByTestId('watch-message').innerText(), /broken\.json was not imported: “0x12” is not a wallet address.*Your watchlist is unchanged/);
    assert.equal(await page.evaluate(() => JSON.parse(localStorage.getItem('flockboard.watchlist'))?.tasks?.length ?? 0), 0, 'nothing taken from it');
    await page.getByTestId('import-watchlist').setInputFiles({ name: 'mine.json', mimeType: 'application/json', buffer: Buffer.from(exported) });
    await page.waitForFunction(() => /Imported mine\.json: 1 wallet\(s\) and 1 task\(s\)/.test(document.querySelector('[data-testid=watch-message]')?.textContent || ''));
    await page.getByTestId('watched-wallet').waitFor();
    assert.deepEqual(await page.$$eval('[data-testid=watched-task]', (rows) => rows.map((r) => r.dataset.taskId)), ['8']);
  });
  // A corrupt watchlist in storage is set aside with a notice; the page works on.
  const page = await freshPage(() => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('flockboard.watchlist', '{"version":1,"wallets":[');
      sessionStorage.setItem('seeded', '1');
    }
  });
  try {
    await page.goto(url('?view=watch'));
    assert.match(await page.locator('.banner').innerText(), /The watchlist kept in this browser was set aside: it is not a flockboard watchlist/);
    await page.getByTestId('no-wallets').waitFor();
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
  }
});

await test('alerts while the page is open: a watched task closing, a task opened, a watched wallet losing rank', async () => {
  // Turning alerts on in Settings asks for notifications, and the interval is checked.
  await inProfile({ wallet: ME }, async (page) => {
    await page.context().grantPermissions(['notifications'], { origin: APP_ORIGIN });
    await page.goto(url('?view=settings'));
    await page.getByTestId('alerts-input').check();
    await page.getByTestId('alert-minutes-input').fill('3');
    await page.getByTestId('save-settings').click();
    assert.match(await page.locator('.field__error').first().innerText(), /from 5 to 1440/);
    await page.getByTestId('alert-minutes-input').fill('5');
    await page.getByTestId('save-settings').click();
    await page.waitForFunction(() => JSON.parse(localStorage.getItem('flockboard.settings')).alert_every_mins === 5);
    assert.equal(await page.getByTestId('alerts-unnotified').count(), 0, 'the browser allowed notifications');
  });
  // The poller: looks every 1.5 s here (a test-only setting), notifications recorded.
  const watchlist = { version: 1, wallets: [ME], tasks: [9], snapshots: {}, seen_tasks: null };
  const settings = { wallet: ME, alert_every_mins: 5, alert_test_ms: 1500 };
  const page = await freshPage(`
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('flockboard.settings', ${JSON.stringify(JSON.stringify(settings))});
      localStorage.setItem('flockboard.watchlist', ${JSON.stringify(JSON.stringify(watchlist))});
      sessionStorage.setItem('seeded', '1');
    }
    window.__notes = [];
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title, options) { super(title, options); window.__notes.push([title, options && options.body]); }
    }
    Object.defineProperty(Recorded, 'permission', { get: () => Real.permission });
    Recorded.requestPermission = (...a) => Real.requestPermission(...a);
    window.Notification = Recorded;
  `);
  try {
    await page.context().grantPermissions(['notifications'], { origin: APP_ORIGIN });
    // The first look sees the open tasks without task 12; the next one with it.
    const open = await (await fetch(`${SANDBOX_URL}/api/v1/tasks/list?status=submission_phase`)).json();
    await fault({ route: 'tasks/list', status: 200, body: JSON.stringify(open.filter((t) => t.id !== 12)), times: 1 });
    await page.goto(url('?view=settings'));
    const notes = () => page.evaluate(() => window.__notes);
    await page.waitForFunction(() => window.__notes.some(([t]) => t === 'Task 9 closes soon'), null, { timeout: 20000 });
    await page.waitForFunction(() => window.__notes.some(([t]) => t === 'A task opened'), null, { timeout: 20000 });
    assert.match((await notes()).find(([t]) => t === 'A task opened')[1], /^Task 12 is open for submissions/);
    // The board moves under the watched wallet: the next look says so.
    await control('POST', 'place', { task_id: 7, board: 'models', wallet: ME, rank: 20 });
    await page.waitForFunction(() => window.__notes.some(([t]) => /lost rank on task 7/.test(t)), null, { timeout: 20000 });
    const lost = (await notes()).find(([t]) => /lost rank on task 7/.test(t));
    assert.deepEqual(lost, ['0xb93a…47c9 lost rank on task 7', 'Models board: from #12 to #20.']);
    const shown = await page.getByTestId('alert').allInnerTexts();
    assert.ok(shown.some((t) => /Task 9 closes soon: Submissions to .* close at/.test(t)), shown.join('\n'));
    assert.ok(shown.some((t) => /lost rank on task 7: Models board: from #12 to #20\./.test(t)), 'the same alerts in the page');
    assert.equal((await notes()).filter(([t]) => t === 'Task 9 closes soon').length, 1, 'a closing task is said once');
    await shot(page, 'alerts');
    await page.getByTestId('dismiss-alerts').click();
    assert.equal(await page.getByTestId('alerts').count(), 0);
    assert.deepEqual(page.errors, []);
  } finally {
    await page.context().close();
  }
});

/** Click `testId` and read the file the page offers: its name and text. */
async function downloaded(page, testId, scope = page) {
  const [download] = await Promise.all([page.waitForEvent('download'), scope.getByTestId(testId).click()]);
  const { readFileSync } = await import('node:fs');
  return { name: download.suggestedFilename(), text: readFileSync(await download.path(), 'utf8') };
}

await test('tables download as CSV and JSON: the API\'s own objects of the rows shown, in order', async (page) => {
  // The task list, searched: only the rows shown, in the order shown.
  await page.goto(url('?status=all&sort=id&order=desc&q=flock'));
  const ids = await rowIds(page);
  assert.ok(ids.length > 1 && ids.length < ALL_IDS.length, `the search narrows (${ids})`);
  const json = await downloaded(page, 'download-json');
  assert.equal(json.name, 'flockboard-tasks-all.json');
  const objects = JSON.parse(json.text);
  assert.deepEqual(objects.map((t) => String(t.id)), ids, 'the rows shown, in order');
  const api = await (await fetch(`${SANDBOX_URL}/api/v1/tasks/list`)).json();
  for (const task of objects) assert.deepEqual(task, api.find((t) => t.id === task.id), `task ${task.id} as the API sent it`);
  const csv = await downloaded(page, 'download-csv');
  assert.equal(csv.name, 'flockboard-tasks-all.csv');
  const table = parseCsv(csv.text);
  const header = table[0];
  assert.ok(['id', 'title', 'status', 'data.max_params', 'submission_phase_ends_at'].every((c) => header.includes(c)), `columns: ${header}`);
  const rowsOut = table.slice(1);
  assert.deepEqual(rowsOut.map((r) => r[header.indexOf('id')]), ids);
  for (const row of rowsOut) {
    const task = objects.find((t) => String(t.id) === row[header.indexOf('id')]);
    assert.equal(row[header.indexOf('title')].replace(/^'/, ''), task.title, 'text kept (a formula defused)');
    assert.equal(row[header.indexOf('data.max_params')], task.data?.max_params == null ? '' : String(task.data.max_params));
  }
  // A wallet's submissions: every row, newest first, with the API's field names.
  await page.goto(url(`?address=${ME}`));
  await page.getByTestId('submission-row').first().waitFor();
  const shown = await page.locator('[data-testid=submission-row] a[target=_blank]').allInnerTexts();
  const subs = await downloaded(page, 'download-json', page.getByTestId('wallet-submissions'));
  assert.equal(subs.name, `flockboard-wallet-${ME}-submissions.json`);
  const items = JSON.parse(subs.text);
  assert.deepEqual(items.map((s) => s.link.replace('https://huggingface.co/', '')), shown);
  assert.ok(items.every((s) => 'submission_phase_score' in s && 'submitted_at' in s), 'API field names');
  const subsCsv = parseCsv((await downloaded(page, 'download-csv', page.getByTestId('wallet-submissions'))).text);
  assert.equal(subsCsv.length, items.length + 1);
  assert.deepEqual(subsCsv.slice(1).map((r) => r[subsCsv[0].indexOf('link')]), items.map((s) => s.link));
});

/** A small RFC 4180 reader for the downloaded CSV (quoted fields, doubled quotes, line breaks
 * inside quotes). */
function parseCsv(text) {
  const rows = [];
  let row = [], field = '', quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\n') { row.push(field); rows.push(row); row = []; field = ''; } else field += c;
  }
  if (field || row.length) { row.push(field); rows.push(row); }
  return rows;
}

await test('an invalid address is explained inline and nothing is requested', async (page) => {
  await page.goto(url('?view=wallet&address=0x1234'));
  assert.match(await page.getByTestId('address-error').innerText(), /has 40 digits after 0x; this one has 4/);
  await page.getByTestId('address-input').fill('0xZZ3A9c73751Bbca8E1924954271ee8d4De5747c9');
  await page.getByTestId('lookup').click();
  await page.waitForFunction(() => /ZZ3A/.test(location.search));
  assert.match(await page.getByTestId('address-error').innerText(), /“Z” is not a hexadecimal digit/);
  assert.deepEqual((await requestLog()).filter((r) => r.path.includes('/stats/')), [], 'no request for an invalid address');
  await page.getByTestId('address-input').fill(ME.toLowerCase());
  await page.getByTestId('lookup').click();
  await page.getByTestId('wallet-address').waitFor();
});

/** Every view once: name, query, and what shows it has loaded. */
const EVERY_VIEW = [
  ['tasks', '', '[data-testid=task-row]'],
  ['task', '?view=task&id=8', '[data-testid=task-detail]'],
  ['leaderboard', '?view=leaderboard&id=7', '[data-testid=board-table]'],
  ['stats', '?view=stats', '[data-testid=panel-submission] canvas'],
  ['wallet', `?address=${ME}`, '[data-testid=submission-row]'],
  ['standing', '?view=me', '[data-testid=standing-rank]'],
  ['watchlist', '?view=watch', '[data-testid=new-tasks]'],
  ['upload', '?view=upload&task=8', '[data-testid=dropzone]'],
  ['submit', '?view=submit', '[data-testid=submit-repo]'],
  ['settings', '?view=settings', '[data-testid=key-input]'],
  ['check', '?view=check', '[data-testid=check]'],
];

await test('the keyboard skips to the content in one step; the navigation says which page is current', async (page) => {
  await page.goto(url('?view=stats'));
  await page.locator('[data-testid=panel-submission]').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.dataset.testid), 'skip-link');
  assert.ok(await page.getByTestId('skip-link').isVisible(), 'visible once focused');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'content');
  assert.equal(await page.evaluate(() => location.search), '?view=stats', 'the URL is left as it is');
  assert.deepEqual(await page.locator('nav.topnav a[aria-current=page]').allInnerTexts(), ['Stats']);
});

await test('on a 390 px phone no view scrolls sideways; wide tables scroll in their own box', async () => {
  await inProfile({ flock_api_key: KEY, flock_key_scope: API_BASE, wallet: ME }, async (page) => {
    await page.setViewportSize({ width: 390, height: 844 });
    for (const [name, query, ready] of EVERY_VIEW) {
      await page.goto(url(query));
      await page.locator(ready).first().waitFor();
      await page.waitForLoadState('networkidle');
      const wide = await page.evaluate(() => ({ page: document.documentElement.scrollWidth, view: innerWidth }));
      assert.ok(wide.page <= wide.view, `${name}: the page is ${wide.page} px wide in a ${wide.view} px view`);
      await page.screenshot({ path: join(OUT, `phone-${name}.png`) }); // the first screen, as a phone shows it
    }
    // The board is wider than the phone: it scrolls inside its box, its first column stays put.
    await page.goto(url('?view=leaderboard&id=7'));
    await page.getByTestId('board-table').waitFor();
    const box = page.locator('.table-wrap').first();
    const scroll = await box.evaluate((el) => ({ inner: el.scrollWidth, outer: el.clientWidth }));
    assert.ok(scroll.inner > scroll.outer, `the board scrolls in its box (${scroll.inner} > ${scroll.outer})`);
    const firstCell = page.locator('[data-testid=board-table] tbody tr td').first();
    const before = (await firstCell.boundingBox()).x;
    await box.evaluate((el) => { el.scrollLeft = 200; });
    assert.equal((await firstCell.boundingBox()).x, before, 'the first column stays in view');
  });
});

await test('axe (WCAG 2.1 AA) finds no serious or critical violation on any view, light, dark and at 390 px', async () => {
  await inProfile({ flock_api_key: KEY, flock_key_scope: API_BASE, wallet: ME }, async (page) => {
    const found = [];
    for (const [mode, width, scheme] of [['light', 1280, 'light'], ['dark', 1280, 'dark'], ['phone', 390, 'light']]) {
      await page.setViewportSize({ width, height: 900 });
      await page.emulateMedia({ colorScheme: scheme });
      for (const [name, query, ready] of EVERY_VIEW) {
        await page.goto(url(query));
        await page.locator(ready).first().waitFor();
        await page.waitForLoadState('networkidle');
        const result = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']).analyze();
        for (const v of result.violations.filter((v) => ['serious', 'critical'].includes(v.impact))) {
          found.push(`${mode} ${name}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join(' | ')}`);
        }
      }
    }
    assert.deepEqual(found, [], found.join('\n'));
  });
});

await test('fields the wallet answers hold in unrecorded shapes are named, the rest is shown', async (page) => {
  // The sandbox's odd wallet sends a medal count as text, a rank as a word, an enrolled entry
  // without a task id, a score as text and a time as a number.
  const ODD = '0x0dd0000000000000000000000000000000000dd1';
  await page.goto(url(`?view=wallet&address=${ODD}`));
  const node = page.locator('[data-testid=medals-node]');
  await node.locator('[data-testid=medal-counts]').waitFor();
  assert.match(await node.locator('[data-testid=medal-counts]').innerText(), /Gold —[\s\S]*Silver 0[\s\S]*2 participations/);
  assert.deepEqual(await node.locator('[data-testid=unreadable-lines] li').allTextContents(),
    ['gold_medals: the text “1”', 'tasks[0].rank: the text “first”']);
  assert.match(await node.locator('[data-testid=unreadable] summary').innerText(), /2 fields of the answer could not be read/);
  assert.match(await node.locator('[data-testid=unreadable]').textContent(), /stats\/achievements\?role=node/);
  assert.equal(await page.locator('[data-testid=medals-validator] [data-testid=unreadable]').count(), 0, 'a clean answer has no notice');
  const enrolled = page.locator('[data-testid=enrolled]');
  await enrolled.locator('a').first().waitFor();
  assert.deepEqual(await enrolled.locator('a').allInnerTexts(), ['Task 7']);
  assert.deepEqual(await enrolled.locator('[data-testid=unreadable-lines] li').allTextContents(),
    ['[1].task_id: nothing (the field is missing)']);
  const subs = page.locator('[data-testid=wallet-submissions]');
  await subs.getByTestId('submission-row').first().waitFor();
  assert.equal(await subs.getByTestId('submission-row').count(), 2, 'both rows shown');
  assert.match(await subs.locator('[data-testid=unreadable] summary').innerText(), /Some fields of 2 rows could not be read/);
  assert.deepEqual(await subs.locator('[data-testid=unreadable-lines] li').allTextContents(), [
    'submission_phase_score in 1 of 2 rows: the text “0.41”',
    'submitted_at in 1 of 2 rows: the number 1712754358',
  ]);
  // The report to copy says the same, as plain text.
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_ORIGIN });
  await subs.locator('[data-testid=unreadable] summary').click();
  await subs.locator('[data-testid=unreadable] [data-testid=copy]').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=wallet-submissions] [data-testid=unreadable] [data-testid=copy]').textContent === 'Copied');
  const report = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(report, /could not read part of the answer of stats\/submissions:\n- submission_phase_score in 1 of 2 rows/);
  await shot(page, 'wallet-unread-fields');
});

await test('refresh keeps the board on screen until the new answer is in', async (page) => {
  await page.goto(url('?view=leaderboard&id=7'));
  await page.getByTestId('board-table').waitFor();
  const before = await page.getByTestId('count').innerText();
  const asked = (await requestLog()).filter((r) => r.path === '/api/v1/stats/models').length;
  await fault({ route: 'stats/models', mode: 'delay', delay_ms: 1500, times: 1 });
  await page.getByTestId('refresh').click();
  await page.waitForFunction(() => document.querySelector('[data-testid=refresh]').textContent === 'Refreshing…');
  assert.equal(await page.getByTestId('refresh').getAttribute('aria-busy'), 'true');
  assert.ok(await page.getByTestId('board-table').isVisible(), 'the table stays while refreshing');
  assert.equal(await page.getByTestId('loading').count(), 0, 'no loading placeholder over shown data');
  await page.waitForFunction(() => document.querySelector('[data-testid=refresh]').textContent === 'Refresh');
  assert.equal(await page.getByTestId('count').innerText(), before);
  const again = (await requestLog()).filter((r) => r.path === '/api/v1/stats/models').length;
  assert.ok(again >= asked * 2, `the board was read again (${asked} then ${again} requests)`);
});

await test('a leaderboard spanning many pages is read whole and paged in the table', async (page) => {
  await page.goto(url('?view=leaderboard&id=1'));
  await page.getByTestId('board-table').waitFor();
  assert.equal(await page.getByTestId('count').innerText(), '1250 rows');
  assert.equal(await page.getByTestId('page-of').innerText(), 'Page 1 of 13');
  const pages = (await requestLog()).filter((r) => r.path === '/api/v1/stats/models').map((r) => r.query);
  assert.equal(pages.length, 13);
  for (let n = 1; n <= 13; n++) assert.ok(pages.includes(`task_id=1&page=${n}&size=100`), `page ${n}`);
  await page.getByTestId('next').click();
  await page.waitForFunction(() => /[?&]p=2/.test(location.search));
  assert.equal(await page.getByTestId('page-of').innerText(), 'Page 2 of 13');
  assert.equal(await page.locator('[data-testid=board-table] tbody tr td').first().innerText(), '101');
  await page.getByTestId('board-validators').click();
  await page.waitForFunction(() => /board=validators/.test(location.search));
  await page.getByTestId('board-table').waitFor();
  assert.match(await page.locator('[data-testid=board-table] thead').innerText(), /HARDWORKING SCORE/i);
  assert.equal(await page.getByTestId('count').innerText(), '1100 rows');
});

await test('leaderboard sorting and wallet filter live in the URL', async (page) => {
  await page.goto(url('?view=leaderboard&id=7'));
  await page.getByTestId('board-table').waitFor();
  await page.getByTestId('sort-score').click();
  await page.waitForFunction(() => /sort=score/.test(location.search));
  const scores = async () => (await page.locator('[data-testid=board-table] tbody tr td:nth-child(3)').allInnerTexts()).filter((s) => s !== '—').map(Number);
  const asc = await scores();
  assert.ok(asc.every((v, i) => i === 0 || asc[i - 1] <= v), 'ascending');
  await page.getByTestId('sort-score').click();
  await page.waitForFunction(() => /order=desc/.test(location.search));
  const desc = await scores();
  assert.ok(desc.every((v, i) => i === 0 || desc[i - 1] >= v), 'descending');
  await page.getByTestId('wallet-filter').fill('B93A9C');
  await page.waitForFunction(() => /wallet=B93A9C/.test(location.search));
  assert.equal(await page.getByTestId('count').innerText(), '1 of 1030 rows match');
  const fresh = await freshPage();
  try {
    await fresh.goto(page.url());
    await fresh.getByTestId('board-table').waitFor();
    assert.equal(await fresh.getByTestId('count').innerText(), '1 of 1030 rows match');
    assert.equal(await fresh.getByTestId('wallet-filter').inputValue(), 'B93A9C');
  } finally {
    await fresh.context().close();
  }
});

await test('own wallet is highlighted, "jump to me" finds it, and the CSV holds what is shown', async () => {
  await inProfile({ wallet: ME }, async (page) => {
    await page.goto(url('?view=leaderboard&id=1'));
    await page.getByTestId('board-table').waitFor();
    await page.getByTestId('jump-to-me').click();
    await page.waitForFunction(() => /[?&]p=8/.test(location.search));
    const own = page.getByTestId('own-row');
    await own.waitFor();
    assert.match(await own.innerText(), /^734\s/);
    assert.ok(await own.isVisible());
    await shot(page, 'leaderboard-me');
    await page.getByTestId('wallet-filter').fill('b93a9c');
    await page.waitForFunction(() => document.querySelector('[data-testid=count]')?.textContent.startsWith('1 of'));
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('csv').click()]);
    assert.equal(download.suggestedFilename(), 'flockboard-task-1-models.csv');
    const path = await download.path();
    const { readFileSync } = await import('node:fs');
    const lines = readFileSync(path, 'utf8').trim().split('\n');
    assert.deepEqual(lines.length, 2);
    assert.equal(lines[0], 'rank,wallet,submission_phase_score,finalized_at');
    assert.match(lines[1], new RegExp(`^734,${ME},0\\.\\d+,2025-`));
  });
});

await test('stats: both daily charts drawn, range in the URL, numbers as a table', async (page) => {
  await page.goto(url('?view=stats'));
  await page.waitForSelector('[data-testid=panel-submission] canvas[data-ready=true]');
  await page.waitForSelector('[data-testid=panel-validation] canvas[data-ready=true]');
  const rowsIn = (kind) => page.locator(`[data-testid=panel-${kind}] [data-testid=stats-table] tbody tr`).count();
  assert.equal(await rowsIn('submission'), 30);
  // The chart's text alternative, one click away: the table opens and takes the focus.
  const panel = page.locator('[data-testid=panel-submission]');
  assert.equal(await panel.locator('details.stats__table').evaluate((d) => d.open), false);
  await panel.getByTestId('show-table').click();
  assert.equal(await panel.locator('details.stats__table').evaluate((d) => d.open && document.activeElement === d), true);
  // The chart has drawn bars: some pixels are the bar colour.
  const painted = await page.evaluate(() => {
    const c = document.querySelector('[data-testid=panel-submission] canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let n = 0;
    for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 150 && d[i] < 120) n++;
    return n;
  });
  assert.ok(painted > 1000, `bar pixels: ${painted}`);
  assert.match(await page.locator('[data-testid=panel-submission] canvas').getAttribute('aria-label'), /Submissions per day from .* in all/);
  await shot(page, 'stats');
  await page.getByTestId('range-90d').click();
  await page.waitForFunction(() => /range=90d/.test(location.search));
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-validation] [data-testid=stats-table] tbody tr').length === 90);
  await page.getByTestId('range-all').click();
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=panel-validation] [data-testid=stats-table] tbody tr').length > 600);
  // The table sits in a closed <details>: read its text content, which innerText would not give.
  const all = await page.locator('[data-testid=panel-validation] [data-testid=stats-table] tbody tr').evaluateAll((rows) => rows.map((r) => [...r.cells].map((c) => c.textContent).join('|')));
  assert.ok(all.includes('2025-03-31|18,242|' + all.find((r) => r.startsWith('2025-03-31|'))?.split('|')[2]), 'recorded count on its date');
  await page.setViewportSize({ width: 700, height: 900 });
  await page.waitForFunction(() => document.querySelector('[data-testid=panel-submission] canvas').width < 700);
  // Switching the system to dark redraws the chart on a dark background.
  const corner = () => page.evaluate(() => {
    const c = document.querySelector('[data-testid=panel-submission] canvas');
    return [...c.getContext('2d').getImageData(2, 2, 1, 1).data].slice(0, 3);
  });
  assert.ok((await corner()).every((v) => v > 200), 'light background');
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.waitForFunction(() => {
    const c = document.querySelector('[data-testid=panel-submission] canvas');
    return c.getContext('2d').getImageData(2, 2, 1, 1).data[0] < 60;
  });
  await shot(page, 'stats-dark');
});

await test('my submissions: no key, a wrong key, then the right key', async () => {
  await inProfile({}, async (page) => {
    await page.goto(url('?view=task&id=7'));
    assert.match(await page.getByTestId('no-key').innerText(), /Add your FLock API key in Settings/);
  });
  await inProfile({ flock_api_key: 'WRONGKEY', flock_key_scope: API_BASE }, async (page) => {
    await page.goto(url('?view=task&id=7'));
    const error = page.locator('[data-testid=my-submissions] [data-testid=error]');
    await error.waitFor();
    assert.match(await error.innerText(), /401 Unauthorized[\s\S]*Invalid API key[\s\S]*key was refused/);
    assert.ok(!(await error.innerText()).includes('WRONGKEY'), 'the key is never shown in a message');
  });
  await inProfile({ flock_api_key: KEY, flock_key_scope: API_BASE }, async (page) => {
    await page.goto(url('?view=task&id=7'));
    await page.locator('[data-testid=my-submissions] [data-testid=submission-row]').first().waitFor();
    const rows = await page.locator('[data-testid=my-submissions] [data-testid=submission-row]').allInnerTexts();
    assert.equal(rows.length, 2);
    assert.match(rows[0], /2025-04-10/);
    assert.match(rows[1], /2025-03-28/);
    assert.equal(await page.locator('[data-testid=my-submissions] a').first().getAttribute('href'), 'https://huggingface.co/clepelaars/task-7-Qwen-Qwen2.5-7B-Instruct');
    await shot(page, 'task-7-mine');
  });
});

await test('the key travels only in its header, only on keyed routes, only to its own API', async () => {
  await inProfile({ flock_api_key: KEY, flock_key_scope: API_BASE, wallet: ME }, async (page) => {
    for (const q of ['', '?view=tasks&status=all', '?view=task&id=7', '?view=leaderboard&id=7', `?address=${ME}`, '?view=stats']) {
      await page.goto(url(q));
      await page.waitForLoadState('networkidle');
    }
    await page.goto(url('?view=task&id=7'));
    await page.locator('[data-testid=my-submissions] [data-testid=submission-row]').first().waitFor();
    const log = await requestLog();
    assert.ok(log.length > 10);
    for (const r of log) {
      const keyed = r.headers.filter(([k]) => k === 'flock-api-key');
      if (r.path === '/api/v1/tasks/wallet-submissions' && r.method === 'GET') {
        assert.deepEqual(keyed, [['flock-api-key', KEY]], 'keyed route carries the key');
      } else {
        assert.deepEqual(keyed, [], `no key on ${r.path}`);
      }
      assert.ok(!`${r.path}?${r.query}`.includes(KEY), 'never in a URL');
      assert.ok(!r.headers.some(([k, v]) => k !== 'flock-api-key' && v.includes(KEY)), 'in no other header');
    }
    // Pointing the page at another API address does not carry the key along.
    page.extraOrigins = [`http://localhost:${new URL(SANDBOX_URL).port}`];
    await page.goto(url('?view=settings'));
    await page.getByTestId('api-base-input').fill(`http://localhost:${new URL(SANDBOX_URL).port}/api/v1/`);
    await page.getByTestId('save-settings').click();
    assert.match(await page.getByTestId('settings-message').innerText(), /stays with the address it was entered for/);
    await reset();
    await page.goto(url('?view=task&id=7'));
    await page.getByTestId('no-key').waitFor();
    assert.match(await page.getByTestId('no-key').innerText(), /belongs to another API address/);
    const after = await requestLog();
    assert.ok(after.length > 0 && after.every((r) => !r.headers.some(([k]) => k === 'flock-api-key')), 'no key sent to the other origin');
  });
});

await test('settings: the key is masked, can be shown, tested and forgotten', async (page) => {
  await page.goto(url('?view=settings'));
  const input = page.getByTestId('key-input');
  assert.equal(await input.getAttribute('type'), 'password');
  const keyResult = async (re) => {
    await page.waitForFunction((src) => new RegExp(src).test(document.querySelector('[data-testid=key-result]')?.textContent || ''), re.source);
    return page.getByTestId('key-result').innerText();
  };
  // Without a wallet the check cannot pick a task the key's wallet staked on: it says so.
  await input.fill(KEY);
  await page.getByTestId('test-key').click();
  assert.match(await keyResult(/could not tell/), /no wallet address is saved[\s\S]*Save your wallet address/);
  await page.getByTestId('wallet-input').fill(ME);
  await input.fill('WRONGKEY');
  await page.getByTestId('test-key').click();
  assert.match(await keyResult(/key refused/), /Invalid API key/);
  await input.fill(KEY);
  await page.getByTestId('show-key').click();
  assert.equal(await input.getAttribute('type'), 'text');
  await page.getByTestId('test-key').click();
  // Task 7: the wallet's first training-node enrolment (the sandbox, like the API, refuses a key
  // for tasks its wallet has not staked on).
  assert.match(await keyResult(/accepted/), /key accepted for task 7/);
  const asked = (await requestLog()).filter((r) => r.path === '/api/v1/tasks/wallet-submissions' && r.method === 'GET').map((r) => r.query);
  assert.ok(asked.length && asked.every((q) => q === 'task_id=7'), `asked about the enrolled task only: ${asked}`);
  // A valid key of a wallet that has staked on nothing: told apart from a refused key.
  await input.fill('N0ST4K3W4LL3TK3Y7H2F9D4S1A8G5J3L');
  await page.getByTestId('test-key').click();
  assert.match(await keyResult(/not staked/), /not staked on task 7[\s\S]*another wallet/);
  await input.fill(KEY);
  await page.getByTestId('wallet-input').fill('0x123');
  assert.match(await page.locator('.field__error').first().innerText(), /40 digits/);
  await page.getByTestId('wallet-input').fill(ME);
  await page.getByTestId('save-settings').click();
  let saved = JSON.parse(await page.evaluate(() => localStorage.getItem('flockboard.settings')));
  assert.equal(saved.flock_api_key, KEY);
  assert.equal(saved.flock_key_scope, API_BASE);
  assert.equal(saved.wallet, ME);
  await page.getByTestId('forget-key').click();
  saved = JSON.parse(await page.evaluate(() => localStorage.getItem('flockboard.settings')));
  assert.equal(saved.flock_api_key, null);
  assert.equal(await input.inputValue(), '');
});

// ---- issue 8: reaching the API from any host: addresses, the connection check, proxies ---------

const HF_TOKEN_ = 'hf_sandboxWriteTokenAlice0000000000000';
/** A profile with everything saved: the key and token bound to the bases in force, a wallet. */
const fullProfile = () => ({ flock_api_key: KEY, flock_key_scope: API_BASE, wallet: ME, hf_token: HF_TOKEN_, hf_token_scope: HUB_BASE });

/** Open the connection check and wait until every row has its result; rows by route. */
async function runCheck(page) {
  await page.goto(url('?view=check'));
  await page.getByTestId('check').waitFor();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid=check-row]')];
    return rows.length === 9 && rows.every((r) => r.dataset.verdict !== 'checking');
  }, null, { timeout: 30000 });
  return page.$$eval('[data-testid=check-row]', (rows) => Object.fromEntries(rows.map((r) => [
    r.dataset.probe.split(' ')[0] + (r.dataset.probe.startsWith('Hub') ? ' ' + r.dataset.probe.split(' ')[1] : ''),
    { verdict: r.dataset.verdict, text: r.innerText },
  ])));
}

await test('connection check: every row passes', async () => {
  await inProfile(fullProfile(), async (page) => {
    const rows = await runCheck(page);
    for (const [route, row] of Object.entries(rows)) assert.equal(row.verdict, 'ok', `${route}: ${row.text}`);
    assert.match(rows['tasks/wallet-submissions'].text, /key accepted for task 7/);
    assert.match(rows['Hub api/whoami-v2'].text, /token of alice/);
    assert.match(rows['tasks/submit-result'].text, /preflight passed[\s\S]*nothing was sent/);
    await shot(page, MODE === 'direct' ? 'check-ok' : `check-ok-${MODE}`);
    // The submit probe named the header but sent no key, and nothing was submitted.
    const submit = page.requests.filter((r) => r.url.endsWith('/tasks/submit-result'));
    assert.equal(submit.length, 1);
    assert.equal(submit[0].headers['flock-api-key'], '');
    const log = await requestLog();
    const posted = log.filter((r) => r.path === '/api/v1/tasks/submit-result' && r.method === 'POST');
    assert.equal(posted.length, 1, 'the probe reached the API');
    assert.ok(!posted[0].headers.some(([k, v]) => k === 'flock-api-key' && v !== ''), 'without a key');
    // Every probe went to the addresses in force.
    assert.equal(await page.getByTestId('check-api').innerText(), API_BASE);
    assert.equal(await page.getByTestId('check-hub').innerText(), HUB_BASE);
  });
});

await test('connection check: a failing route fails alone, a wrong key is "key refused", CORS refusals name the recipes, the report holds no secret', async () => {
  await fault({ route: 'stats/emissions', status: 500, times: 1 });
  await inProfile(fullProfile(), async (page) => {
    const rows = await runCheck(page);
    const failed = Object.entries(rows).filter(([, r]) => r.verdict !== 'ok').map(([route]) => route);
    assert.deepEqual(failed, ['stats/emissions'], JSON.stringify(rows));
    assert.match(rows['stats/emissions'].text, /HTTP 500[\s\S]*Internal Server Error[\s\S]*side/);
    await shot(page, 'check-500');
  });
  await inProfile({ ...fullProfile(), flock_api_key: 'WRONGKEY00000000000000000000WRONG' }, async (page) => {
    const rows = await runCheck(page);
    assert.equal(rows['tasks/wallet-submissions'].verdict, 'failed');
    assert.match(rows['tasks/wallet-submissions'].text, /key refused[\s\S]*Invalid API key[\s\S]*copy it again/);
    assert.equal(Object.values(rows).filter((r) => r.verdict !== 'ok').length, 1);
  });
  await inProfile({ wallet: ME }, async (page) => {
    const rows = await runCheck(page);
    assert.match(rows['tasks/wallet-submissions'].text, /not tested: no API key/);
    assert.equal(rows['tasks/wallet-submissions'].verdict, 'skipped');
    assert.match(rows['Hub api/whoami-v2'].text, /not tested: no Hugging Face token/);
  });
  await control('POST', 'cors', { enabled: false });
  await inProfile(fullProfile(), async (page) => {
    await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: APP_ORIGIN });
    const rows = await runCheck(page);
    for (const [route, row] of Object.entries(rows)) {
      assert.equal(row.verdict, 'failed', route);
      assert.match(row.text, /refused by CORS/, route);
      assert.match(row.text, /nginx recipe[\s\S]*Worker recipe/, route);
      assert.match(row.text, route.startsWith('Hub') ? /`hf\/`/ : /`api\/v1\/`/, route);
    }
    await shot(page, 'check-cors');
    await page.getByTestId('copy-report').click();
    await page.getByTestId('copy-result').waitFor();
    const copied = await page.evaluate(() => navigator.clipboard.readText());
    assert.match(copied, /\[failed\] tasks\/list: refused by CORS/);
    assert.match(copied, new RegExp(`FLock API: +${API_BASE.replace(/[.]/g, '\\.')}`));
    assert.ok(!copied.includes(KEY) && !copied.includes(HF_TOKEN_), 'no secret in the copied report');
    // Offline: said so, not blamed on CORS.
    await page.context().setOffline(true);
    await page.getByTestId('check-again').click();
    await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=check-row]')].every((r) => r.dataset.verdict === 'failed'));
    assert.match(await page.locator('[data-testid=check-row]').first().innerText(), /offline/);
    await page.context().setOffline(false);
  });
  await control('POST', 'cors', { enabled: true });
  // The error panel of a failed load links to the check.
  await control('POST', 'cors', { enabled: false });
  await inProfile({}, async (page) => {
    await page.goto(url());
    await page.getByTestId('open-check').click();
    await page.getByTestId('check').waitFor();
  });
});

await test('settings: relative addresses resolve against the page; bad ones are refused inline', async (page) => {
  await page.goto(url('?view=settings'));
  const input = page.getByTestId('api-base-input');
  await input.fill('javascript:alert(1)');
  assert.match(await page.getByTestId('api-base-error').innerText(), /“javascript:” addresses are not allowed/);
  await input.fill('fed-ledger-prod.flock.io/api/v1');
  assert.match(await page.getByTestId('api-base-error').innerText(), /looks like a host name: write https:\/\/fed-ledger-prod\.flock\.io\//);
  await input.fill('api/v1');
  assert.equal(await page.getByTestId('api-base-error').count(), 0);
  assert.equal(await page.getByTestId('api-resolved').innerText(), `Resolves to ${APP_URL}api/v1/ from this page.`);
  await input.fill('/flock/api/v1/');
  assert.equal(await page.getByTestId('api-resolved').innerText(), `Resolves to ${APP_ORIGIN}/flock/api/v1/ from this page.`);
  await page.getByTestId('save-settings').click();
  const saved = JSON.parse(await page.evaluate(() => localStorage.getItem('flockboard.settings')));
  assert.equal(saved.flock_api_base, '/flock/api/v1/', 'kept as typed, resolved at each visit');
  assert.equal(await page.getByTestId('api-base').innerText(), `${APP_ORIGIN}/flock/api/v1/`);
  await page.getByTestId('hub-base-input').fill('data:text/html,hi');
  assert.match(await page.getByTestId('hub-base-error').innerText(), /not allowed/);
  await page.getByTestId('save-settings').click();
  assert.match(await page.getByTestId('settings-message').innerText(), /Nothing saved/);
});

await test('submitting goes through the proxy with the key', async () => {
  await inProfile({ flock_api_key: KEY, flock_key_scope: API_BASE }, async (page) => {
    const revision = '0123456789abcdef0123456789abcdef01234567';
    await page.goto(url(`?view=submit&task=8&repo=alice/proxied-${Date.now()}&revision=${revision}`));
    await page.getByTestId('submit-gpu').fill('NVIDIA H100 80GB HBM3');
    // The repo is not on the Hub (the checks read it through the proxy too): submitting anyway
    // takes a deliberate tick.
    await page.waitForFunction(() => document.querySelector('[data-testid=repo-check][data-check=Repository]')?.dataset.level === 'Fail', null, { timeout: 20000 });
    assert.equal(await page.getByTestId('submit-button').isDisabled(), true, 'held back by the failed check');
    await page.getByTestId('submit-anyway').check();
    await page.waitForFunction(() => !document.querySelector('[data-testid=submit-button]').disabled);
    await page.getByTestId('submit-button').click();
    await page.getByTestId('submit-result').waitFor();
    assert.match(await page.getByTestId('submit-result').innerText(), /Submitted: FLock recorded submission/);
    const posts = (await requestLog()).filter((r) => r.path === '/api/v1/tasks/submit-result' && r.method === 'POST');
    assert.equal(posts.length, 1);
    const names = posts[0].headers.map(([k]) => k).sort();
    assert.ok(posts[0].headers.some(([k, v]) => k === 'flock-api-key' && v === KEY), 'the key arrived');
    assert.ok(posts[0].headers.some(([k, v]) => k === 'content-type' && /application\/json/.test(v)));
    if (PROXIED) {
      // The proxy forwards the key and the body's type, and nothing of the browser's own.
      // (workerd adds `cf-worker`, naming the Worker's own zone; nothing of the client's.)
      for (const name of names) assert.ok(['host', 'connection', 'content-length', 'flock-api-key', 'content-type', 'accept-encoding', 'cf-worker'].includes(name), `forwarded: ${name} (${names})`);
    }
  });
});

// ---- issue 4: upload to the Hub and submit ---------------------------------------------------

const HUB_URL = process.env.HUB_URL;
const HF_TOKEN = 'hf_sandboxWriteTokenAlice0000000000000';
const MIB = 1024 * 1024;

/** The fake Hub's knobs for these tests: multipart from 5 MiB in 2 MiB parts, so that a 7 MiB file goes multipart. */
const smallParts = () => control('POST', 'hub', { multipart_threshold: 5 * MIB, chunk_size: 2 * MIB, url_ttl_secs: 900, lfs_size_threshold: 10 * MIB });

/** Temporary folders made by the tests, removed at the end. */
const scratch = [];

/** A model folder: config, tokenizer files, a valid safetensors (~20 MB), a multipart-sized file. */
async function modelFolder() {
  const { mkdtempSync, writeFileSync, mkdirSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { randomBytes } = await import('node:crypto');
  const dir = mkdtempSync(join(tmpdir(), 'flockboard-model-'));
  scratch.push(dir);
  const root = join(dir, 'my-model');
  mkdirSync(root);
  writeFileSync(join(root, 'config.json'), JSON.stringify({ model_type: 'qwen2', hidden_size: 1024 }));
  writeFileSync(join(root, 'tokenizer.json'), JSON.stringify({ version: '1.0', model: { type: 'BPE' } }));
  writeFileSync(join(root, 'tokenizer_config.json'), JSON.stringify({ model_max_length: 8192 }));
  const rows = 2560, cols = 2048; // 5,242,880 F32 parameters = 20 MiB of data
  const header = JSON.stringify({ __metadata__: { format: 'pt' }, 'model.embed.weight': { dtype: 'F32', shape: [rows, cols], data_offsets: [0, rows * cols * 4] } });
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(header.length));
  writeFileSync(join(root, 'model.safetensors'), Buffer.concat([len, Buffer.from(header), randomBytes(rows * cols * 4)]));
  writeFileSync(join(root, 'extra.bin'), randomBytes(7 * MIB + 123));
  return root;
}

/** The model folder's two LFS files are on `repo`'s main branch, by their SHA-256. */
async function assertLfsStored(repo, folder) {
  const tree = await (await fetch(`${HUB_URL}/api/models/${repo}/tree/main`, { headers: { authorization: `Bearer ${HF_TOKEN}` } })).json();
  const oids = Object.fromEntries(tree.filter((e) => e.lfs).map((e) => [e.path, e.lfs.oid]));
  for (const name of ['model.safetensors', 'extra.bin']) assert.equal(oids[name], await sha256File(join(folder, name)), `${repo}: ${name}`);
}

async function sha256File(path) {
  const { createHash } = await import('node:crypto');
  const { readFileSync } = await import('node:fs');
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const uploadProfile = { hf_token: HF_TOKEN, hf_token_scope: HUB_BASE, flock_api_key: KEY, flock_key_scope: API_BASE };

/** Pick `folder`, name the repo, start; returns once the page shows a result. */
async function uploadFolder(page, folder, repo) {
  await page.goto(url('?view=upload&task=8'));
  await page.getByTestId('pick-folder').setInputFiles(folder);
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=upload-file]').length === 5);
  await page.getByTestId('repo-input').fill(repo);
  await page.waitForFunction(() => !document.querySelector('[data-testid=start-upload]').disabled);
  await page.getByTestId('start-upload').click();
}

{
  await smallParts();

  await test('a dropped folder is walked to the bottom, paths kept below it; loose files keep their names', async () => {
    const folder = await modelFolder();
    const { mkdirSync, writeFileSync } = await import('node:fs');
    mkdirSync(join(folder, 'tokenizer', 'deep'), { recursive: true });
    writeFileSync(join(folder, 'tokenizer', 'deep', 'special.json'), '{"bos": "<s>"}');
    const loose = join(folder, '..', 'README.md');
    writeFileSync(loose, '# notes');
    await inProfile(uploadProfile, async (page) => {
      await page.goto(url('?view=upload&task=8'));
      const zone = await page.getByTestId('dropzone').boundingBox();
      // A real drop through Chromium's input pipeline (CDP), as from the desktop: Playwright
      // cannot put folders in a synthetic DataTransfer.
      const cdp = await page.context().newCDPSession(page);
      const drop = async (paths) => {
        const data = { items: [], files: paths, dragOperationsMask: 0xffff };
        for (const type of ['dragEnter', 'dragOver', 'drop']) {
          await cdp.send('Input.dispatchDragEvent', { type, x: zone.x + zone.width / 2, y: zone.y + zone.height / 2, data });
        }
      };
      await drop([folder]);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=upload-file]').length === 6);
      await drop([loose]);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=upload-file]').length === 7);
      const paths = await page.locator('[data-testid=upload-file] td.mono').allInnerTexts();
      assert.deepEqual(paths, ['README.md', 'config.json', 'extra.bin', 'model.safetensors', 'tokenizer.json', 'tokenizer/deep/special.json', 'tokenizer_config.json']);
      assert.match(await page.getByTestId('checks').innerText(), /5,242,880 parameters/, 'dropped files are checked like picked ones');
    });
  });

  await test('a folder is uploaded, committed, and the Python client downloads it byte-identical', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/e2e-${Date.now()}`;
    await inProfile(uploadProfile, async (page) => {
      const workers = [];
      page.on('worker', (w) => workers.push(w.url()));
      await page.goto(url('?view=upload&task=8'));
      await page.getByTestId('pick-folder').setInputFiles(folder);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=upload-file]').length === 5);
      const checks = await page.getByTestId('checks').innerText();
      assert.match(checks, /Full model \(config\.json found\)/);
      assert.match(checks, /5,242,880 parameters \(5\.2 M\), within task 8's limit of 8 B/);
      await page.getByTestId('repo-input').fill('bob/not-mine');
      await page.waitForFunction(() => /It cannot write to bob/.test(document.querySelector('[data-testid=checks]')?.innerText || ''));
      assert.equal(await page.getByTestId('start-upload').isDisabled(), true, 'no upload to a namespace the token cannot write');
      const paths = await page.locator('[data-testid=upload-file] td.mono').allInnerTexts();
      assert.deepEqual(paths.sort(), ['config.json', 'extra.bin', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
      await page.getByTestId('repo-input').fill(repo);
      await page.getByTestId('start-upload').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      const commit = await page.getByTestId('commit-oid').innerText();
      assert.match(commit, /^[0-9a-f]{40}$/);
      await shot(page, 'upload-done');
      assert.ok(workers.some((w) => w.endsWith('/hash-worker.js')), `hashed in a Web Worker: ${workers}`);
      assert.equal(await page.getByTestId('hashed-on-page').count(), 0, 'the worker hashed: no fallback to the page');
      assert.ok(page.requests.some((r) => r.url === url('hash_worker_bg.wasm')), 'this browser has SIMD: the worker ran the SIMD hashing module');
      // The Python client reads it all back.
      const { execFileSync } = await import('node:child_process');
      const script = `
import hashlib, json, sys
from huggingface_hub import hf_hub_download
out = {}
for name in sys.argv[1:]:
    p = hf_hub_download("${repo}", name, revision="${commit}", endpoint="${HUB_URL}", token="${HF_TOKEN}")
    out[name] = hashlib.sha256(open(p, "rb").read()).hexdigest()
print(json.dumps(out))`;
      const names = ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors', 'extra.bin'];
      const venv = process.env.FLOCKBOARD_VENV;
      const got = JSON.parse(execFileSync(`${venv}/bin/python`, ['-c', script, ...names], { env: { ...process.env, HF_HUB_DISABLE_XET: '1', HF_HOME: join(folder, '..', 'hf-home') } }).toString());
      for (const name of names) assert.equal(got[name], await sha256File(join(folder, name)), name);
      // Secrets went only where they belong.
      const log = await requestLog();
      const storage = log.filter((r) => r.path.startsWith('/__storage/'));
      assert.ok(storage.some((r) => r.path.includes('/parts/')), 'multipart used');
      for (const r of storage) {
        const host = r.headers.find(([k]) => k === 'host')?.[1];
        assert.equal(host, `127.0.0.1:${process.env.STORAGE_PORT}`, `storage on its own origin: ${r.path}`);
      }
      for (const r of log) {
        const names = r.headers.map(([k]) => k);
        // The completion URL is on the Hub's origin but signed, like storage: no token.
        const signed = r.path.startsWith('/__storage/') || r.path.startsWith('/api/complete_multipart/');
        const hubApi = !signed && !r.path.startsWith('/api/v1/');
        if (r.method !== 'OPTIONS' && hubApi) assert.ok(r.headers.some(([k, v]) => k === 'authorization' && v === `Bearer ${HF_TOKEN}`), `token on ${r.path}`);
        if (!hubApi) assert.ok(!names.includes('authorization'), `no token on ${r.path}`);
        if (!r.path.startsWith('/api/v1/')) assert.ok(!names.includes('flock-api-key'), `no FLock key on ${r.path}`);
        assert.ok(!`${r.path}?${r.query}`.includes(HF_TOKEN) && !`${r.path}?${r.query}`.includes(KEY), 'no secret in a URL');
      }
      // Running it again sends no object twice.
      await reset();
      await smallParts();
      await page.getByTestId('start-upload').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      assert.match(await page.getByTestId('upload-done').innerText(), /2 file\(s\) were already on the Hub/);
      assert.deepEqual((await requestLog()).filter((r) => r.path.startsWith('/__storage/')), [], 'nothing re-sent');
      // Carry the commit into the submit form and submit it to task 8.
      await page.getByTestId('to-submit').click();
      // The repo just uploaded passes every check before submitting.
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=repo-check]').length === 5, null, { timeout: 20000 });
      const verdicts = await page.$$eval('[data-testid=repo-check]', (all) => all.map((c) => `${c.dataset.check}:${c.dataset.level}`));
      assert.deepEqual(verdicts, ['Repository:Pass', 'Revision:Pass', 'Files:Pass', 'Parameters:Pass', 'Template:Pass'], verdicts.join(', '));
      await page.getByTestId('submit-gpu').fill('NVIDIA H100 80GB HBM3');
      assert.equal(await page.getByTestId('submit-repo').inputValue(), repo);
      await page.waitForFunction(() => !document.querySelector('[data-testid=submit-button]').disabled);
      await page.getByTestId('submit-button').dblclick();
      await page.getByTestId('submit-result').waitFor();
      assert.match(await page.getByTestId('submit-result').innerText(), /Submitted: FLock recorded submission/);
      const posts = (await requestLog()).filter((r) => r.path === '/api/v1/tasks/submit-result' && r.method === 'POST');
      assert.equal(posts.length, 1, 'a double click submits once');
      await page.goto(url('?view=task&id=8'));
      await page.locator('[data-testid=my-submissions] [data-testid=submission-row]').first().waitFor();
      assert.match(await page.getByTestId('my-submissions').innerText(), new RegExp(repo.split('/')[1]));
    });
  });

  await test('without WebAssembly SIMD the task list opens and the worker hashes with the page\'s scalar module', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/no-simd-${Date.now()}`;
    // V8 has no switch for wasm SIMD alone; without SSE4.1 it turns SIMD off, as a browser
    // without it would be.
    const noSimd = await launch(['--js-flags=--no-enable-sse4-1']);
    try {
      await inProfile(uploadProfile, async (page) => {
        const workers = [];
        page.on('worker', (w) => workers.push(w.url()));
        await page.goto(url());
        assert.deepEqual((await rowIds(page)).sort(), [...OPEN_IDS].sort(), 'the task list opens');
        // The test means something only if this browser really refuses SIMD.
        const simd = await page.evaluate(() => WebAssembly.validate(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11])));
        assert.equal(simd, false, 'this browser refuses WebAssembly SIMD');
        await uploadFolder(page, folder, repo);
        await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
        assert.ok(workers.some((w) => w.endsWith('/hash-worker.js')), `hashed in a Web Worker: ${workers}`);
        assert.equal(await page.getByTestId('hashed-on-page').count(), 0, 'the worker hashed: no fallback to the page');
        assert.ok(!page.requests.some((r) => r.url.includes('hash_worker')), 'the SIMD module was not fetched');
        await assertLfsStored(repo, folder);
      }, noSimd);
    } finally {
      await noSimd.close();
    }
  });

  await test('checks before submitting: a private repo, a wrong revision, too many parameters and another template, each said', async () => {
    // Repos made by the official Python client: one public (a Llama 3 config, a safetensors
    // header stating 9 B parameters), one private.
    const stamp = Date.now();
    const big = `alice/check-big-${stamp}`, hidden = `alice/check-private-${stamp}`;
    const { execFileSync } = await import('node:child_process');
    const seed = `
import json, struct, sys, tempfile, os
from huggingface_hub import HfApi
api = HfApi(endpoint="${HUB_URL}", token="${HF_TOKEN}")
d = tempfile.mkdtemp()
open(os.path.join(d, "config.json"), "w").write(json.dumps({"model_type": "llama", "vocab_size": 128256}))
header = json.dumps({"w": {"dtype": "BF16", "shape": [90000, 100000], "data_offsets": [0, 16]}}).encode()
open(os.path.join(d, "model.safetensors"), "wb").write(struct.pack("<Q", len(header)) + header + bytes(16))
api.create_repo("${big}")
big = api.upload_folder(repo_id="${big}", folder_path=d).oid
api.create_repo("${hidden}", private=True)
hidden = api.upload_folder(repo_id="${hidden}", folder_path=d).oid
print(json.dumps([big, hidden]))`;
    const [bigCommit, hiddenCommit] = JSON.parse(execFileSync(`${process.env.FLOCKBOARD_VENV}/bin/python`, ['-c', seed], { env: { ...process.env, HF_HUB_DISABLE_XET: '1', HF_HUB_DISABLE_PROGRESS_BARS: '1' }, stdio: ['ignore', 'pipe', 'pipe'] }).toString());
    const verdicts = (page) => page.$$eval('[data-testid=repo-check]', (all) => all.map((c) => [c.dataset.check, c.dataset.level, c.textContent]));
    const checked = (page, n) => page.waitForFunction((n) => document.querySelectorAll('[data-testid=repo-check]').length === n, n, { timeout: 20000 });
    // The Hub has not summed this repo's weights: the page reads the header with Range requests.
    await control('POST', 'hub', { safetensors_summary: false });
    await inProfile(uploadProfile, async (page) => {
      await page.goto(url(`?view=submit&task=8&repo=${big}&revision=${bigCommit}`));
      await page.getByTestId('submit-gpu').fill('NVIDIA H100 80GB HBM3');
      await checked(page, 5);
      let found = await verdicts(page);
      assert.deepEqual(found.map(([c, l]) => `${c}:${l}`), ['Repository:Pass', 'Revision:Pass', 'Files:Pass', 'Parameters:Fail', 'Template:Warning']);
      assert.match(found[3][2], /9,000,000,000 parameters .* over task 8's limit/);
      assert.match(found[4][2], /model_type “llama” suggests “llama3”, not “qwen1\.5”/);
      const ranges = page.requests.filter((r) => r.headers.range);
      assert.equal(ranges.length, 2, 'the header read in two Range requests');
      assert.equal(ranges[0].headers.range, 'bytes=0-7', 'its length first');
      assert.match(ranges[1].headers.range, /^bytes=8-\d+$/, 'then the header alone');
      assert.ok(ranges.every((r) => r.url.startsWith(`${HUB_BASE}${big}/resolve/${bigCommit}/model.safetensors`)), ranges.map((r) => r.url).join(' '));
      assert.equal(await page.getByTestId('submit-button').isDisabled(), true, 'a failed check holds the submission back');
      await page.getByTestId('submit-anyway').check();
      await page.waitForFunction(() => !document.querySelector('[data-testid=submit-button]').disabled);
      await page.getByTestId('submit-anyway').uncheck();
      // The suggestion is taken with one click; the template check then passes.
      await page.getByTestId('use-template').click();
      assert.equal(await page.getByTestId('submit-base').inputValue(), 'llama3');
      await page.waitForFunction(() => document.querySelector('[data-testid=repo-check][data-check=Template]')?.dataset.level === 'Pass');
      await shot(page, 'submit-checks');
      // A commit that is not on the repo.
      await page.getByTestId('submit-revision').fill('f'.repeat(40));
      await checked(page, 2);
      found = await verdicts(page);
      assert.deepEqual(found.map(([c, l]) => `${c}:${l}`), ['Repository:Pass', 'Revision:Fail']);
      // The Hub refusing the header reads: could not be checked — a warning, not a verdict.
      await fault({ route: `${big}/resolve`, status: 403, times: 2 });
      await page.getByTestId('submit-revision').fill(bigCommit);
      await checked(page, 5);
      found = await verdicts(page);
      assert.equal(found[3][1], 'Warning', found[3][2]);
      assert.match(found[3][2], /Could not be checked: reading model\.safetensors: HTTP 403/);
      // A private repo: validators cannot download it; its settings are named.
      await page.getByTestId('submit-repo').fill(hidden);
      await page.getByTestId('submit-revision').fill(hiddenCommit);
      await page.waitForFunction(() => document.querySelector('[data-testid=repo-check][data-check=Repository]')?.dataset.level === 'Fail');
      assert.match((await verdicts(page))[0][2], new RegExp(`${hidden} is private: validators cannot download it\\. Make it public in its settings \\(${HUB_BASE}${hidden}/settings\\)`));
      assert.equal(await page.getByTestId('repo-settings').getAttribute('href'), `${HUB_BASE}${hidden}/settings`);
      assert.equal(await page.getByTestId('submit-button').isDisabled(), true);
      assert.deepEqual((await requestLog()).filter((r) => r.path === '/api/v1/tasks/submit-result'), [], 'nothing was submitted');
    });
    await control('POST', 'hub', {});
  });

  await test('cancel midway: no commit is made', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/cancel-${Date.now()}`;
    await fault({ route: '__storage', mode: 'delay', delay_ms: 4000 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.waitForFunction(() => /Uploading \d+%/.test(document.querySelector('[data-testid=upload-files]')?.innerText || ''), null, { timeout: 30000 });
      await page.getByTestId('cancel-upload').click();
      await page.getByTestId('upload-error').waitFor();
      assert.match(await page.getByTestId('upload-error').innerText(), /Cancelled: nothing was committed/);
    });
    await control('DELETE', 'faults');
    const info = await (await fetch(`${HUB_URL}/api/models/${repo}`, { headers: { authorization: `Bearer ${HF_TOKEN}` } })).json();
    assert.deepEqual(info.siblings.map((s) => s.rfilename), ['.gitattributes'], 'only the initial commit');
    assert.ok(!(await requestLog()).some((r) => r.path.endsWith('/commit/main')), 'no commit request');
  });

  await test('a part that fails once is retried, and an expired storage URL gets a fresh batch', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/retry-${Date.now()}`;
    // The first part PUT fails with a 500 (retried), the next with an expired URL (new batch).
    await fault({ route: '__storage/parts', status: 500, times: 1 });
    await fault({ route: '__storage/parts', status: 403, body: '{"error":"Request has expired"}', times: 1 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
    });
    const log = await requestLog();
    const batches = log.filter((r) => r.path.endsWith('/info/lfs/objects/batch'));
    // One batch per large file (2), plus at least one for the expired URL.
    assert.ok(batches.length >= 3, `a fresh batch after the expired URL (${batches.length} batches)`);
    const faults = await control('GET', 'config');
    assert.deepEqual(faults.faults, [], 'both faults were hit');
    await assertLfsStored(repo, folder);
  });

  await test('a dropped network pauses the upload, which carries on when it is back and resends only what was in flight', async () => {
    // Parts of 2 MiB over a 4 MiB/s uplink: the upload takes seconds, so the outage lands mid-way.
    await control('POST', 'hub', { multipart_threshold: 5 * MIB, chunk_size: 2 * MIB, url_ttl_secs: 900, lfs_size_threshold: 10 * MIB, storage_mib_per_s: 4 });
    const folder = await modelFolder();
    const repo = `alice/outage-${Date.now()}`;
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.waitForFunction(() => /Uploading \d+%/.test(document.querySelector('[data-testid=upload-files]')?.innerText || ''), null, { timeout: 30000 });
      // Six seconds in which storage answers nothing: connections are dropped, as offline.
      await fault({ route: '__storage', mode: 'drop', for_ms: 6000 });
      await page.getByTestId('upload-offline').waitFor({ timeout: 30000 });
      assert.match(await page.getByTestId('upload-offline').innerText(), /Waiting for the network since \d\d:\d\d:\d\d: nothing is lost[\s\S]*gives up at \d\d:\d\d:\d\d/);
      assert.equal(await page.getByTestId('upload-error').count(), 0, 'not a failure');
      await page.getByTestId('upload-done').waitFor({ timeout: 120000 });
      assert.equal(await page.getByTestId('upload-offline').count(), 0, 'the notice is gone once it carried on');
    });
    const puts = (await requestLog()).filter((r) => r.method === 'PUT' && r.path.startsWith('/__storage/'));
    const distinct = new Set(puts.map((r) => `${r.path}?${r.query}`));
    assert.ok(puts.length > distinct.size, `parts in flight were sent again (${puts.length} PUTs for ${distinct.size} parts)`);
    assert.ok(puts.length - distinct.size <= 6 * 8, `only what was in flight was resent (${puts.length - distinct.size} resends)`);
    await assertLfsStored(repo, folder);
  });

  await test('hashes known from an earlier run are not computed again; a changed file is; a corrupt record is set aside', async () => {
    await smallParts();
    const folder = await modelFolder();
    const stamp = Date.now();
    await inProfile(uploadProfile, async (page) => {
      const workers = [];
      page.on('worker', (w) => workers.push(w.url()));
      // A record that is not ours: set aside with a notice, and the upload goes on.
      await page.goto(url('?view=upload'));
      await page.evaluate(() => localStorage.setItem('flockboard.hashes', '{"version":1,"records":[{"path":"x","size":1,"modified":1,"sha256":"<img>"}]}'));
      await uploadFolder(page, folder, `alice/cache-a-${stamp}`);
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
      assert.match(await page.getByTestId('upload-notice').innerText(), /hashes kept from earlier uploads was set aside: the hash kept for x is not a SHA-256\. Files are hashed anew/);
      assert.ok(workers.length > 0, 'the first run hashes in workers');
      // The same files again (as after a reload): no hashing worker starts.
      workers.length = 0;
      await uploadFolder(page, folder, `alice/cache-b-${stamp}`);
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=upload-file]')].some((r) => /Hash known from an earlier run|Already on the Hub|Committed/.test(r.innerText)));
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
      assert.deepEqual(workers, [], 'no worker for files whose hash is known');
      assert.equal(await page.getByTestId('upload-notice').count(), 0);
      // One file changed on disk (same size, new date): hashed again, alone.
      const { utimesSync } = await import('node:fs');
      const later = new Date(Date.now() + 60_000);
      utimesSync(join(folder, 'model.safetensors'), later, later);
      await uploadFolder(page, folder, `alice/cache-c-${stamp}`);
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
      assert.equal(workers.length, 1, `one worker, for the changed file (${workers.length})`);
    });
    for (const repo of ['a', 'b', 'c']) await assertLfsStored(`alice/cache-${repo}-${stamp}`, folder);
  });

  await test('after a reload mid-upload, the page offers to resume; the same folder resumes without hashing or sending again', async () => {
    // A slow uplink: the reload comes while the larger file is still on its way.
    await control('POST', 'hub', { multipart_threshold: 5 * MIB, chunk_size: 2 * MIB, url_ttl_secs: 900, lfs_size_threshold: 10 * MIB, storage_mib_per_s: 3 });
    const folder = await modelFolder();
    const repo = `alice/resume-${Date.now()}`;
    await inProfile(uploadProfile, async (page) => {
      const workers = [];
      page.on('worker', (w) => workers.push(w.url()));
      await uploadFolder(page, folder, repo);
      // extra.bin (7 MiB) reaches storage first; model.safetensors (20 MiB) is still going.
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=upload-file]')].some((r) => /extra\.bin/.test(r.innerText) && /Ready to commit/.test(r.innerText)), null, { timeout: 60000 });
      // Reload (the page asks first; say yes).
      page.removeAllListeners('dialog');
      page.on('dialog', (d) => d.accept());
      await page.reload();
      const offer = page.getByTestId('unfinished-upload');
      await offer.waitFor();
      assert.match(await offer.innerText(), new RegExp(`An upload to ${repo} did not finish: [1-4] of 5 files had been sent`));
      await page.getByTestId('resume-fill').click();
      assert.equal(await page.getByTestId('repo-input').inputValue(), repo);
      workers.length = 0;
      const putsBefore = (await requestLog()).filter((r) => r.method === 'PUT' && r.path.startsWith('/__storage/')).length;
      await control('POST', 'hub', { multipart_threshold: 5 * MIB, chunk_size: 2 * MIB, url_ttl_secs: 900, lfs_size_threshold: 10 * MIB });
      await page.getByTestId('pick-folder').setInputFiles(folder);
      await page.waitForFunction(() => document.querySelectorAll('[data-testid=upload-file]').length === 5);
      assert.match(await page.getByTestId('unfinished-match').innerText(), /The files picked are those of the unfinished upload \(5 files/);
      await shot(page, 'upload-resume');
      await page.waitForFunction(() => !document.querySelector('[data-testid=start-upload]').disabled);
      await page.getByTestId('start-upload').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
      assert.deepEqual(workers, [], 'no file hashed again');
      assert.match(await page.getByTestId('upload-done').innerText(), /1 file\(s\) were already on the Hub and not sent again/);
      const puts = (await requestLog()).filter((r) => r.method === 'PUT' && r.path.startsWith('/__storage/'));
      const sentAgain = puts.slice(putsBefore);
      assert.ok(sentAgain.length > 0 && sentAgain.length <= 12, `only model.safetensors' parts went again (${sentAgain.length} PUTs)`);
      // Finished: nothing left to offer after another reload.
      await page.reload();
      await page.getByTestId('pick-folder').waitFor({ state: 'attached' });
      assert.equal(await page.getByTestId('unfinished-upload').count(), 0);
      assert.equal(await page.evaluate(() => localStorage.getItem('flockboard.unfinished')), null);
    });
    await assertLfsStored(repo, folder);
  });

  await test('a corrupt record of an unfinished upload is set aside with a notice', async () => {
    await inProfile(uploadProfile, async (page) => {
      await page.goto(url('?view=upload'));
      await page.evaluate(() => localStorage.setItem('flockboard.unfinished', '{"version":1,"repo":"<script>","files":[]}'));
      await page.reload();
      await page.getByTestId('unfinished-set-aside').waitFor();
      assert.match(await page.getByTestId('unfinished-set-aside').innerText(), /The record of an upload that did not finish was set aside: it is not a record of an upload/);
      assert.equal(await page.getByTestId('unfinished-upload').count(), 0);
      assert.equal(await page.evaluate(() => localStorage.getItem('flockboard.unfinished')), null, 'removed');
    });
  });

  await test('the screen is kept awake while uploading, taken again when the tab returns, and an upload ending hidden notifies', async () => {
    await control('POST', 'hub', { multipart_threshold: 5 * MIB, chunk_size: 2 * MIB, url_ttl_secs: 900, lfs_size_threshold: 10 * MIB, storage_mib_per_s: 5 });
    const folder = await modelFolder();
    const repo = `alice/awake-${Date.now()}`;
    await inProfile({ ...uploadProfile, notify_when_hidden: true }, async (page) => {
      // The page's view of the browser: a wake lock and notifications that record their use,
      // and a tab whose visibility the test sets (headless tabs are always visible).
      await page.context().addInitScript(() => {
        window.__wake = [];
        window.__notes = [];
        let hidden = false;
        Object.defineProperty(document, 'hidden', { get: () => hidden, configurable: true });
        window.__setHidden = (h) => { hidden = h; document.dispatchEvent(new Event('visibilitychange')); };
        Object.defineProperty(navigator, 'wakeLock', { configurable: true, value: { request: async (type) => {
          window.__wake.push(`request ${type}`);
          const sentinel = { released: false, release: async () => { sentinel.released = true; window.__wake.push('release'); } };
          window.__sentinel = sentinel;
          return sentinel;
        } } });
        const Notification = function (title, options) { window.__notes.push({ title, body: options && options.body, tag: options && options.tag }); };
        Notification.permission = 'granted';
        Notification.requestPermission = async () => 'granted';
        window.Notification = Notification;
      });
      await uploadFolder(page, folder, repo);
      await page.locator('[data-testid=wake-lock][data-state=held]').waitFor();
      assert.match(await page.getByTestId('wake-lock').innerText(), /Keeping the screen awake/);
      // Hidden, the browser takes the lock away; back in view, the page takes it again.
      await page.evaluate(() => { window.__sentinel.released = true; window.__setHidden(true); window.__setHidden(false); });
      await page.waitForFunction(() => window.__wake.filter((w) => w === 'request screen').length === 2);
      // The tab goes to the background before the end: a notification says how it ended.
      await page.evaluate(() => window.__setHidden(true));
      await page.getByTestId('upload-done').waitFor({ timeout: 90000 });
      await page.waitForFunction(() => window.__notes.length === 1);
      const [note] = await page.evaluate(() => window.__notes);
      assert.equal(note.title, 'Upload finished');
      assert.match(note.body, new RegExp(`${repo} is on the Hub: commit [0-9a-f]{12}\\.`));
      assert.equal(await page.evaluate(() => window.__wake.at(-1)), 'release', 'the lock is given back at the end');
      assert.equal(await page.locator('[data-testid=wake-lock]').getAttribute('data-state'), 'released');
    });
  });

  await test('turning notifications on asks the browser, and a refusal is explained', async () => {
    await inProfile(uploadProfile, async (page) => {
      await page.goto(url('?view=settings'));
      await page.getByTestId('notify-input').check().catch(() => {});
      await page.getByTestId('notify-refused').waitFor();
      assert.equal(await page.getByTestId('notify-input').isChecked(), false);
      await page.context().grantPermissions(['notifications'], { origin: APP_ORIGIN });
      await page.getByTestId('notify-input').click();
      await page.waitForFunction(() => document.querySelector('[data-testid=notify-input]').checked);
      assert.equal(await page.getByTestId('notify-refused').count(), 0);
      await page.getByTestId('save-settings').click();
      assert.equal(JSON.parse(await page.evaluate(() => localStorage.getItem('flockboard.settings'))).notify_when_hidden, true);
    });
  });

  await test('storage refusing parts fails those files alone; each is retried alone, and only then is the commit made', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/refused-${Date.now()}`;
    await fault({ route: '__storage/parts', status: 400, body: '{"error":"InvalidPart: the part was rejected"}' });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.getByTestId('upload-stalled').waitFor({ timeout: 60000 });
      assert.match(await page.getByTestId('upload-stalled').innerText(), /2 files could not be sent; the others went on[\s\S]*nothing is committed until every file is stored/);
      const failed = async () => (await page.getByTestId('file-state').allInnerTexts()).filter((t) => /^Failed: /.test(t));
      assert.equal((await failed()).length, 2);
      assert.match((await failed())[0], /upload: .* part \d+: HTTP 400: InvalidPart: the part was rejected/);
      assert.equal(await page.getByTestId('upload-error').count(), 0, 'not over: waiting for retries');
      assert.equal(await page.getByTestId('cancel-upload').isEnabled(), true);
      // Storage takes parts again; one file is retried alone: it goes, the other still waits.
      await control('DELETE', 'faults');
      await page.getByTestId('retry-file').first().click();
      await page.waitForFunction(() => /^1 file could not be sent/.test(document.querySelector('[data-testid=upload-stalled]')?.innerText || ''), null, { timeout: 60000 });
      assert.ok(!(await requestLog()).some((r) => r.path.endsWith('/commit/main')), 'no commit while a file waits');
      await page.getByTestId('retry-file').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
    });
    const commits = (await requestLog()).filter((r) => r.method === 'POST' && r.path.endsWith('/commit/main'));
    assert.equal(commits.length, 1, 'one commit, once every file was stored');
    await assertLfsStored(repo, folder);
  });

  await test('a rate-limited commit is retried, then explained; starting again later commits without re-sending', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/limited-${Date.now()}`;
    await fault({ route: `api/models/${repo}/commit`, status: 429, body: '{"error":"You have exceeded the rate limit for repository commits (128 per hour)."}' });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.getByTestId('upload-error').waitFor({ timeout: 60000 });
      const text = await page.getByTestId('upload-error').innerText();
      assert.match(text, /HTTP 429: You have exceeded the rate limit for repository commits \(128 per hour\)/);
      assert.match(text, /rate-limiting this account: wait a few minutes/);
      assert.match(text, /files already stored are not sent again/);
      const commits = (await requestLog()).filter((r) => r.method === 'POST' && r.path.endsWith('/commit/main'));
      assert.equal(commits.length, 5, 'the commit was tried five times');
      await control('DELETE', 'faults');
      await control('DELETE', 'log');
      await page.getByTestId('start-upload').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      assert.deepEqual((await requestLog()).filter((r) => r.path.startsWith('/__storage/')), [], 'nothing re-sent');
    });
  });

  await test('an upload through the Hub proxy: API routes and completion via the proxy, bytes straight to storage', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/proxied-${Date.now()}`;
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      const sent = page.requests.map((r) => `${r.method} ${r.url}`);
      const storage = new URL(process.env.STORAGE_URL).origin;
      assert.ok(sent.some((r) => r.startsWith(`POST ${HUB_BASE}api/complete_multipart/`)), `completion through the proxy:\n${sent.join('\n')}`);
      assert.ok(sent.some((r) => r.startsWith(`PUT ${storage}/__storage/parts/`)), 'parts straight to storage');
      assert.ok(sent.some((r) => r.startsWith(`POST ${HUB_BASE}api/models/${repo}/commit/main`)), 'commit through the proxy');
      assert.ok(!sent.some((r) => r.includes(`${new URL(HUB_URL).host}/api/`)), 'no Hub route called directly');
    });
    const commits = (await requestLog()).filter((r) => r.path === `/api/models/${repo}/commit/main`);
    assert.equal(commits.length, 1);
    assert.ok(commits[0].headers.some(([k, v]) => k === 'authorization' && v === `Bearer ${HF_TOKEN}`), 'the token reached the Hub');
  });

  /** The branch history of `repo` on the fake Hub, newest first (titles). */
  const history = async (repo) => (await (await fetch(`${HUB_URL}/api/models/${repo}/commits/main`, { headers: { authorization: `Bearer ${HF_TOKEN}` } })).json());
  const commitPosts = async (repo) => (await requestLog()).filter((r) => r.method === 'POST' && r.path === `/api/models/${repo}/commit/main`);

  await test('a lost commit answer (dropped, or a gateway error) is read back from the Hub: success, one commit', async () => {
    for (const [kind, lost] of [['dropped', { mode: 'lost' }], ['gateway', { mode: 'lost', status: 504 }]]) {
      await smallParts();
      const folder = await modelFolder();
      const repo = `alice/lost-${kind}-${Date.now()}`;
      await fault({ route: `api/models/${repo}/commit/main`, times: 1, ...lost });
      await inProfile(uploadProfile, async (page) => {
        await uploadFolder(page, folder, repo);
        await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
        const commits = await history(repo);
        assert.equal(commits.length, 2, `${kind}: the initial commit and ours, no second: ${JSON.stringify(commits)}`);
        assert.equal(await page.getByTestId('commit-oid').innerText(), commits[0].id, `${kind}: the commit shown is the one on the Hub`);
        assert.match(await page.getByTestId('commit-confirmed').innerText(), /answer to the commit was lost .*history shows the commit landed/);
        assert.equal((await commitPosts(repo)).length, 1, `${kind}: the commit was not sent again`);
        const sent = page.requests.map((r) => `${r.method} ${r.url}`);
        assert.ok(sent.some((r) => r.includes(`/api/models/${repo}/commits/main`)), 'the history was read');
        // The header the commit carried names its parent: the initial commit.
        const body = page.requests.find((r) => r.method === 'POST' && r.url.endsWith(`/api/models/${repo}/commit/main`));
        assert.ok(body, 'the browser sent the commit');
      });
      await control('DELETE', 'faults');
    }
  });

  await test('a commit overtaken by a real concurrent commit is explained (412), a busy repo (409) is waited for', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/race-${Date.now()}`;
    // Storage is slow, so another client commits between this upload's preupload and its commit.
    await fault({ route: '__storage', mode: 'delay', delay_ms: 1500, times: 2 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.waitForFunction(() => /Uploading|Hash/.test(document.querySelector('[data-testid=upload-files]')?.innerText || ''), null, { timeout: 30000 });
      const other = '{"key":"header","value":{"summary":"someone else"}}\n{"key":"file","value":{"path":"other.txt","content":"aGk=","encoding":"base64"}}\n';
      const made = await fetch(`${HUB_URL}/api/models/${repo}/commit/main`, { method: 'POST', headers: { authorization: `Bearer ${HF_TOKEN}`, 'content-type': 'application/x-ndjson' }, body: other });
      assert.equal(made.status, 200);
      await page.getByTestId('upload-error').waitFor({ timeout: 60000 });
      assert.match(await page.getByTestId('upload-error').innerText(), /someone else committed to the repo since this upload started, so this commit was not made/);
      assert.deepEqual((await history(repo)).map((c) => c.title), ['someone else', 'initial commit'], 'ours did not land on top of theirs');
      // Busy twice (another commit running), then through: the same upload, started again.
      await control('DELETE', 'faults');
      await fault({ route: `api/models/${repo}/commit/main`, status: 409, body: '{"error":"Another commit operation is in progress for this repository. Please try again later."}', times: 2 });
      await page.getByTestId('start-upload').click();
      await page.waitForFunction(() => /Another commit operation is in progress.*trying again in/.test(document.querySelector('[data-testid=upload-retrying]')?.textContent || ''), null, { timeout: 30000 });
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      assert.equal((await commitPosts(repo)).length, 5, "the other client's, ours refused (412), two busy, one made");
      assert.equal((await history(repo)).length, 3);
    });
  });

  await test('cancel during the commit tells what became of it', async () => {
    await smallParts();
    const folder = await modelFolder();
    // The commit lands, but its answer is slow: a cancel now comes too late, and says so.
    const late = `alice/late-${Date.now()}`;
    await fault({ route: `api/models/${late}/commit/main`, mode: 'lost', delay_ms: 3000, times: 1 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, late);
      await page.waitForFunction(() => /^Committing/.test(document.querySelector('[data-testid=upload-phase]')?.textContent || ''), null, { timeout: 60000 });
      await page.waitForTimeout(500);
      const clicked = Date.now();
      await page.getByTestId('cancel-upload').click();
      await page.getByTestId('upload-done').waitFor({ timeout: 10000 });
      assert.ok(Date.now() - clicked < 2500, 'the cancel did not wait for the slow answer');
      assert.match(await page.getByTestId('commit-confirmed').innerText(), /Cancel came after the commit had reached the Hub: it landed/);
      assert.equal(await page.getByTestId('commit-oid').innerText(), (await history(late))[0].id);
    });
    await control('DELETE', 'faults');
    // Cancelled before anything was committed: said so, and the Hub has nothing new.
    const early = `alice/early-${Date.now()}`;
    await fault({ route: `api/models/${early}/commit/main`, mode: 'delay', delay_ms: 3000, times: 1 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, early);
      await page.waitForFunction(() => /^Committing/.test(document.querySelector('[data-testid=upload-phase]')?.textContent || ''), null, { timeout: 60000 });
      await page.getByTestId('cancel-upload').click();
      await page.getByTestId('upload-error').waitFor({ timeout: 10000 });
      const text = await page.getByTestId('upload-error').innerText();
      assert.match(text, /Cancelled/);
      // The request had left: the Hub was read, and (its delay still running) did not have it
      // yet; the page says so, and that it may still appear.
      assert.match(text, /Cancelled while the commit was on its way: the Hub did not have it when read right after/);
    });
    await control('DELETE', 'faults');
  });

  await test('an upload goes on while the user looks at other views, and a tab close asks first', async () => {
    await smallParts();
    const folder = await modelFolder();
    const repo = `alice/away-${Date.now()}`;
    await fault({ route: '__storage', mode: 'delay', delay_ms: 1500, times: 3 });
    await inProfile(uploadProfile, async (page) => {
      await uploadFolder(page, folder, repo);
      await page.waitForFunction(() => /Uploading|Hash/.test(document.querySelector('[data-testid=upload-files]')?.innerText || ''), null, { timeout: 30000 });
      // Away through the app's own navigation (no reload), and back.
      await page.locator('nav.topnav a', { hasText: 'Tasks' }).click();
      await page.locator('[data-testid=task-row]').first().waitFor();
      await page.locator('nav.topnav a', { hasText: 'Upload' }).click();
      await page.getByTestId('upload-files').waitFor();
      assert.equal(await page.locator('[data-testid=upload-file]').count(), 5, 'the picked files are still there');
      assert.equal(await page.getByTestId('start-upload').isDisabled(), true, 'no second upload while one runs');
      assert.equal(await page.getByTestId('cancel-upload').isDisabled(), false, 'the running upload can be cancelled');
      // Closing the tab asks first.
      const dialog = new Promise((resolve) => page.once('dialog', (d) => resolve(d.type())));
      await page.close({ runBeforeUnload: true });
      assert.equal(await dialog, 'beforeunload');
      assert.equal(page.isClosed(), false, 'dismissing keeps the tab');
      await page.getByTestId('upload-done').waitFor({ timeout: 60000 });
      assert.equal((await commitPosts(repo)).length, 1, 'one commit');
    });
    await control('DELETE', 'faults');
  });

  await test('a slow older token check never overwrites a newer one', async () => {
    await inProfile(uploadProfile, async (page) => {
      await page.goto(url('?view=upload&task=8'));
      await fault({ route: 'api/whoami-v2', mode: 'delay', delay_ms: 2500, times: 1 });
      await page.getByTestId('repo-input').fill('bob/not-mine');
      await page.waitForTimeout(300);
      await page.getByTestId('repo-input').fill('alice/mine');
      await page.waitForFunction(() => /It can write to alice/.test(document.querySelector('[data-testid=checks]')?.innerText || ''), null, { timeout: 10000 });
      await page.waitForTimeout(3000);
      const checks = await page.getByTestId('checks').innerText();
      assert.match(checks, /It can write to alice/);
      assert.doesNotMatch(checks, /cannot write to bob/, 'the older answer was dropped');
    });
    await control('DELETE', 'faults');
  });

  await test('after the addresses change, Test key and Test token send nothing bound elsewhere', async () => {
    await inProfile(fullProfile(), async (page) => {
      const other = `http://localhost:${new URL(SANDBOX_URL).port}`;
      const otherHub = `http://localhost:${new URL(HUB_URL).port}`;
      page.extraOrigins = [other, otherHub];
      await page.goto(url('?view=settings'));
      await page.getByTestId('api-base-input').fill(`${other}/api/v1/`);
      await page.getByTestId('hub-base-input').fill(`${otherHub}/`);
      await page.getByTestId('save-settings').click();
      await reset();
      await page.getByTestId('test-key').click();
      await page.getByTestId('test-token').click();
      await page.waitForTimeout(1500);
      for (const r of page.requests.filter((r) => r.url.startsWith(other) || r.url.startsWith(otherHub))) {
        assert.ok(!r.headers['flock-api-key'] && !r.headers.authorization, `no secret to the new address: ${r.method} ${r.url}`);
      }
      for (const r of await requestLog()) {
        assert.ok(!r.headers.some(([k]) => k === 'flock-api-key' || k === 'authorization'), `the server received no credential: ${r.path}`);
      }
    });
  });

  await test('the token is checked with whoami, and uploads are refused without one', async () => {
    await inProfile({}, async (page) => {
      await page.goto(url('?view=upload'));
      assert.match(await page.getByTestId('no-token').innerText(), /Add a Hugging Face token/);
      await page.goto(url('?view=settings'));
      await page.getByTestId('hub-base-input').fill(`${HUB_URL}/`);
      await page.getByTestId('token-input').fill('hf_sandboxReadTokenBob000000000000000000');
      await page.getByTestId('test-token').click();
      await page.getByTestId('token-result').waitFor();
      assert.match(await page.getByTestId('token-result').innerText(), /Token of bob \(read\); read-only: it cannot upload/);
      await page.getByTestId('token-input').fill('hf_wrong');
      await page.getByTestId('test-token').click();
      await page.waitForFunction(() => /refused this token/.test(document.querySelector('[data-testid=token-result]')?.textContent || ''));
      await page.getByTestId('token-input').fill(HF_TOKEN);
      await page.getByTestId('token-session-only').check();
      await page.getByTestId('save-settings').click();
      const stored = await page.evaluate(() => [localStorage.getItem('flockboard.settings'), sessionStorage.getItem('flockboard.hf_token')]);
      assert.ok(!stored[0].includes(HF_TOKEN), `a session-only token is not in local storage: ${stored[0]}`);
      assert.equal(JSON.parse(stored[1]), HF_TOKEN);
    });
  });
}

await browser.close();
for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`e2e: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
