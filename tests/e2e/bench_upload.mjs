// Upload bench (run through tests/bench/upload.sh): in headless Chromium against the sandbox Hub,
//  - SHA-256 throughput of flockboard's hashing worker on a 1 GiB file;
//  - end-to-end upload of (a) one 1 GiB file, (b) a folder of four 256 MiB shards and (c) the
//    same over a simulated 100 MiB/s storage uplink (the same bytes for both, the Hub wiped
//    before each upload; median of BENCH_RUNS runs, default 3), by flockboard and by
//    huggingface.js (@huggingface/hub, Xet off) in the same browser;
//  - flockboard's peak wasm memory growth during the upload;
//  - (d), only when asked: a 2 GiB folder of four 512 MiB shards over a 10 MiB/s uplink, as a
//    home uplink carries a full fine-tune: each client's total against the ideal (bytes / uplink
//    + the time to hash one shard), when its first byte left, and flockboard's wasm and JS heap
//    growth over the whole upload.
import { chromium } from 'playwright-core';
import { mkdtempSync, openSync, writeSync, writeFileSync, closeSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFillSync, randomBytes } from 'node:crypto';

const { APP_URL, HFJS_URL, HUB_URL, SANDBOX_URL } = process.env;
const TOKEN = 'hf_sandboxWriteTokenAlice0000000000000';
const MIB = 1024 * 1024;

function makeFile(path, bytes) {
  const fd = openSync(path, 'w');
  const block = Buffer.alloc(8 * MIB);
  for (let left = bytes; left > 0; left -= block.length) {
    randomFillSync(block);
    writeSync(fd, block, 0, Math.min(block.length, left));
  }
  closeSync(fd);
}

// One set of random files for both clients; the fake Hub is wiped before every upload (it stores
// objects by content, so a second upload of the same bytes would send nothing).
const dir = mkdtempSync(join(tmpdir(), 'flockboard-bench-'));
const big = join(dir, 'model-1gib.bin'); // random bytes: not a valid .safetensors
makeFile(big, 1024 * MIB);
const CASES = process.env.BENCH_CASES || 'abc'; // which of (a), (b), (c), (d) and (m) to run
const shards = [1, 2, 3, 4].map((n) => join(dir, `model-0000${n}-of-00004.bin`));
shards.forEach((s) => makeFile(s, 256 * MIB));
const home = /[dr]/.test(CASES) ? [1, 2, 3, 4].map((n) => join(dir, `home-0000${n}-of-00004.bin`)) : [];
home.forEach((s) => makeFile(s, 512 * MIB));
const RUNS = Number(process.env.BENCH_RUNS || 3);

async function wipeHub() {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/hub`, { method: 'DELETE' });
  if (!res.ok) throw new Error(`wiping the sandbox Hub: ${res.status}`);
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--enable-precise-memory-info'] });

// CPU seconds used so far by Chromium's processes and by the sandbox (Linux /proc; utime +
// stime in clock ticks of 1/100 s): the machine has two cores, and both clients are bound by them.
function cpu() {
  const used = { chromium: 0, sandbox: 0 };
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    let stat;
    try { stat = readFileSync(`/proc/${pid}/stat`, 'utf8'); } catch { continue; }
    const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    if (name.startsWith('chrom')) used.chromium += ticks / 100;
    if (name === 'sandbox') used.sandbox += ticks / 100;
  }
  return used;
}
const spent = (before) => { const now = cpu(); return { chromium: now.chromium - before.chromium, sandbox: now.sandbox - before.sandbox }; };

async function flockboard(files, label) {
  const context = await browser.newContext();
  await context.addInitScript(({ token, hub }) => {
    localStorage.setItem('flockboard.settings', JSON.stringify({ hf_token: token, hf_token_origin: hub, hub_base: `${hub}/` }));
    addEventListener('TrunkApplicationStarted', (e) => { window.__wasm = e.detail.wasm; });
  }, { token: TOKEN, hub: new URL(HUB_URL).origin });
  const page = await context.newPage();
  await page.goto(`${APP_URL}?view=upload`);
  await page.getByTestId('pick-files').setInputFiles(files);
  await page.getByTestId('repo-input').fill(`alice/bench-fb-${label}-${Date.now()}`);
  await page.waitForFunction(() => !document.querySelector('[data-testid=start-upload]').disabled, null, { timeout: 120000 });
  const baseline = await page.evaluate(() => window.__wasm.memory.buffer.byteLength);
  const heapBaseline = await page.evaluate(() => performance.memory.usedJSHeapSize);
  await page.evaluate(() => {
    window.__peak = window.__wasm.memory.buffer.byteLength;
    window.__heapPeak = performance.memory.usedJSHeapSize;
    window.__poll = setInterval(() => {
      window.__peak = Math.max(window.__peak, window.__wasm.memory.buffer.byteLength);
      window.__heapPeak = Math.max(window.__heapPeak, performance.memory.usedJSHeapSize);
    }, 50);
  });
  // Timed inside the page, as huggingface.js is: from just before the click to the moment the
  // result is in the document.
  const t0 = await page.evaluate(() => {
    new MutationObserver((_, observer) => {
      if (document.querySelector('[data-testid=upload-done], [data-testid=upload-error]')) {
        window.__doneAt = performance.now();
        observer.disconnect();
      }
    }).observe(document.body, { childList: true, subtree: true });
    return performance.now();
  });
  const before = cpu();
  await page.getByTestId('start-upload').click();
  await page.waitForSelector('[data-testid=upload-done], [data-testid=upload-error]', { timeout: 600000 });
  const used = spent(before);
  const ms = await page.evaluate((t0) => window.__doneAt - t0, t0);
  const error = await page.locator('[data-testid=upload-error]').count();
  if (error) throw new Error(await page.getByTestId('upload-error').innerText());
  const peak = await page.evaluate(() => window.__peak);
  const heapPeak = await page.evaluate(() => window.__heapPeak);
  const done = await page.getByTestId('upload-done').innerText();
  const trace = await page.evaluate(`(${timeline})(${t0})`);
  const firstPut = await page.evaluate(`(${firstPutAt})(${t0})`);
  await context.close();
  return { ms, growth: peak - baseline, heapGrowth: heapPeak - heapBaseline, trace, firstPut, used, done: done.replace(/\s+/g, ' ') };
}

async function hfjs(files, label) {
  const page = await browser.newPage();
  await page.goto(HFJS_URL);
  await page.waitForFunction(() => window.ready);
  await page.setInputFiles('#files', files);
  const before = cpu();
  const ms = await page.evaluate(([hub, token, repo]) => window.uploadWithHfJs(hub, token, repo), [HUB_URL, TOKEN, `alice/bench-hf-${label}-${Date.now()}`]);
  const used = spent(before);
  const trace = await page.evaluate(`(${timeline})(window.t0)`);
  const firstPut = await page.evaluate(`(${firstPutAt})(window.t0)`);
  await page.close();
  return { ms, trace, firstPut, used };
}

// Milliseconds for flockboard's hashing worker to hash `files` (one worker: three or more files
// go side by side in its SIMD lanes), worker start-up included.
async function workerHash(files) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${APP_URL}?view=settings`);
  await page.evaluate(() => { const i = document.createElement('input'); i.type = 'file'; i.multiple = true; i.id = 'bench-file'; document.body.append(i); });
  await page.setInputFiles('#bench-file', files);
  const ms = await page.evaluate(() => new Promise((resolve, reject) => {
    // The SIMD hashing module, as the page gives it to the worker in a browser with SIMD.
    const glue = new URL('./hash_worker.js', location.href).href;
    const wasm = new URL('./hash_worker_bg.wasm', location.href).href;
    const worker = new Worker('./hash-worker.js', { type: 'module' });
    const files = [...document.getElementById('bench-file').files];
    let left = files.length;
    let start;
    worker.onmessage = (e) => {
      if (e.data.oid && --left === 0) { resolve(performance.now() - start); worker.terminate(); }
      if (e.data.error) reject(new Error(e.data.error));
    };
    start = performance.now();
    worker.postMessage({ glue, wasm, files, lanes: 4 });
  }));
  await context.close();
  return ms;
}

// Where the time went: the page's own resource timings (fetches from the page; the hashing
// workers read files and send nothing), grouped by kind, in ms from the click.
function timeline(t0) {
  const kinds = {};
  for (const e of performance.getEntriesByType('resource')) {
    const path = new URL(e.name).pathname;
    const kind = path.includes('/preupload/') ? 'preupload'
      : path.endsWith('/objects/batch') ? 'batch'
      : path.includes('/__storage/complete') ? 'complete'
      : path.includes('/__storage/') ? 'put'
      : path.includes('/commit/') ? 'commit' : null;
    if (!kind) continue;
    (kinds[kind] ||= []).push([e.startTime - t0, e.responseEnd - t0]);
  }
  return Object.entries(kinds).map(([k, v]) => `${k} ×${v.length} ${Math.round(Math.min(...v.map((x) => x[0])))}–${Math.round(Math.max(...v.map((x) => x[1])))}`).join(', ');
}

// When the first byte left for storage: the start of the first storage PUT, in ms from t0.
function firstPutAt(t0) {
  const starts = performance.getEntriesByType('resource')
    .filter((e) => new URL(e.name).pathname.includes('/__storage/') && !new URL(e.name).pathname.includes('/__storage/complete'))
    .map((e) => e.startTime - t0);
  return starts.length ? Math.min(...starts) : NaN;
}

const mibps = (bytes, ms) => (bytes / MIB) / (ms / 1000);
const hashMs = await workerHash([big]);
const lanesMs = await workerHash(shards);
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
const rows = [];
const UPLINK = 100; // MiB/s for (c)
async function uplink(mibPerS) {
  const config = await (await fetch(`${SANDBOX_URL}/__sandbox/hub`)).json();
  const res = await fetch(`${SANDBOX_URL}/__sandbox/hub`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...config, storage_mib_per_s: mibPerS }) });
  if (!res.ok) throw new Error(`setting the uplink: ${res.status}`);
}
for (const [label, files] of [['a', [big]], ['b', shards], ['c', shards]].filter(([l]) => CASES.includes(l))) {
  // (c) is (b) over a simulated uplink: storage answers each PUT only once its bytes would have
  // gone through a link of UPLINK MiB/s shared by all PUTs, as on a real network.
  await uplink(label === 'c' ? UPLINK : 0);
  const ours = [];
  const theirs = [];
  // Alternate who goes first, so that neither always meets a warmer cache.
  for (let run = 0; run < RUNS; run++) {
    const order = run % 2 ? ['hf', 'fb'] : ['fb', 'hf'];
    for (const who of order) {
      await wipeHub();
      if (who === 'fb') ours.push(await flockboard(files, label));
      else theirs.push(await hfjs(files, label));
    }
  }
  rows.push({ label, bytes: 1024 * MIB, ours, theirs });
}
// (d) a home uplink: 2 GiB in four 512 MiB shards over 10 MiB/s (a 7–8 B fine-tune is ~8x this).
const HOME_UPLINK = 10;
let homeRow = null;
if (CASES.includes('d')) {
  await uplink(HOME_UPLINK);
  const ours = [];
  const theirs = [];
  for (let run = 0; run < RUNS; run++) {
    for (const who of run % 2 ? ['hf', 'fb'] : ['fb', 'hf']) {
      await wipeHub();
      if (who === 'fb') ours.push(await flockboard(home, 'd'));
      else theirs.push(await hfjs(home, 'd'));
    }
  }
  await uplink(0);
  homeRow = { ours, theirs };
}
// (r) resuming: the 2 GiB folder of (d), of which an interrupted upload had stored the first two
// shards and hashed all four (as it does in its first seconds). In one browser profile (its
// local storage holds the hashes, as after a reload): all four go up once (hashes kept), the Hub
// is wiped, the first two go up again; then, over the 10 MiB/s uplink, the four are picked and
// started, and the time to the first byte of a new shard is taken, from the pick and from the click.
let resume = null;
if (CASES.includes('r')) {
  await uplink(0);
  const context = await browser.newContext();
  await context.addInitScript(({ token, hub }) => {
    if (!localStorage.getItem('flockboard.settings')) {
      localStorage.setItem('flockboard.settings', JSON.stringify({ hf_token: token, hf_token_scope: `${hub}/`, hub_base: `${hub}/` }));
    }
  }, { token: TOKEN, hub: new URL(HUB_URL).origin });
  const page = await context.newPage();
  const repo = `alice/bench-resume-${Date.now()}`;
  const send = async (files, to) => {
    await page.goto(`${APP_URL}?view=upload`);
    await page.getByTestId('pick-files').setInputFiles(files);
    await page.getByTestId('repo-input').fill(to);
    await page.waitForFunction(() => !document.querySelector('[data-testid=start-upload]').disabled, null, { timeout: 120000 });
    await page.getByTestId('start-upload').click();
    await page.waitForSelector('[data-testid=upload-done], [data-testid=upload-error]', { timeout: 600000 });
    if (await page.locator('[data-testid=upload-error]').count()) throw new Error(await page.getByTestId('upload-error').innerText());
  };
  await wipeHub();
  await send(home, `${repo}-hashes`);
  await wipeHub();
  await send(home.slice(0, 2), repo);
  await uplink(HOME_UPLINK);
  await page.goto(`${APP_URL}?view=upload`);
  const picked = await page.evaluate(() => performance.now());
  await page.getByTestId('pick-files').setInputFiles(home);
  await page.getByTestId('repo-input').fill(repo);
  await page.waitForFunction(() => !document.querySelector('[data-testid=start-upload]').disabled, null, { timeout: 120000 });
  const clicked = await page.evaluate(() => performance.now());
  await page.getByTestId('start-upload').click();
  // The first PUT of this upload: only shards 3 and 4 are missing on the Hub.
  await page.waitForFunction(() => performance.getEntriesByType('resource').some((e) => e.name.includes('/__storage/') && !e.name.includes('/__storage/complete')), null, { polling: 20, timeout: 120000 });
  const first = await page.evaluate(() => Math.min(...performance.getEntriesByType('resource').filter((e) => e.name.includes('/__storage/') && !e.name.includes('/__storage/complete')).map((e) => e.startTime)));
  const states = await page.getByTestId('file-state').allInnerTexts();
  await page.getByTestId('cancel-upload').click();
  await page.waitForSelector('[data-testid=upload-error]', { timeout: 60000 });
  await context.close();
  await uplink(0);
  resume = { fromPick: first - picked, fromClick: first - clicked, states };
}
// (m) memory: 300 regular files of 9 MiB (2.6 GiB inline, no LFS): flockboard reads one file at
// a time into a Blob body built once per commit, at most 100 MiB of files per commit.
let many = null;
if (CASES.includes('m')) {
  await uplink(0);
  const files = Array.from({ length: 300 }, (_, n) => join(dir, `part-${String(n).padStart(3, '0')}.txt`));
  // Text (hex digits): the Hub keeps text under 10 MiB as regular files (binary ones go LFS).
  files.forEach((f) => writeFileSync(f, randomBytes(4.5 * MIB).toString('hex')));
  await wipeHub();
  many = await flockboard(files, 'm');
  files.forEach((f) => rmSync(f));
}
await browser.close();
rmSync(dir, { recursive: true, force: true });

console.log(`SHA-256 in one flockboard hashing worker, start-up included: one 1 GiB file ${mibps(1024 * MIB, hashMs).toFixed(0)} MiB/s;`);
console.log(`four 256 MiB files side by side (SIMD lanes) ${mibps(1024 * MIB, lanesMs).toFixed(0)} MiB/s (${(hashMs / lanesMs).toFixed(2)}x)`);
console.log('');
const secs = (runs) => runs.map((r) => `${(r.ms / 1000).toFixed(1)} (CPU ${r.used.chromium.toFixed(1)}+${r.used.sandbox.toFixed(1)})`).join(' ');
console.log(`Median of ${RUNS} runs each, alternating which client goes first:`);
console.log('');
console.log('| upload to the sandbox Hub          | flockboard         | huggingface.js     | speed ratio | wasm growth |');
console.log('|------------------------------------|--------------------|--------------------|-------------|-------------|');
for (const r of rows) {
  const name = { a: '(a) one 1 GiB file', b: '(b) four 256 MiB shards', c: `(c) (b) over a ${UPLINK} MiB/s uplink` }[r.label];
  const ours = median(r.ours.map((x) => x.ms));
  const theirs = median(r.theirs.map((x) => x.ms));
  const growth = Math.max(...r.ours.map((x) => x.growth));
  console.log(`| ${name.padEnd(34)} | ${(ours / 1000).toFixed(1).padStart(5)} s ${mibps(r.bytes, ours).toFixed(0).padStart(4)} MiB/s | ${(theirs / 1000).toFixed(1).padStart(5)} s ${mibps(r.bytes, theirs).toFixed(0).padStart(4)} MiB/s | ${(theirs / ours).toFixed(2).padStart(10)}x | ${(growth / MIB).toFixed(1).padStart(7)} MiB |`);
}
if (many) {
  console.log(`| (m) 300 regular files of 9 MiB     | ${(many.ms / 1000).toFixed(1).padStart(5)} s ${mibps(300 * 9 * MIB, many.ms).toFixed(0).padStart(4)} MiB/s | (not run)          |             | ${(many.growth / MIB).toFixed(1).padStart(7)} MiB |`);
  console.log(`(m) ${many.done}`);
}
if (homeRow) {
  // The floor for any client: every byte through the uplink, after the first shard is hashed
  // (one 512 MiB file at one worker's single-file speed, measured above).
  const firstHash = (512 * MIB) / (1024 * MIB / hashMs);
  const ideal = (2048 / HOME_UPLINK) * 1000 + firstHash;
  const ours = median(homeRow.ours.map((x) => x.ms));
  const theirs = median(homeRow.theirs.map((x) => x.ms));
  const first = (runs) => median(runs.map((x) => x.firstPut));
  console.log(`| (d) 4 × 512 MiB over ${HOME_UPLINK} MiB/s       | ${(ours / 1000).toFixed(1).padStart(5)} s ${mibps(2048 * MIB, ours).toFixed(1).padStart(4)} MiB/s | ${(theirs / 1000).toFixed(1).padStart(5)} s ${mibps(2048 * MIB, theirs).toFixed(1).padStart(4)} MiB/s | ${(theirs / ours).toFixed(2).padStart(10)}x | ${(Math.max(...homeRow.ours.map((x) => x.growth)) / MIB).toFixed(1).padStart(7)} MiB |`);
  console.log(`(d) ideal ${(ideal / 1000).toFixed(1)} s (2048 MiB / ${HOME_UPLINK} MiB/s + ${(firstHash / 1000).toFixed(1)} s to hash one shard): flockboard ${(ours / ideal).toFixed(3)}x the ideal, huggingface.js ${(theirs / ideal).toFixed(3)}x;`);
  console.log(`(d) first byte to storage after ${(first(homeRow.ours) / 1000).toFixed(1)} s (flockboard) and ${(first(homeRow.theirs) / 1000).toFixed(1)} s (huggingface.js);`);
  console.log(`(d) flockboard's growth over the upload: wasm memory ${(Math.max(...homeRow.ours.map((x) => x.growth)) / MIB).toFixed(1)} MiB, JS heap ${(Math.max(...homeRow.ours.map((x) => x.heapGrowth)) / MIB).toFixed(1)} MiB (peaks).`);
  rows.push({ label: 'd', ours: homeRow.ours, theirs: homeRow.theirs });
}
if (resume) {
  console.log(`(r) resuming the 2 GiB folder with two shards stored: first new byte ${(resume.fromPick / 1000).toFixed(2)} s after the pick, ${(resume.fromClick / 1000).toFixed(2)} s after the click on Upload (files then: ${resume.states.join(' / ')})`);
}
console.log('(speed ratio = huggingface.js median time / flockboard median time; above 1 means flockboard is faster;');
console.log(' wasm growth = the most flockboard\'s wasm memory grew during any run)');
console.log('');
console.log('Every run: seconds (CPU seconds of Chromium + of the sandbox), and where the last run\'s time went (ms from the start):');
for (const r of rows) {
  console.log(`(${r.label}) flockboard:     ${secs(r.ours)} | ${r.ours.at(-1).trace}`);
  console.log(`(${r.label}) huggingface.js: ${secs(r.theirs)} | ${r.theirs.at(-1).trace}`);
}
