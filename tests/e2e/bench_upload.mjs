// Upload bench (run through tests/bench/upload.sh): in headless Chromium against the sandbox Hub,
//  - SHA-256 throughput of flockboard's hashing worker on a 1 GiB file;
//  - end-to-end upload of (a) one 1 GiB file and (b) a folder of four 256 MiB shards, by
//    flockboard and by huggingface.js (@huggingface/hub, Xet off) in the same browser;
//  - flockboard's peak wasm memory growth during the upload.
import { chromium } from 'playwright-core';
import { mkdtempSync, openSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomFillSync } from 'node:crypto';

const { APP_URL, HFJS_URL, HUB_URL } = process.env;
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

// Each client gets its own random files: the Hub stores objects by content, so a second client
// uploading the same bytes would find them already stored and send nothing.
const dir = mkdtempSync(join(tmpdir(), 'flockboard-bench-'));
const sets = {};
for (const who of ['fb', 'hf']) {
  const big = join(dir, `${who}-model-1gib.bin`); // random bytes: not a valid .safetensors
  makeFile(big, 1024 * MIB);
  const shards = [1, 2, 3, 4].map((n) => join(dir, `${who}-model-0000${n}-of-00004.bin`));
  shards.forEach((s) => makeFile(s, 256 * MIB));
  sets[who] = { big, shards };
}

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

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
  await page.evaluate(() => {
    window.__peak = window.__wasm.memory.buffer.byteLength;
    window.__poll = setInterval(() => { window.__peak = Math.max(window.__peak, window.__wasm.memory.buffer.byteLength); }, 50);
  });
  const start = Date.now();
  await page.getByTestId('start-upload').click();
  await page.waitForSelector('[data-testid=upload-done], [data-testid=upload-error]', { timeout: 600000 });
  const ms = Date.now() - start;
  const error = await page.locator('[data-testid=upload-error]').count();
  if (error) throw new Error(await page.getByTestId('upload-error').innerText());
  const peak = await page.evaluate(() => window.__peak);
  await context.close();
  return { ms, growth: peak - baseline };
}

async function hfjs(files, label) {
  const page = await browser.newPage();
  await page.goto(HFJS_URL);
  await page.waitForFunction(() => window.ready);
  await page.setInputFiles('#files', files);
  const ms = await page.evaluate(([hub, token, repo]) => window.uploadWithHfJs(hub, token, repo), [HUB_URL, TOKEN, `alice/bench-hf-${label}-${Date.now()}`]);
  await page.close();
  return { ms };
}

async function workerHash(file) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${APP_URL}?view=settings`);
  await page.evaluate(() => { const i = document.createElement('input'); i.type = 'file'; i.id = 'bench-file'; document.body.append(i); });
  await page.setInputFiles('#bench-file', file);
  const ms = await page.evaluate(() => new Promise((resolve, reject) => {
    const glue = new URL(document.querySelector('link[rel=modulepreload]').getAttribute('href'), location.href).href;
    const wasm = new URL(document.querySelector('link[rel=preload][as=fetch]').getAttribute('href'), location.href).href;
    const worker = new Worker('./hash-worker.js', { type: 'module' });
    const file = document.getElementById('bench-file').files[0];
    let start;
    worker.onmessage = (e) => {
      if (e.data.oid) { resolve(performance.now() - start); worker.terminate(); }
      if (e.data.error) reject(new Error(e.data.error));
    };
    start = performance.now();
    worker.postMessage({ glue, wasm, file });
  }));
  await context.close();
  return ms;
}

const mibps = (bytes, ms) => (bytes / MIB) / (ms / 1000);
const hashMs = await workerHash(sets.fb.big);
const rows = [];
for (const [label, pick] of [['a', (s) => [s.big]], ['b', (s) => s.shards]]) {
  const ours = await flockboard(pick(sets.fb), label);
  const theirs = await hfjs(pick(sets.hf), label);
  rows.push({ label, bytes: 1024 * MIB, ours, theirs });
}
await browser.close();

console.log(`SHA-256 in flockboard's worker (1 GiB file, includes worker start-up): ${mibps(1024 * MIB, hashMs).toFixed(0)} MiB/s`);
console.log('');
console.log('| upload to the sandbox Hub              | flockboard      | huggingface.js  | speed ratio | wasm growth |');
console.log('|----------------------------------------|-----------------|-----------------|-------------|-------------|');
for (const r of rows) {
  const name = r.label === 'a' ? '(a) one 1 GiB file' : '(b) four 256 MiB shards';
  console.log(`| ${name.padEnd(38)} | ${(r.ours.ms / 1000).toFixed(1).padStart(5)} s ${mibps(r.bytes, r.ours.ms).toFixed(0).padStart(4)} MiB/s | ${(r.theirs.ms / 1000).toFixed(1).padStart(5)} s ${mibps(r.bytes, r.theirs.ms).toFixed(0).padStart(4)} MiB/s | ${(r.theirs.ms / r.ours.ms).toFixed(2).padStart(10)}x | ${(r.ours.growth / MIB).toFixed(1).padStart(7)} MiB |`);
}
console.log('(speed ratio = huggingface.js time / flockboard time; above 1 means flockboard is faster)');
