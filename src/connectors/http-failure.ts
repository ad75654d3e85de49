import type { HttpFailureReason } from './http-types.js';

/** Why an HTTP probe failed: one of the failure reasons, with a message that names no secret. */

export class ProbeFailure extends Error {
  constructor(
    readonly reason: HttpFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export function errorCode(error: unknown): string {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return '';
}

/** OpenSSL verification codes as Node reports them, and Node's own TLS errors. */
const TLS_ERROR =
  /^(ERR_TLS_|ERR_SSL_|UNABLE_TO_|CERT_|DEPTH_ZERO_|SELF_SIGNED_|INVALID_CA|PATH_LENGTH_|INVALID_PURPOSE|HOSTNAME_MISMATCH|EPROTO)/;

export function describeFailure(
  error: unknown,
  context: { received: number; expected: number | null; deadlineHit: boolean; deadlineMs: number; canceled: boolean },
): ProbeFailure {
  if (error instanceof ProbeFailure) return error;
  if (context.deadlineHit) {
    return new ProbeFailure(
      'timeout',
      `step deadline of ${context.deadlineMs} ms exceeded${context.received > 0 ? ` after ${context.received} body bytes` : ''}`,
    );
  }
  if (context.canceled) return new ProbeFailure('canceled', 'check deadline reached or sample canceled');
  const code = errorCode(error);
  const message = error instanceof Error ? error.message : String(error);
  if (context.expected !== null && context.received < context.expected) {
    return new ProbeFailure('parse', `response body truncated: received ${context.received} of ${context.expected} bytes (${message})`);
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') return new ProbeFailure('timeout', `connect timeout (${message})`);
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT') return new ProbeFailure('timeout', message);
  if (code === 'UND_ERR_RES_CONTENT_LENGTH_MISMATCH')
    return new ProbeFailure('parse', `response body length does not match Content-Length (${message})`);
  if (code.startsWith('HPE_')) return new ProbeFailure('parse', `malformed HTTP response (${code}: ${message})`);
  if (TLS_ERROR.test(code)) return new ProbeFailure('connect', `TLS handshake failed (${code}: ${message})`);
  if (
    [
      'ECONNREFUSED',
      'ECONNRESET',
      'EPIPE',
      'ENOTFOUND',
      'EAI_AGAIN',
      'EHOSTUNREACH',
      'ENETUNREACH',
      'UND_ERR_SOCKET',
      'UND_ERR_CLOSED',
    ].includes(code)
  ) {
    const during = context.received > 0 ? ` after ${context.received} body bytes` : '';
    return new ProbeFailure('connect', `connection failed or reset${during} (${code}: ${message})`);
  }
  return new ProbeFailure('internal', message);
}
