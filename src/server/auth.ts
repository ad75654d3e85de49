import { createHash, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from '../log.js';
import { bcryptCost, type WebConfig } from './web-config.js';

/**
 * Authentication of HTTP requests from the web config: basic auth users (bcrypt) on every route,
 * and a bearer token that also opens the write routes (POST /-/reload, the events API).
 * Liveness and readiness stay open: they reveal nothing and probes rarely carry credentials.
 */

export const REALM = 'fidelity-exporter';
const OPEN_PATHS = new Set(['/-/healthy', '/-/ready']);
/** Successful logins remembered, so that a scrape every few seconds does not pay a bcrypt each time. */
const CACHE_SIZE = 256;

export class Authenticator {
  private readonly dummyHash: string;
  private readonly verified = new Map<string, true>();

  constructor(private readonly config: Pick<WebConfig, 'basicAuthUsers' | 'bearerToken'>) {
    // Unknown users are compared against a hash of the same cost as the real ones: same time, same answer.
    const cost = Math.max(4, ...[...config.basicAuthUsers.values()].map(bcryptCost));
    this.dummyHash = config.basicAuthUsers.size > 0 ? bcrypt.hashSync('not a password of anyone', cost) : '';
  }

  get basicEnabled(): boolean {
    return this.config.basicAuthUsers.size > 0;
  }

  get bearerEnabled(): boolean {
    return this.config.bearerToken !== undefined;
  }

  /** The user name when the Basic credentials are valid. Always runs exactly one bcrypt comparison on a miss. */
  async basic(header: string | undefined): Promise<string | undefined> {
    const credentials = parseBasic(header);
    if (!credentials) return undefined;
    const { user, password } = credentials;
    const cacheKey = createHash('sha256').update(user).update('\u0000').update(password).digest('hex');
    if (this.verified.has(cacheKey)) return user;
    const hash = this.config.basicAuthUsers.get(user);
    const matches = await bcrypt.compare(password, hash ?? this.dummyHash);
    if (!matches || hash === undefined) return undefined;
    if (this.verified.size >= CACHE_SIZE) this.verified.delete(this.verified.keys().next().value ?? '');
    this.verified.set(cacheKey, true);
    return user;
  }

  bearer(header: string | undefined): boolean {
    const expected = this.config.bearerToken;
    const match = /^Bearer +(\S+)$/i.exec(header ?? '');
    if (!expected || !match?.[1]) return false;
    // Compare digests so that neither length nor content leaks through timing.
    const given = createHash('sha256').update(match[1]).digest();
    const wanted = createHash('sha256').update(expected.reveal()).digest();
    return timingSafeEqual(given, wanted);
  }
}

function parseBasic(header: string | undefined): { user: string; password: string } | undefined {
  const match = /^Basic +([A-Za-z0-9+/]+=*)$/i.exec(header ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

/** Reads only: GET and HEAD. Everything else changes state and may use the bearer token. */
export function isWrite(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

/**
 * Express middleware in front of every route. `current()` returns the authenticator of the web
 * config in force, so a reload swaps credentials without restarting the server.
 */
export function authMiddleware(current: () => Authenticator, log: Logger): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const auth = current();
    const write = isWrite(req.method);
    if (!write && OPEN_PATHS.has(req.path)) return next();
    if (!auth.basicEnabled && !auth.bearerEnabled) return next();
    if (!write && !auth.basicEnabled) return next();

    const header = req.get('authorization');
    if (write && auth.bearer(header)) return next();
    if (auth.basicEnabled && (await auth.basic(header)) !== undefined) return next();

    const challenges: string[] = [];
    if (auth.basicEnabled) challenges.push(`Basic realm="${REALM}", charset="UTF-8"`);
    if (write && auth.bearerEnabled) challenges.push(`Bearer realm="${REALM}"`);
    log.debug(
      {
        method: req.method,
        path: req.path.slice(0, 200),
        remote: req.socket.remoteAddress,
        presented: header ? (header.split(' ')[0] ?? '').slice(0, 20) : 'none',
      },
      'request refused: not authenticated',
    );
    res.set('WWW-Authenticate', challenges).status(401).type('text/plain').send('unauthorized\n');
  };
}
