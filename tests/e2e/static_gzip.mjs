// A static file server that gzips what it serves (level 6, as nginx's gzip and most CDNs do),
// for benches that want the bytes a real host sends. Usage: node static_gzip.mjs ROOT PORT
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { join, normalize, extname } from 'node:path';
import { gzipSync } from 'node:zlib';

const [root, port] = process.argv.slice(2);
const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.mjs': 'text/javascript',
  '.css': 'text/css', '.wasm': 'application/wasm', '.json': 'application/json',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon',
};
const cache = new Map();

createServer(async (req, res) => {
  const path = normalize(decodeURIComponent(new URL(req.url, 'http://x').pathname)).replace(/^(\.\.[/\\])+/, '');
  let file = join(root, path);
  try {
    if ((await stat(file)).isDirectory()) file = join(file, 'index.html');
    const type = TYPES[extname(file)] || 'application/octet-stream';
    const gzip = /\bgzip\b/.test(req.headers['accept-encoding'] || '') && !type.startsWith('image/');
    const key = `${file}:${gzip}`;
    if (!cache.has(key)) {
      const body = await readFile(file);
      cache.set(key, gzip ? gzipSync(body, { level: 6 }) : body);
    }
    const body = cache.get(key);
    res.writeHead(200, {
      'content-type': type,
      'content-length': body.length,
      'cache-control': 'no-cache',
      ...(gzip ? { 'content-encoding': 'gzip', vary: 'accept-encoding' } : {}),
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  } catch {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found');
  }
}).listen(Number(port), '127.0.0.1');
