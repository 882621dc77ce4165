/**
 * API-key authentication against the data-plane replica of identity: no network call on
 * the request path, so auth costs a hash and a map lookup.
 */
import type { Request } from 'express';
import { bearerOf } from '../lib/http/server.ts';
import type { IdentityReplica } from '../identity/replica.ts';
import { InvalidKeyError } from './errors.ts';
import type { TenantLimits } from './admission.ts';

export interface Caller extends TenantLimits {
  keyId: string;
}

export type Authenticate = (req: Request) => Caller;

/** The caller a valid `Authorization: Bearer <key>` header names, or undefined; no reason given. */
export function authenticateHeader(replica: IdentityReplica, header: string | undefined): Caller | undefined {
  const key = header ? bearerOf(header) : undefined;
  return key ? replica.authenticate(key) : undefined;
}

export function authenticator(replica: IdentityReplica): Authenticate {
  return (req) => {
    const header = req.headers.authorization;
    if (!header) throw new InvalidKeyError('missing API key: send Authorization: Bearer <key>');
    const key = bearerOf(header);
    if (!key) throw new InvalidKeyError('malformed Authorization header: use Authorization: Bearer <key>');
    const found = replica.authenticate(key);
    if (!found) throw new InvalidKeyError('invalid or revoked API key');
    return found;
  };
}
