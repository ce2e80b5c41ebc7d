// Fails when web/src/api/schema.ts is not what `npm run gen` makes of src/api/openapi.json now,
// so the web app's types cannot lag behind the document.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const committed = path.join(here, "../../web/src/api/schema.ts");
const scratch = mkdtempSync(path.join(tmpdir(), "openapi-gen-"));
try {
  const fresh = path.join(scratch, "schema.ts");
  execFileSync(
    path.join(here, "node_modules/.bin/openapi-typescript"),
    [path.join(here, "../../src/api/openapi.json"), "-o", fresh],
    { stdio: ["ignore", "ignore", "inherit"] },
  );
  if (readFileSync(fresh, "utf8") !== readFileSync(committed, "utf8")) {
    console.error("web/src/api/schema.ts differs from a fresh generation: run `npm run gen` in tests/openapi and commit it");
    process.exit(1);
  }
  // And it compiles on its own under the strictest settings the web app may use.
  execFileSync(
    path.join(here, "node_modules/.bin/tsc"),
    ["--noEmit", "--strict", "--target", "es2022", committed],
    { stdio: "inherit" },
  );
  console.log("openapi: web/src/api/schema.ts matches a fresh generation and type-checks");
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
