// Resolve hook: the k6 modules the scenarios import are served by this adapter. Any other k6
// module, and remote modules (k6 can import https://jslib.k6.io/...), fail at import with a
// message naming what the adapter has, rather than being silently stubbed.
/** @type {Record<string, string>} */
const modules = {
  k6: "./k6.mjs",
  "k6/http": "./http.mjs",
  "k6/metrics": "./metrics.mjs",
  "k6/crypto": "./crypto.mjs",
};

/**
 * @param {string} specifier
 * @param {object} context
 * @param {(specifier: string, context: object) => Promise<{ url: string }>} next
 */
export async function resolve(specifier, context, next) {
  if (Object.hasOwn(modules, specifier)) {
    return { url: new URL(modules[specifier], import.meta.url).href, shortCircuit: true };
  }
  if (specifier.startsWith("k6/") || /^https?:/.test(specifier)) {
    throw new Error(
      `${specifier}: not provided by loadtest/adapter, which implements ${Object.keys(modules).join(", ")}`,
    );
  }
  return next(specifier, context);
}
