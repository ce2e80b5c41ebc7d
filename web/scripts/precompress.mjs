// Writes NAME.gz beside each built text file of dist/ (gzip level 9), so that ticketsd can
// answer clients that accept gzip without compressing on every request. Files under 512 bytes
// are left alone (gzip gains little there), and so is dist/.vite/ (build metadata, not served).
// Run after `vite build` (see the build script). Usage: node scripts/precompress.mjs [distDir]
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { constants, gzipSync } from 'node:zlib';

const TEXT = new Set(['.js', '.css', '.html', '.svg', '.json', '.webmanifest']);
const MIN_BYTES = 512;
const dist = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;

function* files(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

let count = 0;
let before = 0;
let after = 0;
for (const file of files(dist)) {
  if (!TEXT.has(extname(file))) continue;
  const gz = `${file}.gz`;
  if (statSync(file).size < MIN_BYTES) {
    rmSync(gz, { force: true }); // a stale one from an earlier build would be served instead
    continue;
  }
  const source = readFileSync(file);
  const packed = gzipSync(source, { level: constants.Z_BEST_COMPRESSION });
  writeFileSync(gz, packed);
  count++;
  before += source.length;
  after += packed.length;
  console.log(`  ${relative(dist, gz)}  ${(packed.length / 1024).toFixed(1)} KB`);
}
console.log(`precompressed ${count} files: ${(before / 1024).toFixed(1)} KB -> ${(after / 1024).toFixed(1)} KB gzip`);
