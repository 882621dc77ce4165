/**
 * `GET /v1/usage?from=&to=`: the caller's own usage, from the usage service. The tenant id
 * comes from the API key, never from the request, so a tenant cannot ask for another's.
 */
import type { RequestHandler } from 'express';
import { z } from 'zod';
import type { ApiConfig } from '../lib/config.ts';
import type { UsageReport } from '../usage/types.ts';
import { BadParameterError, UsageUnavailableError } from './errors.ts';
import type { Authenticate } from './authenticate.ts';

const isoDate = z.iso.datetime({ offset: true }).or(z.iso.date());

export function usageRoute(config: ApiConfig, authenticate: Authenticate): RequestHandler {
  const schema = z.strictObject({ from: isoDate.optional(), to: isoDate.optional() });
  return async (req, res, next) => {
    try {
      const caller = authenticate(req);
      const q = schema.safeParse(req.query);
      if (!q.success) throw new BadParameterError(q.error.issues.map((i) => `${i.path.join('.') || 'query'}: ${i.message}`));
      const to = q.data.to ? new Date(q.data.to) : new Date();
      const from = q.data.from ? new Date(q.data.from) : new Date(to.getTime() - 24 * 3600_000);
      if (from >= to) throw new BadParameterError(['from: must be before to']);
      if (to.getTime() - from.getTime() > 366 * 24 * 3600_000) throw new BadParameterError(['from: the range is at most 366 days']);
      const url = new URL('/internal/usage', config.usageUrl);
      url.search = new URLSearchParams({ tenantId: caller.tenantId, from: from.toISOString(), to: to.toISOString() }).toString();
      let report: UsageReport;
      try {
        const r = await fetch(url, {
          headers: { authorization: `Bearer ${config.serviceToken}` },
          signal: AbortSignal.timeout(2000),
        });
        if (!r.ok) throw new Error(`usage service answered ${r.status}`);
        report = (await r.json()) as UsageReport;
      } catch (cause) {
        throw new UsageUnavailableError(config.retryAfterS, cause);
      }
      res.json(report);
    } catch (err) {
      next(err);
    }
  };
}
