// @ts-check
// Must not typecheck: each line marked "type error" misuses k6's API, and test.sh requires that
// tsc reports exactly those lines (tsconfig.bad-types.json).
import { check } from "k6";
import http from "k6/http";
import { Rate } from "k6/metrics";

/** @type {import("k6/options").Options} */
export const options = {
  scenarios: { s: { executor: "constant-arrival-rate", rate: 1, duration: "1m" } }, // type error: no preAllocatedVUs
};

export default function () {
  const res = http.get(8000); // type error: a URL is a string
  check(res, { "status 200": true }); // type error: a check is a function
  new Rate(); // type error: a metric needs a name
  res.jsonn(); // type error: no such method
}
