/**
 * Builds the usage record of one request as it progresses and stages it when the response
 * is finished (or the connection closes), whatever the outcome: every authenticated
 * request is metered, refused ones included, with the status the customer got.
 */
import type { Response } from 'express';
import type { UsageRecord } from '../usage/types.ts';
import type { UsageBatcher } from './usage-batcher.ts';
import type { Caller } from './authenticate.ts';

export interface UsageInProgress {
  readonly requestId: string;
  tenant(c: Caller): void;
  input(bytes: number): void;
  inputImage(i: { format: string; width: number; height: number }): void;
  cpu(ms: number): void;
  output(o: { bytes: number; format: string; width: number; height: number; cpuMs: number }): void;
}

export class Metering {
  constructor(private readonly batcher: UsageBatcher) {}

  begin(res: Response, startedMs: number): UsageInProgress {
    const requestId = res.locals.requestId as string;
    const at = new Date().toISOString();
    let caller: Caller | undefined;
    const r: Partial<UsageRecord> = { inputBytes: 0, outputBytes: 0, cpuMs: 0 };
    let staged = false;
    const stage = () => {
      if (staged || !caller) return;
      staged = true;
      const status = res.headersSent ? res.statusCode : 499; // 499: the client went away first
      const code = res.locals.problemCode as string | undefined;
      this.batcher.add({
        ...(r as Omit<UsageRecord, 'requestId' | 'tenantId' | 'keyId' | 'at' | 'status' | 'durationMs'>),
        requestId,
        tenantId: caller.tenantId,
        keyId: caller.keyId,
        at,
        status,
        ...(code ? { errorCode: code } : {}),
        durationMs: Math.round((performance.now() - startedMs) * 1000) / 1000,
      });
    };
    res.once('finish', stage);
    res.once('close', stage);
    return {
      requestId,
      tenant: (c) => (caller = c),
      input: (bytes) => (r.inputBytes = bytes),
      inputImage: (i) => Object.assign(r, { inputFormat: i.format, inputWidth: i.width, inputHeight: i.height }),
      cpu: (ms) => (r.cpuMs = ms),
      output: (o) =>
        Object.assign(r, { outputBytes: o.bytes, outputFormat: o.format, outputWidth: o.width, outputHeight: o.height, cpuMs: o.cpuMs }),
    };
  }
}
