// Run deploy/worker/worker.js locally in workerd (the Workers runtime, from miniflare's npm
// package), as `wrangler dev` would, until SIGTERM or SIGINT.
//
// Environment: WORKER_PORT (listen on 127.0.0.1), ALLOWED_ORIGINS, FLOCK_UPSTREAM, HUB_UPSTREAM,
// and optionally MAX_BODY_BYTES / MAX_HUB_BODY_BYTES (else the values in wrangler.toml).

import { Miniflare } from 'miniflare';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const folder = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy', 'worker');
// The [vars] of wrangler.toml (flat `KEY = "value"` lines), overridden by the environment.
const vars = {};
let inVars = false;
for (const line of readFileSync(join(folder, 'wrangler.toml'), 'utf8').split('\n')) {
  const trimmed = line.trim();
  if (trimmed.startsWith('[')) inVars = trimmed === '[vars]';
  const m = inVars && trimmed.match(/^([A-Z_]+)\s*=\s*"(.*)"$/);
  if (m) vars[m[1]] = process.env[m[1]] ?? m[2];
}
const mf = new Miniflare({
  modules: true,
  scriptPath: join(folder, 'worker.js'),
  compatibilityDate: '2025-06-01',
  bindings: vars,
  host: '127.0.0.1',
  port: Number(process.env.WORKER_PORT || 18190),
});
const ready = await mf.ready;
console.log(`worker: ${ready} (upstreams ${vars.FLOCK_UPSTREAM}, ${vars.HUB_UPSTREAM}; origins ${vars.ALLOWED_ORIGINS})`);
const stop = async () => { await mf.dispose(); process.exit(0); };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
