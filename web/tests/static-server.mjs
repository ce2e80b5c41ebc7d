// A small server for the built app while ticketsd does not serve it itself: the files of
// dist/ (hashed assets cached for long, index.html never), every app route falling back to
// index.html, /api forwarded to ticketsd, and the strict CSP the app must live under.
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { extname, join, normalize } from 'node:path';

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' blob:; " +
  "connect-src 'self'; media-src 'self' blob:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Serves `dist` on 127.0.0.1:`port` (0: any), forwarding /api to `api` (http://host:port). */
export function serve({ dist, api, port = 0 }) {
  const target = new URL(api);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname.startsWith('/api/')) {
      const upstream = request(
        { host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      upstream.on('error', () => {
        res.writeHead(502, { 'Content-Type': 'application/problem+json' });
        res.end('{"type":"/problems/service-unavailable","title":"Bad Gateway","status":502}');
      });
      req.pipe(upstream);
      return;
    }
    const path = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
    let file = join(dist, path);
    const isFile = existsSync(file) && statSync(file).isFile();
    const asset = isFile && path.startsWith('/assets/');
    if (!isFile) {
      if (path.startsWith('/assets/')) {
        res.writeHead(404).end();
        return;
      }
      file = join(dist, 'index.html');
    }
    res.writeHead(200, {
      'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
      'Cache-Control': asset ? 'public, max-age=31536000, immutable' : 'no-cache',
      'Content-Security-Policy': CSP,
      'X-Content-Type-Options': 'nosniff',
    });
    createReadStream(file).pipe(res);
  });
  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

// As a command, for development against a running ticketsd:
//   node tests/static-server.mjs dist http://127.0.0.1:8000 4173
if (import.meta.url === `file://${process.argv[1]}`) {
  const [dist = 'dist', api = 'http://127.0.0.1:8000', port = '4173'] = process.argv.slice(2);
  const server = await serve({ dist, api, port: Number(port) });
  console.log(`serving ${dist} on http://127.0.0.1:${server.address().port}, /api -> ${api}`);
}
