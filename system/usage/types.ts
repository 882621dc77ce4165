/**
 * The usage record every request produces (the audit trail the article asks for), and
 * the batch in which api servers send records to the usage service over MQTT.
 */
export interface UsageRecord {
  requestId: string;
  tenantId: string;
  keyId: string;
  /** ISO-8601 time the request arrived. */
  at: string;
  /** HTTP status the customer got. */
  status: number;
  /** Error code when status >= 400, else absent. */
  errorCode?: string;
  inputBytes: number;
  outputBytes: number;
  inputFormat?: string;
  outputFormat?: string;
  inputWidth?: number;
  inputHeight?: number;
  outputWidth?: number;
  outputHeight?: number;
  /** CPU time the worker spent on this job, in milliseconds. */
  cpuMs: number;
  /** Wall time from arrival to response, in milliseconds. */
  durationMs: number;
}

export interface UsageBatch {
  /** Unique per batch; the usage service stores it once so a resent batch is counted once. */
  batchId: string;
  /** The api server that staged the batch; the ack goes to its usage-ack topic. */
  apiId: string;
  records: UsageRecord[];
}

export interface UsageAck {
  batchId: string;
}

export interface UsageTotals {
  requests: number;
  succeeded: number;
  failed: number;
  inputBytes: number;
  outputBytes: number;
  cpuMs: number;
}

export interface UsageReport {
  tenantId: string;
  from: string;
  to: string;
  totals: UsageTotals;
  hours: Array<{ hour: string } & UsageTotals>;
}
