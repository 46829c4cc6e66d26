// What the deploy/ recipes promise, checked with plain HTTP against the running recipe and the
// sandbox behind it (the sandbox logs every request it receives, headers included).
//
// Environment: PROXY (nginx or worker), PROXY_URL (its root, e.g. http://127.0.0.1:18085/),
// SANDBOX_URL, PAGE_ORIGIN (worker: the origin allowed to call it).
// Prints one line per check and ends with `proxy: N passed, M failed`; exits 1 on any failure.

import assert from 'node:assert/strict';

const { PROXY, PROXY_URL, SANDBOX_URL, PAGE_ORIGIN } = process.env;
if (!['nginx', 'worker'].includes(PROXY) || !PROXY_URL || !SANDBOX_URL) {
  console.error('PROXY (nginx|worker), PROXY_URL and SANDBOX_URL must be set');
  process.exit(2);
}
const KEY = 'K7Q2M9X4T1B8C6N3P5R0W2Y4Z6A8D1F3';
const ME = '0xB93A9c73751Bbca8E1924954271ee8d4De5747c9';

const control = async (method, path, body) => {
  const res = await fetch(`${SANDBOX_URL}/__sandbox/${path}`, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  if (!res.ok) throw new Error(`sandbox ${method} ${path}: ${res.status}`);
  return res.status === 204 ? null : res.json();
};
const log = () => control('GET', 'log');
const at = (path) => new URL(path, PROXY_URL).href;
/** Headers a browser on the page would send (the Worker wants the page's origin). */
const browserish = (extra = {}) => ({ ...(PROXY === 'worker' ? { origin: PAGE_ORIGIN } : {}), ...extra });

const results = [];
async function check(name, body, only) {
  if (only && only !== PROXY) return;
  await control('POST', 'reset');
  await control('POST', 'cors', { enabled: false });
  try {
    await body();
    results.push(true);
    console.log(`ok   ${PROXY}: ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`FAIL ${PROXY}: ${name}\n     ${String(e.stack || e).split('\n').slice(0, 5).join('\n     ')}`);
  }
}

await check('only the key and the body type reach the API; cookies, auth and the rest stay behind', async () => {
  const res = await fetch(at(`api/v1/tasks/wallet-submissions?task_id=7`), {
    headers: browserish({
      'flock-api-key': KEY,
      cookie: 'session=secret',
      authorization: 'Bearer hf_not_for_flock',
      'x-forwarded-for': '203.0.113.9',
      'user-agent': 'flockboard-proxy-test',
      referer: 'https://example.org/private',
    }),
  });
  assert.equal(res.status, 200);
  const [request] = (await log()).filter((r) => r.path === '/api/v1/tasks/wallet-submissions');
  const names = request.headers.map(([k]) => k);
  assert.ok(request.headers.some(([k, v]) => k === 'flock-api-key' && v === KEY));
  for (const banned of ['cookie', 'authorization', 'x-forwarded-for', 'user-agent', 'referer', 'origin']) {
    assert.ok(!names.includes(banned), `${banned} was forwarded: ${names}`);
  }
  assert.equal(request.query, 'task_id=7', 'the query arrives as sent');
});

await check('a POST body arrives whole, with its type and length', async () => {
  const body = JSON.stringify({ task_id: 8, data: { hg_repo_id: 'alice/m', base_model: 'qwen1.5', gpu_type: 'H100', revision: '0'.repeat(40) } });
  const res = await fetch(at('api/v1/tasks/submit-result'), {
    method: 'POST',
    headers: browserish({ 'flock-api-key': KEY, 'content-type': 'application/json' }),
    body,
  });
  assert.equal(res.status, 200, await res.text());
  const [post] = (await log()).filter((r) => r.method === 'POST');
  assert.ok(post.headers.some(([k, v]) => k === 'content-type' && v === 'application/json'));
  assert.ok(post.headers.some(([k, v]) => k === 'content-length' && Number(v) === body.length));
});

await check('an oversized body is refused before it reaches the API', async () => {
  const res = await fetch(at('api/v1/tasks/submit-result'), {
    method: 'POST',
    headers: browserish({ 'content-type': 'application/json' }),
    body: 'x'.repeat(200 * 1024),
  });
  assert.equal(res.status, 413);
  assert.equal((await log()).length, 0, 'nothing forwarded');
});

await check('the token goes to the Hub under /hf/, and the FLock key does not', async () => {
  const res = await fetch(at('hf/api/whoami-v2'), {
    headers: browserish({ authorization: 'Bearer hf_sandboxWriteTokenAlice0000000000000', 'flock-api-key': KEY }),
  });
  assert.equal(res.status, 200);
  assert.equal((await res.json()).name, 'alice');
  const [whoami] = (await log()).filter((r) => r.path === '/api/whoami-v2');
  assert.ok(whoami.headers.some(([k]) => k === 'authorization'));
  assert.ok(!whoami.headers.some(([k]) => k === 'flock-api-key'), 'no FLock key to the Hub');
});

await check('the checks before submitting read model info and a Range of a file through /hf/', async () => {
  const hf = (path) => fetch(at(`hf/${path}`), { headers: browserish({ authorization: 'Bearer hf_sandboxWriteTokenAlice0000000000000', range: 'bytes=0-1' }) });
  const repo = `alice/proxy-read-${Date.now()}`;
  const created = await fetch(`${process.env.HUB_URL}/api/repos/create`, {
    method: 'POST',
    headers: { authorization: 'Bearer hf_sandboxWriteTokenAlice0000000000000', 'content-type': 'application/json' },
    body: JSON.stringify({ type: 'model', name: repo.split('/')[1], organization: 'alice' }),
  });
  assert.ok(created.ok, `repo created: ${created.status}`);
  const info = await hf(`api/models/${repo}`);
  assert.equal(info.status, 200);
  assert.equal((await info.json()).id, repo);
  const part = await hf(`${repo}/resolve/main/.gitattributes`);
  assert.equal(part.status, 206, 'the Range went through');
  assert.equal((await part.text()).length, 2);
  assert.match(part.headers.get('content-range') || '', /^bytes 0-1\//);
  const [read] = (await log()).filter((r) => r.path.endsWith('/resolve/main/.gitattributes'));
  assert.ok(read.headers.some(([k, v]) => k === 'range' && v === 'bytes=0-1'), 'Range forwarded');
  assert.ok(!read.headers.some(([k]) => k === 'flock-api-key' || k === 'cookie'), 'nothing else');
  const write = await fetch(at(`hf/api/models/${repo}`), { method: 'POST', headers: browserish() });
  assert.ok([403, 404, 405].includes(write.status), `POST to a read route: ${write.status}`);
});

await check('routes the page never calls are not forwarded', async () => {
  for (const [method, path] of [['DELETE', 'api/v1/tasks/list'], ['PUT', 'api/v1/tasks/submit-result'], ['POST', 'hf/api/repos/delete']]) {
    const res = await fetch(at(path), { method, headers: browserish() });
    assert.ok([403, 404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
  }
  assert.deepEqual((await log()).filter((r) => r.method !== 'GET'), [], 'nothing forwarded');
});

// ---- nginx: the static side -------------------------------------------------------------------

await check('index.html is revalidated; hashed assets are immutable; wasm has its type', async () => {
  const index = await fetch(at(''));
  assert.equal(index.status, 200);
  assert.equal(index.headers.get('cache-control'), 'no-cache');
  const html = await index.text();
  const wasm = html.match(/href="\.\/([^"]+_bg\.wasm)"/)?.[1];
  const js = html.match(/href="\.\/(flockboard-[0-9a-f]{8,16}\.js)"/)?.[1];
  assert.ok(wasm && js, 'hashed assets named in index.html');
  const w = await fetch(at(wasm), { headers: { 'accept-encoding': 'identity' } });
  assert.equal(w.headers.get('content-type'), 'application/wasm');
  assert.equal(w.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal((await fetch(at('hash-worker.js'))).headers.get('cache-control'), 'no-cache', 'the unhashed worker script is revalidated');
  assert.equal((await fetch(at(js))).headers.get('cache-control'), 'public, max-age=31536000, immutable');
}, 'nginx');

await check('security headers a <meta> cannot set, on pages and proxied answers alike', async () => {
  for (const path of ['', 'api/v1/health']) {
    const res = await fetch(at(path));
    assert.match(res.headers.get('content-security-policy') || '', /frame-ancestors 'none'/, path);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff', path);
    assert.equal(res.headers.get('referrer-policy'), 'no-referrer', path);
    assert.equal(res.headers.get('set-cookie'), null);
  }
}, 'nginx');

await check('precompressed brotli and gzip files are served when the browser takes them', async () => {
  const html = await (await fetch(at(''))).text();
  const wasm = html.match(/href="\.\/([^"]+_bg\.wasm)"/)?.[1];
  const br = await fetch(at(wasm), { headers: { 'accept-encoding': 'br' } });
  assert.equal(br.headers.get('content-encoding'), 'br');
  assert.equal(br.headers.get('content-type'), 'application/wasm');
  const gz = await fetch(at(wasm), { headers: { 'accept-encoding': 'gzip' } });
  assert.equal(gz.headers.get('content-encoding'), 'gzip');
}, 'nginx');

// ---- Worker: CORS for the configured origins only ---------------------------------------------

await check('preflights are answered for the page\'s origin only, never with *', async () => {
  const ask = (origin) => fetch(at('api/v1/tasks/submit-result'), {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'flock-api-key, content-type' },
  });
  const ok = await ask(PAGE_ORIGIN);
  assert.equal(ok.status, 204);
  assert.equal(ok.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
  assert.match(ok.headers.get('access-control-allow-headers'), /flock-api-key/);
  const other = await ask('https://evil.example');
  assert.equal(other.status, 403);
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  assert.equal((await log()).length, 0, 'preflights are answered by the Worker, not forwarded');
}, 'worker');

await check('a request from another origin, or with none, is refused and not forwarded', async () => {
  for (const headers of [{ origin: 'https://evil.example', 'flock-api-key': KEY }, {}]) {
    const res = await fetch(at(`api/v1/stats/enrolled-tasks/${ME}`), { headers });
    assert.equal(res.status, 403);
  }
  assert.equal((await log()).length, 0);
}, 'worker');

const passed = results.filter(Boolean).length;
console.log(`proxy: ${passed} passed, ${results.length - passed} failed`);
process.exit(passed === results.length ? 0 : 1);
