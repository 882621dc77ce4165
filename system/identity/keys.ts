/**
 * API keys: `nines_<keyId>_<secret>`, where keyId is 12 random lowercase hex characters
 * (the public handle used to look a key up and to revoke it) and secret is 32 random
 * bytes in base64url (43 characters, no padding).
 *
 * Only sha256(fullKey) is stored. A slow password hash (scrypt, argon2) exists to make
 * guessing low-entropy human passwords expensive; these keys carry 256 random bits, so
 * brute-forcing a sha256 preimage is already infeasible, and a fast hash keeps
 * authentication at microseconds on the api tier's hot path.
 */
import { createHash, randomBytes } from 'node:crypto';

const KEY_PATTERN = /^nines_([0-9a-f]{12})_([A-Za-z0-9_-]{43})$/;
export const KEY_ID_PATTERN = /^[0-9a-f]{12}$/;

export interface GeneratedKey {
  keyId: string;
  apiKey: string;
  /** sha256 of apiKey, lowercase hex: the only form that is stored. */
  hash: string;
}

/** Makes a fresh random key; the caller shows `apiKey` once and stores only `hash`. */
export function generateKey(): GeneratedKey {
  const keyId = randomBytes(6).toString('hex');
  const apiKey = `nines_${keyId}_${randomBytes(32).toString('base64url')}`;
  return { keyId, apiKey, hash: hashKey(apiKey) };
}

/**
 * Returns the key id of a well-formed key, or undefined for anything else (wrong prefix,
 * lengths, alphabet, or a secret that is not the canonical encoding of 32 bytes).
 */
export function parseKey(apiKey: string): { keyId: string } | undefined {
  if (typeof apiKey !== 'string') return undefined;
  const m = KEY_PATTERN.exec(apiKey);
  if (!m) return undefined;
  const [, keyId, secret] = m as unknown as [string, string, string];
  // 43 base64url characters carry 258 bits; only the encoding of exactly 32 bytes is valid.
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return undefined;
  return { keyId };
}

/** sha256 of the full key, lowercase hex (64 characters). */
export function hashKey(apiKey: string): string {
  return createHash('sha256').update(apiKey, 'utf8').digest('hex');
}
