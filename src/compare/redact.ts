import { subtreeMatcher, type Scalar } from './tree.js';

/**
 * Which configuration values are secret. A secret value is never shown, hashed or logged: a
 * differing secret is reported as "differs" and nothing else. A key is secret when any segment of
 * its path contains a secret-looking word (`db.password`, `API_TOKEN`, `credentials.user`,
 * `apiKey`), when it matches a configured secret path, or when its value looks like a credential
 * (a URL with a password, a PEM block, a bearer token). Erring towards hiding is the point.
 */

export const DEFAULT_SECRET_WORDS = [
  'password',
  'passwd',
  'pwd',
  'passphrase',
  'secret',
  'token',
  'key',
  'apikey',
  'credential',
  'credentials',
  'authorization',
  'cookie',
  'signature',
  'salt',
  'private',
] as const;

export interface RedactionOptions {
  /** Extra words that make a key secret (added to DEFAULT_SECRET_WORDS). */
  words?: readonly string[];
  /** Path globs that are secret whatever their name. */
  paths?: readonly string[];
  /** Path globs shown even though their name looks secret (`cache.key_prefix`). */
  publicPaths?: readonly string[];
}

/** Words of a key name: split at separators and camelCase boundaries, lower-cased. */
function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter((word) => word !== '')
    .map((word) => word.toLowerCase());
}

/** Key names of a path, without array indices (`a.b[name=x].c` -> a, b, name, c). */
function names(path: string): string[] {
  return path.split(/[.[\]="]+/).filter((part) => part !== '' && !/^\d+$/.test(part));
}

const CREDENTIAL_VALUE = [
  /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]*:[^/\s@]+@/i, // scheme://user:password@host
  /-----BEGIN [A-Z ]*(PRIVATE KEY|CERTIFICATE)-----/,
  /^(bearer|basic|token)\s+\S{8,}/i,
];

export function looksLikeCredential(value: Scalar): boolean {
  return typeof value === 'string' && CREDENTIAL_VALUE.some((pattern) => pattern.test(value));
}

export class Redactor {
  private readonly words: Set<string>;
  private readonly secretPath: (path: string) => boolean;
  private readonly publicPath: (path: string) => boolean;

  constructor(options: RedactionOptions = {}) {
    this.words = new Set([...DEFAULT_SECRET_WORDS, ...(options.words ?? [])].map((word) => word.toLowerCase()));
    this.secretPath = subtreeMatcher(options.paths ?? []);
    this.publicPath = subtreeMatcher(options.publicPaths ?? []);
  }

  /**
   * A word matches a key word when equal, or when the key word contains it and the word is long
   * enough not to hit by accident ("pgpassword", "APIKEY" contain "password", "apikey"; "monkey"
   * does not make a secret of "key").
   */
  private secretWord(word: string): boolean {
    if (this.words.has(word)) return true;
    for (const secret of this.words) if (secret.length >= 5 && word.includes(secret)) return true;
    return false;
  }

  secretKey(path: string): boolean {
    if (this.secretPath(path)) return true;
    if (this.publicPath(path)) return false;
    return names(path).some((name) => words(name).some((word) => this.secretWord(word)));
  }

  /** Whether a difference at `path` between these values must be hidden. */
  isSecret(path: string, ...values: Array<Scalar | undefined>): boolean {
    if (this.secretPath(path)) return true;
    if (values.some((value) => value !== undefined && looksLikeCredential(value))) return true;
    return this.secretKey(path);
  }
}
