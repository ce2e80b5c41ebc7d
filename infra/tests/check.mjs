// Checks the Terraform under infra/ (or the directory given): node check.mjs [infra-dir]
import path from "node:path";
import { fileURLToPath } from "node:url";
import { checkInfra } from "./lib/check.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(process.argv[2] ?? path.join(here, ".."));
const report = await checkInfra(root);
for (const e of report.errors) console.error(`FAIL ${e}`);
console.log(`checks: ${report.passed} passed, ${report.errors.length} failed`);
process.exit(report.errors.length ? 1 : 0);
