/**
 * The size classes the latency SLO is stated in ("images under 1 MB"), shared by the api's
 * request histogram and the harness's load histories so both count the same requests.
 * 1 MB is 1 MiB here (1,048,576 bytes), as the harness has always tagged it.
 */
export const SIZE_CLASS_LIMIT_BYTES = 1024 * 1024;

/** `lt1mb` or `gte1mb` for an image of `bytes` bytes. */
export const sizeClassOf = (bytes: number): 'lt1mb' | 'gte1mb' => (bytes < SIZE_CLASS_LIMIT_BYTES ? 'lt1mb' : 'gte1mb');

/**
 * The class of a request the api answered before reading its body (refused on its
 * headers): from its declared Content-Length, `unknown` without one. Every value is one of
 * four, so the label's cardinality stays fixed.
 */
export function declaredSizeClass(contentLength: string | undefined): 'lt1mb' | 'gte1mb' | 'unknown' {
  const n = Number(contentLength ?? NaN);
  return Number.isFinite(n) && n >= 0 ? sizeClassOf(n) : 'unknown';
}

/** `2xx`, `4xx`, `5xx`, …: the status label the SLO rules select on. */
export const statusClassOf = (status: number): string => `${Math.floor(status / 100)}xx`;
