/**
 * The messages of the job queue, shared by api servers, brokers and workers. Each is the
 * JSON header of a wire frame (system/lib/wire.ts); image bytes travel as the frame body.
 */
export const fits = ['cover', 'contain', 'fill', 'inside', 'outside'] as const;
export type Fit = (typeof fits)[number];
export const outputFormats = ['jpeg', 'png', 'webp', 'avif'] as const;
export type OutputFormat = (typeof outputFormats)[number];

export interface ResizeParams {
  width?: number;
  height?: number;
  fit: Fit;
  format: OutputFormat;
  quality?: number;
}

/**
 * Where a worker fetches a large image (the claim check, system/api/blob-store.ts):
 * `GET url` with `Authorization: Bearer <token>`, valid while the job is pending.
 */
export interface BlobClaim {
  url: string;
  token: string;
  bytes: number;
}

/** api -> broker on `nines/jobs/submit`; body: the image, or empty when `blob` is set. */
export interface JobHeader {
  jobId: string;
  tenantId: string;
  /** The api server's instance id; replies go to `nines/api/<replyTo>/reply`. */
  replyTo: string;
  /** Unix ms after which nobody waits for the answer: the broker drops it, not dispatches it. */
  deadline: number;
  params: ResizeParams;
  /** Set for images at or above the api's claim-check size: the frame has no body. */
  blob?: BlobClaim;
  /** Acks riding on this submission (see ApiAck); the broker takes them off before queueing. */
  acks?: ApiAck[];
}

/**
 * A job whose reply reached its api server straight from the worker (the claim check's
 * `PUT`): the broker frees the worker's credit for it, as a worker's ack would. The api
 * server, which has the result, is the one that knows the job is done; it sends these on
 * its next submission or, when none comes within a few milliseconds, on `nines/jobs/acks`.
 */
export interface ApiAck {
  jobId: string;
  /** The epoch of the dispatch (from the reply): acks for another leadership are ignored. */
  epoch: number;
}

/** api -> broker on `nines/jobs/acks`: acks with no submission to ride on. */
export interface ApiAckMessage {
  acks: ApiAck[];
}

/** broker -> worker on `nines/workers/<id>/jobs`; body: the image (or a claim in `blob`). */
export interface DispatchHeader extends JobHeader {
  /** The broker's leadership epoch (Consul LockIndex); receivers drop older epochs. */
  epoch: number;
  attempt: number;
}

/** worker -> broker on `nines/workers/<id>/ack`: a job whose reply did not go to the api directly. */
export interface AckMessage {
  jobId: string;
  epoch: number;
}

/** worker -> broker on `nines/workers/<id>/ready`: the worker's credit (jobs it can hold). */
export interface ReadyMessage {
  capacity: number;
}

export interface ResultReply {
  type: 'result';
  jobId: string;
  epoch: number;
  contentType: string;
  format: OutputFormat;
  width: number;
  height: number;
  cpuMs: number;
}

/** The worker could not produce an image; `code` says why (e.g. ERR_UNDECODABLE). */
export interface ErrorReply {
  type: 'error';
  jobId: string;
  epoch: number;
  code: string;
  message: string;
  cpuMs: number;
}

/** The broker refused the job at once (queue full, no workers): the api answers 503. */
export interface RejectedReply {
  type: 'rejected';
  jobId: string;
  epoch: number;
  reason: 'queue_full' | 'no_workers' | 'too_many_attempts';
  retryAfterS: number;
}

/** worker|broker -> api on `nines/api/<id>/reply`; a result's body is the output image. */
export type ReplyHeader = ResultReply | ErrorReply | RejectedReply;
