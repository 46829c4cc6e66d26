// First-render bench (run through tests/bench/first_render.sh): the time from navigation until
// the first open task's title is in the page, for flockboard's release page and for a
// hand-written plain-JS baseline (tests/bench/first_render_baseline.html) that fetches the same
// list from the same sandbox API — both served gzip-compressed by the same static server, each
// run in a fresh browser context (cold cache), on two emulated networks (Chromium DevTools
// Protocol: Network.emulateNetworkConditions, Emulation.setCPUThrottlingRate), alternating which
// page goes first; medians of BENCH_RUNS runs (default 5). Also the bytes of code (wasm + js +
// css, as sent, compressed) each page fetched.
import { chromium } from 'playwright-core';

const { APP_URL, BASELINE_URL, API_URL } = process.env;
const RUNS = Number(process.env.BENCH_RUNS || 5);
const NETWORKS = [
  { name: '20 Mbit/s, 40 ms RTT', bits: 20e6, latency: 40, cpu: 1 },
  { name: '5 Mbit/s, 100 ms RTT, CPU 4x slower', bits: 5e6, latency: 100, cpu: 4 },
];

const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'] });

async function firstRender(url, net) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: net.latency,
    downloadThroughput: net.bits / 8,
    uploadThroughput: net.bits / 8,
  });
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: net.cpu });
  await page.goto(url, { waitUntil: 'commit' });
  await page.waitForSelector('[data-testid=task-link]', { timeout: 120000 });
  // performance.now() counts from the navigation's start.
  const ms = await page.evaluate(() => performance.now());
  const code = await page.evaluate(() => performance.getEntriesByType('resource')
    .filter((e) => /\.(wasm|js|css)$/.test(new URL(e.name).pathname))
    .reduce((sum, e) => sum + e.encodedBodySize, 0));
  await context.close();
  return { ms, code };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rows = [];
for (const net of NETWORKS) {
  const ours = [];
  const base = [];
  for (let run = 0; run < RUNS; run++) {
    for (const who of run % 2 ? ['base', 'ours'] : ['ours', 'base']) {
      if (who === 'ours') ours.push(await firstRender(APP_URL, net));
      else base.push(await firstRender(`${BASELINE_URL}?api=${encodeURIComponent(API_URL)}`, net));
    }
  }
  rows.push({ net, ours, base });
}
await browser.close();

console.log(`First render: navigation → first open task's title in the page; median of ${RUNS} runs each, cold cache, alternating:`);
console.log('');
console.log('| network (Chromium emulation)          | flockboard | plain JS | ratio | code fetched (flockboard / plain JS) |');
console.log('|---------------------------------------|-----------:|---------:|------:|--------------------------------------|');
for (const { net, ours, base } of rows) {
  const a = median(ours.map((r) => r.ms));
  const b = median(base.map((r) => r.ms));
  console.log(`| ${net.name.padEnd(37)} | ${a.toFixed(0).padStart(7)} ms | ${b.toFixed(0).padStart(5)} ms | ${(a / b).toFixed(2)}x | ${(median(ours.map((r) => r.code)) / 1000).toFixed(0)} KB / ${(median(base.map((r) => r.code)) / 1000).toFixed(1)} KB gzip (its script is inline) |`);
}
console.log('');
for (const { net, ours, base } of rows) {
  console.log(`${net.name}: flockboard ${ours.map((r) => r.ms.toFixed(0)).join(' ')} ms; plain JS ${base.map((r) => r.ms.toFixed(0)).join(' ')} ms`);
}
