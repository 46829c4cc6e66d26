// flockboard's proxy as a Cloudflare Worker: for a page on a static host (GitHub Pages, say)
// when the FLock API (or the Hugging Face Hub's API) does not allow the page's origin.
//
// Plain JavaScript, no build step. Configure in wrangler.toml ([vars]), deploy with
// `npx wrangler deploy`, then set flockboard's FLock API address to
// `https://<worker-host>/api/v1/` (and the Hub address to `https://<worker-host>/hf/`).
//
// What it does, and no more:
// - forwards only the routes and methods the page uses (everything else: 404 or 405);
// - forwards only the request headers each service reads: `flock-api-key` and `content-type`
//   to the FLock API; `authorization`, `content-type`, `accept` and `range` to the Hub;
// - answers CORS preflights and requests only for the origins in ALLOWED_ORIGINS (exact
//   matches, never `*`: keys travel through it); any other origin gets 403 and nothing is
//   forwarded;
// - refuses bodies over MAX_BODY_BYTES (FLock) or MAX_HUB_BODY_BYTES (Hub) with 413;
// - passes the answer's status and body back with only its content type, range and
//   redirect target (no cookies);
// - logs nothing (no console calls at all), so no header can end up in a log.

/** Routes of the FLock fed-ledger API the page calls: [method, path pattern]. */
const FLOCK_ROUTES = [
  ['GET', /^\/api\/v1\/health$/],
  ['GET', /^\/api\/v1\/tasks\/(get|list|wallet-submissions)$/],
  ['POST', /^\/api\/v1\/tasks\/submit-result$/],
  ['GET', /^\/api\/v1\/stats\/(emissions|models|validators)$/],
  ['GET', /^\/api\/v1\/stats\/(submissions|achievements|enrolled-tasks)\/0x[0-9a-fA-F]{40}$/],
];

const NAME = '[A-Za-z0-9][A-Za-z0-9._-]*';

/** Routes of the Hub's API the upload calls, under /hf/. */
const HUB_ROUTES = [
  ['GET', /^\/hf\/api\/whoami-v2$/],
  ['POST', /^\/hf\/api\/repos\/create$/],
  ['POST', new RegExp(`^/hf/api/models/${NAME}/${NAME}/preupload/[^/]+$`)],
  ['POST', new RegExp(`^/hf/api/models/${NAME}/${NAME}/commit/[^/]+$`)],
  ['POST', new RegExp(`^/hf/${NAME}/${NAME}\\.git/info/lfs/objects/batch$`)],
  ['POST', /^\/hf\/api\/complete_multipart(\/[0-9a-f]{64})?$/],
  // What the checks before submitting and a lost commit's recovery read: model info, a
  // revision, its history and tree, a file or a Range of it.
  ['GET', new RegExp(`^/hf/api/models/${NAME}/${NAME}(/(revision|commits|tree)/.+)?$`)],
  ['GET', new RegExp(`^/hf/${NAME}/${NAME}/resolve/[^/]+/.+$`)],
];

const SERVICES = {
  flock: {
    routes: FLOCK_ROUTES,
    upstream: (env) => env.FLOCK_UPSTREAM || 'https://fed-ledger-prod.flock.io',
    strip: '',
    headers: ['flock-api-key', 'content-type'],
    limit: (env) => Number(env.MAX_BODY_BYTES || 65536),
  },
  hub: {
    routes: HUB_ROUTES,
    upstream: (env) => env.HUB_UPSTREAM || 'https://huggingface.co',
    strip: '/hf',
    headers: ['authorization', 'content-type', 'accept', 'range'],
    limit: (env) => Number(env.MAX_HUB_BODY_BYTES || 64 * 1024 * 1024),
  },
};

function allowedOrigins(env) {
  return String(env.ALLOWED_ORIGINS || '')
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o && o !== '*');
}

function plain(status, text, extra = {}) {
  return new Response(text, { status, headers: { 'content-type': 'text/plain; charset=utf-8', ...extra } });
}

/** The service a path belongs to, and whether the method is one it takes there. */
function route(method, path) {
  for (const [name, service] of Object.entries(SERVICES)) {
    const matches = service.routes.filter(([, pattern]) => pattern.test(path));
    if (matches.length) {
      return { name, service, methods: matches.map(([m]) => m) };
    }
  }
  return null;
}

export default {
  async fetch(request, env) {
    const url = new URL(request.url);
    const origin = request.headers.get('origin');
    const found = route(request.method === 'OPTIONS'
      ? request.headers.get('access-control-request-method') || 'GET'
      : request.method, url.pathname);
    if (!found) return plain(404, 'Not a route flockboard uses.\n');
    if (!origin || !allowedOrigins(env).includes(origin)) {
      return plain(403, 'This proxy serves only the flockboard pages it was set up for.\n', { vary: 'Origin' });
    }
    const cors = {
      'access-control-allow-origin': origin,
      vary: 'Origin',
    };
    const wanted = request.method === 'OPTIONS'
      ? (request.headers.get('access-control-request-method') || '').toUpperCase()
      : request.method;
    if (!found.methods.includes(wanted)) {
      return plain(405, 'Method not allowed here.\n', { ...cors, allow: found.methods.join(', ') });
    }
    if (request.method === 'OPTIONS') {
      return new Response(null, {
        status: 204,
        headers: {
          ...cors,
          'access-control-allow-methods': found.methods.join(', '),
          'access-control-allow-headers': found.service.headers.join(', '),
          'access-control-max-age': '600',
        },
      });
    }

    const headers = new Headers();
    for (const name of found.service.headers) {
      const value = request.headers.get(name);
      if (value !== null) headers.set(name, value);
    }
    let body;
    if (request.method === 'POST') {
      const limit = found.service.limit(env);
      const declared = Number(request.headers.get('content-length') || 0);
      if (declared > limit) return plain(413, 'Request body too large.\n', cors);
      body = await request.arrayBuffer();
      if (body.byteLength > limit) return plain(413, 'Request body too large.\n', cors);
    }
    const upstream = found.service.upstream(env).replace(/\/+$/, '');
    const target = upstream + url.pathname.slice(found.service.strip.length) + url.search;
    let answer;
    try {
      answer = await fetch(target, { method: request.method, headers, body, redirect: 'manual' });
    } catch {
      return plain(502, `The ${found.name === 'hub' ? 'Hub' : 'FLock API'} could not be reached.\n`, cors);
    }
    const out = { ...cors };
    // The content type; for a file read, its range; for a redirect to the Hub's file CDN,
    // where (the browser follows it there: the CDN allows CORS).
    for (const name of ['content-type', 'content-range', 'location']) {
      const value = answer.headers.get(name);
      if (value) out[name] = value;
    }
    return new Response(answer.body, { status: answer.status, headers: out });
  },
};
