// @ts-check
// Must fail: an error thrown in an iteration (test.sh expects exit 1 and the error reported).
import { check } from "k6";

export default function () {
  check(1, { "a check that holds": (v) => v === 1 });
  throw new Error("deliberate failure of the self-test");
}
