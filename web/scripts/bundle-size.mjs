// The buyer pages' JavaScript budget: the gzip size of every script the buyer entry loads
// (the entry and its static imports, from Vite's manifest) must stay within 60 KB. The lazily
// loaded chunks (door, admin, the QR decoder) are printed too, outside the budget.
// Usage: node scripts/bundle-size.mjs [distDir]
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const LIMIT = 60 * 1024;
const dist = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
const manifest = JSON.parse(readFileSync(join(dist, '.vite', 'manifest.json'), 'utf8'));
const gz = (file) => gzipSync(readFileSync(join(dist, file)), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KB`;

const entryKey = Object.keys(manifest).find((k) => manifest[k].isEntry);
if (!entryKey) throw new Error('no entry in the manifest');

// The entry and everything it imports statically: what the buyer's browser loads.
const eager = new Set();
const css = new Set();
const visit = (key) => {
  if (eager.has(key)) return;
  eager.add(key);
  for (const file of manifest[key].css ?? []) css.add(file);
  for (const next of manifest[key].imports ?? []) visit(next);
};
visit(entryKey);

let total = 0;
console.log('buyer entry (loaded on every page), gzip:');
for (const key of eager) {
  const size = gz(manifest[key].file);
  total += size;
  console.log(`  ${manifest[key].file}  ${kb(size)}`);
}
for (const file of css) console.log(`  ${file}  ${kb(gz(file))} (CSS, not counted)`);
console.log(`  total JavaScript: ${kb(total)} of ${kb(LIMIT)}`);

console.log('lazy chunks (loaded on demand), gzip:');
for (const [key, chunk] of Object.entries(manifest)) {
  if (eager.has(key) || !chunk.file.endsWith('.js')) continue;
  console.log(`  ${chunk.file}  ${kb(gz(chunk.file))}`);
}

if (total > LIMIT) {
  console.error(`FAIL: the buyer entry ships ${kb(total)} of gzipped JavaScript, over ${kb(LIMIT)}`);
  process.exit(1);
}
