// Standing bench (run through tests/bench/standing.sh): the page's standing of one wallet with
// every board of ROWS rows, from navigation until every board is read, against a plain-JS
// baseline in the same page fetching the same board pages with the same concurrency. Medians of
// RUNS (default 5), alternating; prints the times, their ratio and the requests each made.
import { chromium } from 'playwright-core';

const { APP_URL, SANDBOX_URL } = process.env;
const ROWS = Number(process.env.ROWS || 2000);
const RUNS = Number(process.env.RUNS || 5);
const ME = '0xB93A9c73751Bbca8E1924954271ee8d4De5747c9';
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const control = (path, body) => fetch(`${SANDBOX_URL}/__sandbox/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

await control('reset', {});
await control('boards', { rows: ROWS });
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

async function page() {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.addInitScript(`localStorage.setItem('flockboard.settings', ${JSON.stringify(JSON.stringify({ wallet: ME }))})`);
  const p = await context.newPage();
  p.boards = 0;
  p.on('request', (r) => { if (/\/stats\/(models|validators)\?/.test(r.url())) p.boards++; });
  return p;
}

/** The page's standing: navigation → every row's "Read at" filled. */
async function flockboard() {
  const p = await page();
  const t0 = Date.now();
  await p.goto(`${APP_URL}?view=me`);
  await p.waitForFunction(() => {
    const cells = [...document.querySelectorAll('[data-testid=standing-read-at]')];
    return cells.length > 0 && cells.every((c) => c.textContent !== '—');
  }, null, { timeout: 120000, polling: 20 });
  const ms = Date.now() - t0;
  const tasks = await p.locator('[data-testid=standing-row]').count();
  const result = { ms, requests: p.boards, tasks };
  await p.context().close();
  return result;
}

/** Plain JS in the same (loaded) page: the same tasks' boards, every page, 3 boards at a time and
 * 4 pages at a time within a board, parsed and searched for the wallet. Timed from navigation too. */
async function baseline(tasks) {
  const p = await page();
  const t0 = Date.now();
  await p.goto(`${APP_URL}?view=settings`);
  await p.waitForSelector('[data-testid=save-settings]');
  const inPage = await p.evaluate(async ({ api, tasks, me }) => {
    const board = async (kind, id) => {
      const get = async (n) => (await (await fetch(`${api}stats/${kind}?task_id=${id}&page=${n}&size=100`)).json());
      const first = await get(1);
      const items = [...first.items];
      const rest = Array.from({ length: first.pages - 1 }, (_, i) => i + 2);
      for (let i = 0; i < rest.length; i += 4) (await Promise.all(rest.slice(i, i + 4).map(get))).forEach((pg) => items.push(...pg.items));
      return items.find((e) => e.wallet.toLowerCase() === me.toLowerCase())?.rank ?? null;
    };
    const jobs = tasks.flatMap((id) => [['models', id], ['validators', id]]);
    let next = 0;
    const worker = async () => { while (next < jobs.length) { const [k, id] = jobs[next++]; await board(k, id); } };
    await Promise.all([worker(), worker(), worker()]);
  }, { api: `${SANDBOX_URL}/api/v1/`, tasks, me: ME });
  const result = { ms: Date.now() - t0, requests: p.boards };
  await p.context().close();
  return result;
}

const TASKS = [7, 8, 9, 10, 12, 5, 1];
const ours = [], base = [];
for (let i = 0; i < RUNS; i++) {
  if (i % 2) { base.push(await baseline(TASKS)); ours.push(await flockboard()); } else { ours.push(await flockboard()); base.push(await baseline(TASKS)); }
}
await control('boards', {});
await browser.close();
const a = median(ours.map((r) => r.ms)), b = median(base.map((r) => r.ms));
console.log(`Standing of one wallet over ${ours[0].tasks} tasks, every board ${ROWS.toLocaleString('en')} rows; medians of ${RUNS}, alternating:\n`);
console.log('|                                       | time     | board requests |');
console.log('|---------------------------------------|---------:|---------------:|');
console.log(`| flockboard ?view=me                   | ${String(a).padStart(5)} ms | ${String(ours[0].requests).padStart(14)} |`);
console.log(`| plain JS, same pages, same concurrency | ${String(b).padStart(5)} ms | ${String(base[0].requests).padStart(14)} |`);
console.log(`\nratio: ${(a / b).toFixed(2)}x`);
console.log(`runs: flockboard ${ours.map((r) => r.ms).join(' ')} ms; plain JS ${base.map((r) => r.ms).join(' ')} ms`);
