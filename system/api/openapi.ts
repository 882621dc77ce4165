/**
 * The OpenAPI 3.1 document of the public API, served at `GET /openapi.json`. A test walks
 * the express router and the real responses to keep it true.
 */
const problem = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' } } };

export const openapi = {
  openapi: '3.1.0',
  info: {
    title: 'nines image resizing API',
    version: '1.0.0',
    description:
      'Resize an image: POST its bytes with your API key. Errors are RFC 9457 problem+json with a stable `code`.',
  },
  components: {
    securitySchemes: { apiKey: { type: 'http', scheme: 'bearer', description: 'Your API key: `nines_<keyId>_<secret>`.' } },
    schemas: {
      Problem: {
        type: 'object',
        required: ['type', 'title', 'status', 'detail', 'code'],
        properties: {
          type: { type: 'string', format: 'uri', examples: ['urn:nines:problem:too-many-pixels'] },
          title: { type: 'string' },
          status: { type: 'integer' },
          detail: { type: 'string' },
          code: { type: 'string', examples: ['ERR_BAD_PARAMETER', 'ERR_TOO_MANY_PIXELS'] },
          instance: { type: 'string' },
        },
      },
      Totals: {
        type: 'object',
        required: ['requests', 'succeeded', 'failed', 'inputBytes', 'outputBytes', 'cpuMs'],
        properties: {
          requests: { type: 'integer' },
          succeeded: { type: 'integer' },
          failed: { type: 'integer' },
          inputBytes: { type: 'integer' },
          outputBytes: { type: 'integer' },
          cpuMs: { type: 'number' },
        },
      },
      UsageReport: {
        type: 'object',
        required: ['tenantId', 'from', 'to', 'totals', 'hours'],
        properties: {
          tenantId: { type: 'string' },
          from: { type: 'string', format: 'date-time' },
          to: { type: 'string', format: 'date-time' },
          totals: { $ref: '#/components/schemas/Totals' },
          hours: {
            type: 'array',
            items: { allOf: [{ $ref: '#/components/schemas/Totals' }, { type: 'object', properties: { hour: { type: 'string', format: 'date-time' } } }] },
          },
        },
      },
    },
  },
  security: [{ apiKey: [] }],
  paths: {
    '/v1/resize': {
      post: {
        operationId: 'resize',
        summary: 'Resize an image',
        parameters: [
          { name: 'width', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 8192 }, description: 'Target width in pixels (at most NINES_API_MAX_DIMENSION, default 8192). Give width, height or both.' },
          { name: 'height', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 8192 }, description: 'Target height in pixels.' },
          { name: 'fit', in: 'query', schema: { type: 'string', enum: ['cover', 'contain', 'fill', 'inside', 'outside'], default: 'cover' } },
          { name: 'format', in: 'query', schema: { type: 'string', enum: ['jpeg', 'png', 'webp', 'avif'] }, description: "Output format; default the input's, or jpeg when the input's is not an output format." },
          { name: 'quality', in: 'query', schema: { type: 'integer', minimum: 1, maximum: 100 } },
        ],
        requestBody: {
          required: true,
          description: 'The image bytes (at most NINES_API_MAX_BODY_BYTES, default 8 MiB; at most NINES_MAX_PIXELS pixels, default 50 million).',
          content: Object.fromEntries(
            ['image/jpeg', 'image/png', 'image/webp', 'image/avif', 'image/gif', 'image/tiff', 'image/svg+xml', 'application/octet-stream'].map((t) => [
              t,
              { schema: { type: 'string', contentMediaType: t } },
            ]),
          ),
        },
        responses: {
          '200': {
            description: 'The resized image, upright per EXIF, in sRGB.',
            headers: {
              'X-Request-Id': { schema: { type: 'string' } },
              'X-Nines-Width': { schema: { type: 'integer' } },
              'X-Nines-Height': { schema: { type: 'integer' } },
              'X-Nines-Epoch': { description: 'The broker leadership epoch that carried the job.', schema: { type: 'integer' } },
            },
            content: Object.fromEntries(['image/jpeg', 'image/png', 'image/webp', 'image/avif'].map((t) => [t, { schema: { type: 'string', contentMediaType: t } }])),
          },
          '400': problem('Bad parameters (ERR_BAD_PARAMETER) or an empty body (ERR_EMPTY_BODY).'),
          '401': problem('Missing, malformed, invalid or revoked API key (ERR_UNAUTHORIZED).'),
          '413': problem('The body is over the byte limit (ERR_BODY_TOO_LARGE); refused while streaming.'),
          '415': problem('Content-Type or content is not a supported image format (ERR_UNSUPPORTED_MEDIA_TYPE).'),
          '422': problem('Undecodable, truncated or corrupt image (ERR_UNDECODABLE), or over the pixel limit (ERR_TOO_MANY_PIXELS).'),
          '429': { ...problem('Over your rate (ERR_RATE_LIMITED) or in-flight limit (ERR_TENANT_CONCURRENCY).'), headers: retryAfter },
          '503': { ...problem('Overloaded (ERR_OVERLOADED), no broker (ERR_NO_BROKER), queue full (ERR_QUEUE_FULL), no workers (ERR_NO_WORKERS), job failed on every worker (ERR_TOO_MANY_ATTEMPTS), a worker could not fetch the image from this server (ERR_BLOB_UNREACHABLE).'), headers: retryAfter },
          '504': problem('The resize did not finish within the deadline (ERR_DEADLINE).'),
        },
      },
    },
    '/v1/usage': {
      get: {
        operationId: 'usage',
        summary: "The caller's own usage, per hour and in total",
        parameters: [
          { name: 'from', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Default: 24 h before `to`.' },
          { name: 'to', in: 'query', schema: { type: 'string', format: 'date-time' }, description: 'Default: now.' },
        ],
        responses: {
          '200': { description: 'Usage report.', content: { 'application/json': { schema: { $ref: '#/components/schemas/UsageReport' } } } },
          '400': problem('Bad dates (ERR_BAD_PARAMETER).'),
          '401': problem('Missing or invalid API key (ERR_UNAUTHORIZED).'),
          '503': { ...problem('Usage data unavailable (ERR_USAGE_UNAVAILABLE).'), headers: retryAfter },
        },
      },
    },
    '/healthz': { get: { operationId: 'healthz', security: [], summary: 'Liveness', responses: { '200': { description: 'The process is up.' } } } },
    '/readyz': {
      get: {
        operationId: 'readyz',
        security: [],
        summary: 'Readiness: a broker is connected and the identity replica is loaded',
        responses: { '200': { description: 'Ready.' }, '503': problem('Not ready (ERR_NOT_READY).') },
      },
    },
    '/metrics': { get: { operationId: 'metrics', security: [], summary: 'Prometheus metrics', responses: { '200': { description: 'Text exposition format.' } } } },
    '/openapi.json': { get: { operationId: 'openapi', security: [], summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1.' } } } },
  },
} as const;
