// ticketsd serving the built app (WEB_ROOT), checked over plain HTTP: the headers every page
// gets, caching and ETags, the precompressed gzip files, client routes and missing files.
import { readFileSync } from 'node:fs';
import { get } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; " +
  "media-src 'self' blob:; worker-src 'self' blob:; font-src 'self'; object-src 'none'; base-uri 'none'; " +
  "form-action 'self'; frame-ancestors 'none'";

function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/** GET without any decoding: { status, headers, body (Buffer) }. */
function raw(url, headers = {}) {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

function securityHeaders(answer, what) {
  const h = answer.headers;
  assert(h['content-security-policy'] === CSP, `${what}: CSP ${h['content-security-policy']}`);
  assert(h['x-frame-options'] === 'DENY', `${what}: X-Frame-Options ${h['x-frame-options']}`);
  assert(h['referrer-policy'] === 'no-referrer', `${what}: Referrer-Policy ${h['referrer-policy']}`);
  assert(/^camera=\(self\)/.test(h['permissions-policy'] ?? ''), `${what}: Permissions-Policy ${h['permissions-policy']}`);
}

export async function serving({ base }, dist) {
  const index = readFileSync(join(dist, 'index.html'));
  const page = await raw(`${base}/`);
  assert(page.status === 200 && page.body.equals(index), `/ is index.html (${page.status})`);
  assert(/^text\/html/.test(page.headers['content-type']), `index.html type: ${page.headers['content-type']}`);
  assert(page.headers['cache-control'] === 'no-cache', `index.html revalidated: ${page.headers['cache-control']}`);
  securityHeaders(page, '/');
  const etag = page.headers.etag;
  assert(/^"[^"]+"$/.test(etag ?? ''), `a strong ETag: ${etag}`);
  const again = await raw(`${base}/`, { 'If-None-Match': etag });
  assert(again.status === 304 && again.body.length === 0, `If-None-Match gives 304: ${again.status}`);

  // The app's routes are answered with index.html; the API's unknown paths are not.
  for (const route of ['/events/1', '/orders/ABC#secret=x', '/admin/events/3', '/door']) {
    const answer = await raw(`${base}${route.replace(/#.*/, '')}`);
    assert(answer.status === 200 && answer.body.equals(index), `${route} is the app (${answer.status})`);
    securityHeaders(answer, route);
  }
  const api = await raw(`${base}/api/no-such-thing`);
  assert(api.status === 404 && /problem\+json/.test(api.headers['content-type']), `/api/… is not the app: ${api.status}`);
  const missing = await raw(`${base}/assets/no-such-file.js`);
  assert(missing.status === 404 && /problem\+json/.test(missing.headers['content-type']), `a missing file: ${missing.status}`);
  securityHeaders(missing, 'a missing file');

  // Hashed assets: cached for a year; gzip (written by scripts/precompress.mjs) when accepted.
  const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
  const entry = Object.values(manifest).find((chunk) => chunk.isEntry).file;
  const source = readFileSync(join(dist, entry));
  const plain = await raw(`${base}/${entry}`);
  assert(plain.status === 200 && plain.body.equals(source), `${entry} as it is`);
  assert(plain.headers['cache-control'] === 'public, max-age=31536000, immutable', `${entry}: ${plain.headers['cache-control']}`);
  assert(!plain.headers['content-encoding'], `${entry} not encoded without Accept-Encoding`);
  securityHeaders(plain, entry);
  const packed = await raw(`${base}/${entry}`, { 'Accept-Encoding': 'gzip' });
  assert(packed.headers['content-encoding'] === 'gzip', `${entry} gzip: ${packed.headers['content-encoding']}`);
  assert(/accept-encoding/i.test(packed.headers.vary ?? ''), `Vary: ${packed.headers.vary}`);
  assert(packed.body.equals(readFileSync(join(dist, `${entry}.gz`))), 'the precompressed file itself');
  assert(gunzipSync(packed.body).equals(source), 'the gzip is the asset');
  assert(packed.headers.etag && packed.headers.etag !== plain.headers.etag, 'each encoding has its own ETag');
  const notModified = await raw(`${base}/${entry}`, { 'Accept-Encoding': 'gzip', 'If-None-Match': packed.headers.etag });
  assert(notModified.status === 304, `If-None-Match on the gzip gives 304: ${notModified.status}`);
}
