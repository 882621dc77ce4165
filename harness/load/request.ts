/**
 * What the engine sends: a request spec, made by a pluggable factory. A factory is a
 * function, which cannot cross into a worker thread, so a run has three ways to say
 * what to send: a static spec (copied once into each thread), a function (this thread
 * only), or a module that builds the factory inside each thread.
 */
import type { Dispatcher } from 'undici';

/** One request. `body` is sent as is: reuse one Buffer for every request, never copy. */
export interface RequestSpec {
  method: Dispatcher.HttpMethod;
  /** Path and query, e.g. `/v1/resize?width=320`. */
  path: string;
  headers?: Record<string, string>;
  body?: Buffer;
  /** Latency is recorded per size class as well as in `'all'`, e.g. 'lt1mb'. */
  sizeClass?: string;
  /**
   * Who sends it (a tenant group): its latency is also recorded under this class, and its
   * failures counted in the run's measurement `failed:<group>`.
   */
  group?: string;
}

/** Makes the request for sequence number `seq` (0-based over the whole run, all threads). */
export type RequestFactory = (seq: number) => RequestSpec;

/**
 * A module that builds a factory in whichever thread needs it: `export function
 * create(arg): RequestFactory` (or another export named by `export`). `module` is a
 * file URL or an absolute path; `arg` must survive structured cloning.
 */
export interface FactoryModule {
  module: string;
  export?: string;
  arg?: unknown;
}

export type RequestSource = RequestSpec | RequestFactory | FactoryModule;

/** True when the source can be handed to a worker thread. */
export function isTransferable(src: RequestSource): src is RequestSpec | FactoryModule {
  return typeof src !== 'function';
}

const isModule = (src: RequestSpec | FactoryModule): src is FactoryModule => typeof (src as FactoryModule).module === 'string';

/**
 * Turns a request source into a factory for this thread. A static spec becomes a factory
 * that returns the same object every time, so the hot path allocates nothing for it.
 */
export async function resolveFactory(src: RequestSource): Promise<RequestFactory> {
  if (typeof src === 'function') return src;
  if (isModule(src)) {
    const url = src.module.startsWith('file:') || src.module.includes('://') ? src.module : new URL(`file://${src.module}`).href;
    const mod = (await import(url)) as Record<string, unknown>;
    const name = src.export ?? 'create';
    const create = mod[name];
    if (typeof create !== 'function') throw new TypeError(`request factory module ${src.module} has no function export '${name}'`);
    const factory = await (create as (arg: unknown) => RequestFactory | Promise<RequestFactory>)(src.arg);
    if (typeof factory !== 'function') throw new TypeError(`${src.module}#${name} must return a (seq) => RequestSpec function`);
    return factory;
  }
  // Structured cloning turns a Buffer into a plain Uint8Array; view the same memory as a
  // Buffer again rather than copying it.
  const body = src.body && !Buffer.isBuffer(src.body) ? Buffer.from((src.body as Uint8Array).buffer, (src.body as Uint8Array).byteOffset, (src.body as Uint8Array).byteLength) : src.body;
  const spec: RequestSpec = { ...src, body };
  if (spec.body === undefined) delete spec.body;
  return () => spec;
}
