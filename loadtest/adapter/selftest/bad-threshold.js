// @ts-check
// Must fail: thresholds that k6 refuses (a metric nobody defines, an aggregation a rate lacks).
import { check } from "k6";

/** @type {import("k6/options").Options} */
export const options = {
  thresholds: { no_such_metric: ["count<1"], checks: ["p(95)<1"] },
};

export default function () {
  check(1, { "a check that holds": (v) => v === 1 });
}
