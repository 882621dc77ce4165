/**
 * The per-scenario JSON config the static k6 script (script/nines.k6.js) reads at init time.
 * Types only, so both sides check against one shape: export.ts writes it under the Node
 * tsconfig, and the script reads it under script/tsconfig.json (checkJs against @types/k6),
 * where `options` is k6's own Options type.
 */
import type { Options } from 'k6/options';

/** Bumped when the shape changes, so an old config next to a new script is refused, not misread. */
export const K6_CONFIG_FORMAT = 'nines-k6-config/1';

/** One fixture the script posts; `size` is its bytes at export time, checked again when k6 opens it. */
export interface K6Image {
  fixture: string;
  size: number;
  /**
   * Tag for thresholds: lt1mb below 1 MiB, else gte1mb. Spelt out rather than imported from
   * thresholds.ts, which the k6-typed check of the script must not pull in; export.ts fills
   * it from sizeClassOf(), so tsc flags any drift between the two.
   */
  sizeClass: 'lt1mb' | 'gte1mb';
  weight: number;
}

export interface K6Config {
  format: typeof K6_CONFIG_FORMAT;
  /** What the exported run is, for the person reading the file (k6 ignores it). */
  about: {
    scenario: string;
    seed: number;
    quick: boolean;
    description: string;
    load: string;
    maxVUs: string;
    rounding?: string;
    /** The scenario's fault timeline: nines injects it, k6 does not. */
    faults: string[];
    /** SLAs k6 cannot express with the same meaning; only nines checks them. */
    checkedByNinesOnly: string[];
  };
  options: Options;
  request: {
    /** Default BASE_URL (`-e BASE_URL=…` overrides it). */
    baseUrl: string;
    /** POST /v1/resize's query string, without `?`. */
    query: string;
    /** k6's per-request timeout, e.g. `10000ms`. */
    timeout: string;
    /** Headers besides Authorization, which the script builds from API_KEY so no key is ever in the file. */
    headers: Record<string, string>;
  };
  images: {
    /** Default IMAGES_DIR (`-e IMAGES_DIR=…` overrides it). */
    dir: string;
    /** The scenario's seed reduced to 32 bits, for the image picker. */
    seed: number;
    list: K6Image[];
  };
  /** Name of the Counter failed requests are added to, when an `errors` count SLA needs one. */
  failedCounter?: string;
}
