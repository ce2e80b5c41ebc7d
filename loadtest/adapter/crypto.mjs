// k6/crypto: the digests, over node:crypto. Output "hex", "base64" (also "base64url",
// "base64rawurl") or "binary" (an ArrayBuffer), as in k6.
import { createHash, randomBytes as nodeRandomBytes } from "node:crypto";

/**
 * @param {string} algorithm
 * @param {string | ArrayBuffer} input
 * @param {string} encoding
 */
function digest(algorithm, input, encoding) {
  const bytes = createHash(algorithm)
    .update(typeof input === "string" ? Buffer.from(input, "utf8") : Buffer.from(input))
    .digest();
  switch (encoding) {
    case "hex":
      return bytes.toString("hex");
    case "base64":
      return bytes.toString("base64");
    case "base64url":
    case "base64rawurl":
      return bytes.toString("base64url");
    case "binary":
      return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
    default:
      throw new Error(`unknown output encoding ${JSON.stringify(encoding)}`);
  }
}

/** @param {string | ArrayBuffer} input @param {string} encoding */
export const sha256 = (input, encoding) => digest("sha256", input, encoding);
/** @param {string | ArrayBuffer} input @param {string} encoding */
export const sha512 = (input, encoding) => digest("sha512", input, encoding);
/** @param {string | ArrayBuffer} input @param {string} encoding */
export const sha1 = (input, encoding) => digest("sha1", input, encoding);
/** @param {string | ArrayBuffer} input @param {string} encoding */
export const md5 = (input, encoding) => digest("md5", input, encoding);
/** @param {number} size */
export const randomBytes = (size) => {
  const bytes = nodeRandomBytes(size);
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + size);
};

export default { sha256, sha512, sha1, md5, randomBytes };
