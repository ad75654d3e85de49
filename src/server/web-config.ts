import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { createSecureContext, type SecureContextOptions, type SecureVersion } from 'node:tls';
import bcrypt from 'bcryptjs';
import { parseDocument } from 'yaml';
import { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../config/errors.js';
import { zodProblems } from '../config/zod-problems.js';
import { Secret } from '../config/secret.js';

/**
 * `--web.config.file`: the exporter-toolkit format that node_exporter and blackbox_exporter read
 * (tls_server_config, http_server_config, basic_auth_users), plus `bearer_token`/`bearer_token_file`
 * for the write endpoints. Everything is validated at load time; problems name the key.
 */

const TLS_VERSIONS = { TLS10: 'TLSv1', TLS11: 'TLSv1.1', TLS12: 'TLSv1.2', TLS13: 'TLSv1.3' } as const satisfies Record<
  string,
  SecureVersion
>;

/** Go cipher-suite names (what exporter-toolkit accepts) to OpenSSL names. TLS 1.3 suites are not configurable, as in Go. */
export const CIPHER_SUITES: Record<string, string> = {
  TLS_RSA_WITH_AES_128_CBC_SHA: 'AES128-SHA',
  TLS_RSA_WITH_AES_256_CBC_SHA: 'AES256-SHA',
  TLS_RSA_WITH_AES_128_CBC_SHA256: 'AES128-SHA256',
  TLS_RSA_WITH_AES_128_GCM_SHA256: 'AES128-GCM-SHA256',
  TLS_RSA_WITH_AES_256_GCM_SHA384: 'AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA: 'ECDHE-ECDSA-AES128-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA: 'ECDHE-ECDSA-AES256-SHA',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA: 'ECDHE-RSA-AES128-SHA',
  TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA: 'ECDHE-RSA-AES256-SHA',
  TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256: 'ECDHE-ECDSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256: 'ECDHE-RSA-AES128-SHA256',
  TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256: 'ECDHE-RSA-AES128-GCM-SHA256',
  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256: 'ECDHE-ECDSA-AES128-GCM-SHA256',
  TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384: 'ECDHE-RSA-AES256-GCM-SHA384',
  TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384: 'ECDHE-ECDSA-AES256-GCM-SHA384',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256: 'ECDHE-ECDSA-CHACHA20-POLY1305',
  TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305: 'ECDHE-RSA-CHACHA20-POLY1305',
  TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305: 'ECDHE-ECDSA-CHACHA20-POLY1305',
};
const TLS13_SUITES = ['TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256', 'TLS_AES_128_GCM_SHA256'];

const CURVES = { X25519: 'X25519', CurveP256: 'P-256', CurveP384: 'P-384', CurveP521: 'P-521' } as const;

export const CLIENT_AUTH_TYPES = [
  'NoClientCert',
  'RequestClientCert',
  'RequireAnyClientCert',
  'VerifyClientCertIfGiven',
  'RequireAndVerifyClientCert',
] as const;
export type ClientAuthType = (typeof CLIENT_AUTH_TYPES)[number];

/** Response headers an operator may set, as in exporter-toolkit; anything else is refused. */
const ALLOWED_HEADERS: Record<string, (value: string) => string | undefined> = {
  'Strict-Transport-Security': () => undefined,
  'Content-Security-Policy': () => undefined,
  'X-Content-Type-Options': (value) => (value.toLowerCase() === 'nosniff' ? undefined : 'must be "nosniff"'),
  'X-Frame-Options': (value) => (['deny', 'sameorigin'].includes(value.toLowerCase()) ? undefined : 'must be "deny" or "sameorigin"'),
  'X-XSS-Protection': (value) =>
    /^(0|1|1; *mode=block|1; *report=\S+)$/i.test(value) ? undefined : 'must be "0", "1", "1; mode=block" or "1; report=<uri>"',
};

const tlsVersion = z.enum(Object.keys(TLS_VERSIONS) as [keyof typeof TLS_VERSIONS, ...(keyof typeof TLS_VERSIONS)[]]);

const webConfigSchema = z.strictObject({
  tls_server_config: z
    .strictObject({
      cert_file: z.string().optional(),
      key_file: z.string().optional(),
      cert: z.string().optional(),
      key: z.string().optional(),
      client_auth_type: z.enum(CLIENT_AUTH_TYPES).optional(),
      client_ca_file: z.string().optional(),
      min_version: tlsVersion.default('TLS12'),
      max_version: tlsVersion.default('TLS13'),
      cipher_suites: z.array(z.enum(Object.keys(CIPHER_SUITES) as [string, ...string[]])).optional(),
      curve_preferences: z.array(z.enum(Object.keys(CURVES) as [keyof typeof CURVES, ...(keyof typeof CURVES)[]])).optional(),
      prefer_server_cipher_suites: z.boolean().optional(),
    })
    .nullish(),
  http_server_config: z
    .strictObject({
      headers: z.record(z.string(), z.string()).nullish(),
      // Accepted for compatibility with toolkit files; the exporter serves HTTP/1.1.
      http2: z.boolean().optional(),
    })
    .nullish(),
  basic_auth_users: z.record(z.string(), z.string()).nullish(),
  bearer_token: z.string().optional(),
  bearer_token_file: z.string().optional(),
});

export interface TlsSettings {
  clientAuthType: ClientAuthType;
  /** What node:tls needs for the certificate, key, CA, versions and ciphers (setSecureContext takes it too). */
  context: SecureContextOptions;
  requestCert: boolean;
  /** True only for RequireAndVerifyClientCert: the handshake itself fails without a trusted client certificate. */
  rejectUnauthorized: boolean;
}

export interface WebConfig {
  file?: string;
  tls?: TlsSettings;
  /** Extra response headers (canonical names). */
  headers: Record<string, string>;
  /** user name -> bcrypt hash */
  basicAuthUsers: Map<string, string>;
  bearerToken?: Secret;
}

export const EMPTY_WEB_CONFIG: WebConfig = { headers: {}, basicAuthUsers: new Map() };

export const MIN_BEARER_TOKEN_LENGTH = 16;
/** Each step doubles the time of a login; 10-12 is usual, 17 already takes seconds. */
const MAX_BCRYPT_COST = 17;
const BCRYPT_HASH = /^\$2[aby]?\$(\d\d)\$[./A-Za-z0-9]{53}$/;

export class WebConfigError extends ConfigError {
  constructor(problems: ConfigProblem[], file?: string) {
    super(problems, file);
    this.name = 'WebConfigError';
    this.message = this.message.replace(/^invalid configuration/, 'invalid web configuration');
  }
}

function readText(file: string, baseDir: string, path: string, problems: ConfigProblem[], what: string): string | undefined {
  const absolute = resolve(baseDir, file);
  try {
    return readFileSync(absolute, 'utf8');
  } catch (error) {
    problems.push({ path, message: `cannot read ${what} ${absolute} (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` });
    return undefined;
  }
}

type TlsInput = NonNullable<z.output<typeof webConfigSchema>['tls_server_config']>;

function tlsSettings(input: TlsInput, baseDir: string, problems: ConfigProblem[]): TlsSettings | undefined {
  const at = (key: string) => `tls_server_config.${key}`;
  const before = problems.length;
  if (input.cert_file !== undefined && input.cert !== undefined)
    problems.push({ path: at('cert'), message: 'set either cert or cert_file, not both' });
  if (input.key_file !== undefined && input.key !== undefined)
    problems.push({ path: at('key'), message: 'set either key or key_file, not both' });
  const hasCert = input.cert_file !== undefined || input.cert !== undefined;
  const hasKey = input.key_file !== undefined || input.key !== undefined;
  if (!hasCert) problems.push({ path: at('cert_file'), message: 'is required when tls_server_config is set' });
  if (!hasKey) problems.push({ path: at('key_file'), message: 'is required when tls_server_config is set' });

  const clientAuthType: ClientAuthType = input.client_auth_type ?? (input.client_ca_file ? 'RequireAndVerifyClientCert' : 'NoClientCert');
  const verifies = clientAuthType === 'VerifyClientCertIfGiven' || clientAuthType === 'RequireAndVerifyClientCert';
  if (verifies && input.client_ca_file === undefined)
    problems.push({ path: at('client_ca_file'), message: `is required with client_auth_type ${clientAuthType}` });
  if (!verifies && input.client_ca_file !== undefined)
    problems.push({
      path: at('client_ca_file'),
      message: `is set but client_auth_type ${clientAuthType} does not verify client certificates`,
    });
  if (Number(input.min_version.slice(3)) > Number(input.max_version.slice(3)))
    problems.push({ path: at('min_version'), message: `${input.min_version} is above max_version ${input.max_version}` });
  if (problems.length > before) return undefined;

  const cert = input.cert ?? readText(input.cert_file ?? '', baseDir, at('cert_file'), problems, 'certificate');
  const key = input.key ?? readText(input.key_file ?? '', baseDir, at('key_file'), problems, 'key');
  const ca =
    input.client_ca_file === undefined ? undefined : readText(input.client_ca_file, baseDir, at('client_ca_file'), problems, 'client CA');
  if (cert === undefined || key === undefined || (input.client_ca_file !== undefined && ca === undefined)) return undefined;

  const certKey = input.cert === undefined ? 'cert_file' : 'cert';
  const keyKey = input.key === undefined ? 'key_file' : 'key';
  try {
    new X509Certificate(cert);
  } catch {
    problems.push({ path: at(certKey), message: 'is not a PEM certificate' });
  }
  try {
    createPrivateKey(key);
  } catch {
    // The key's content is never echoed.
    problems.push({ path: at(keyKey), message: 'is not a PEM private key' });
  }
  if (ca !== undefined) {
    try {
      new X509Certificate(ca);
    } catch {
      problems.push({ path: at('client_ca_file'), message: 'is not a PEM certificate' });
    }
  }
  if (problems.length > before) return undefined;

  const context: SecureContextOptions = {
    cert,
    key,
    ca,
    minVersion: TLS_VERSIONS[input.min_version],
    maxVersion: TLS_VERSIONS[input.max_version],
  };
  if (input.cipher_suites) context.ciphers = [...input.cipher_suites.map((name) => CIPHER_SUITES[name]), ...TLS13_SUITES].join(':');
  if (input.curve_preferences) context.ecdhCurve = input.curve_preferences.map((name) => CURVES[name]).join(':');
  if (input.prefer_server_cipher_suites !== undefined) context.honorCipherOrder = input.prefer_server_cipher_suites;
  try {
    createSecureContext(context);
  } catch (error) {
    const message = (error as Error).message;
    if (/key values mismatch/i.test(message)) problems.push({ path: at(keyKey), message: `does not match the certificate in ${certKey}` });
    else problems.push({ path: 'tls_server_config', message: `rejected by TLS: ${message}` });
    return undefined;
  }
  return {
    clientAuthType,
    context,
    requestCert: clientAuthType !== 'NoClientCert',
    rejectUnauthorized: clientAuthType === 'RequireAndVerifyClientCert',
  };
}

function headersOf(input: Record<string, string>, problems: ConfigProblem[]): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(input)) {
    const canonical = Object.keys(ALLOWED_HEADERS).find((allowed) => allowed.toLowerCase() === name.toLowerCase());
    const path = `http_server_config.headers[${JSON.stringify(name)}]`;
    if (!canonical) {
      problems.push({ path, message: `header not allowed (allowed: ${Object.keys(ALLOWED_HEADERS).join(', ')})` });
      continue;
    }
    const invalid = /[\r\n]/.test(value) ? 'must be one line' : ALLOWED_HEADERS[canonical]?.(value);
    if (invalid) problems.push({ path, message: invalid });
    else headers[canonical] = value;
  }
  return headers;
}

function usersOf(input: Record<string, string>, problems: ConfigProblem[]): Map<string, string> {
  const users = new Map<string, string>();
  for (const [user, hash] of Object.entries(input)) {
    const path = `basic_auth_users[${JSON.stringify(user)}]`;
    if (user === '' || user.includes(':')) problems.push({ path, message: 'user names must be non-empty and contain no ":"' });
    // The value is a hash, but still never echoed: someone may have pasted a password there.
    else if (typeof hash !== 'string' || !BCRYPT_HASH.test(hash))
      problems.push({ path, message: 'must be a bcrypt hash ($2y$10$... as htpasswd -B or the bcrypt tool print it)' });
    else if (bcryptCost(hash) > MAX_BCRYPT_COST)
      problems.push({ path, message: `bcrypt cost ${bcryptCost(hash)} is above ${MAX_BCRYPT_COST}: every login would take seconds` });
    else users.set(user, hash);
  }
  return users;
}

/** Validates a parsed web config document; relative paths resolve against `baseDir`. */
export function webConfigFromObject(document: unknown, options: { baseDir: string; file?: string }): WebConfig {
  const parsed = webConfigSchema.safeParse(document ?? {}, { reportInput: true });
  if (!parsed.success) throw new WebConfigError(zodProblems(parsed.error, [], webConfigSchema), options.file);
  const input = parsed.data;
  const problems: ConfigProblem[] = [];

  const tlsInput = input.tls_server_config;
  // As in exporter-toolkit, an empty tls_server_config means plain HTTP; any key in it turns TLS on.
  const rawTls = (document as { tls_server_config?: unknown } | null)?.tls_server_config;
  const tlsWanted = tlsInput && typeof rawTls === 'object' && rawTls !== null && Object.keys(rawTls).length > 0;
  const tls = tlsInput && tlsWanted ? tlsSettings(tlsInput, options.baseDir, problems) : undefined;
  const headers = headersOf(input.http_server_config?.headers ?? {}, problems);
  const basicAuthUsers = usersOf(input.basic_auth_users ?? {}, problems);

  let bearerToken: Secret | undefined;
  if (input.bearer_token !== undefined && input.bearer_token_file !== undefined) {
    problems.push({ path: 'bearer_token', message: 'set either bearer_token or bearer_token_file, not both' });
  } else {
    const key = input.bearer_token_file !== undefined ? 'bearer_token_file' : 'bearer_token';
    const raw =
      input.bearer_token_file !== undefined
        ? readText(input.bearer_token_file, options.baseDir, key, problems, 'token file')
        : input.bearer_token;
    const token = raw?.trim();
    if (token !== undefined && token.length < MIN_BEARER_TOKEN_LENGTH)
      problems.push({ path: key, message: `the token must be at least ${MIN_BEARER_TOKEN_LENGTH} characters` });
    else if (token !== undefined && !/^[\x21-\x7e]+$/.test(token))
      problems.push({ path: key, message: 'the token must be printable ASCII without spaces' });
    else if (token !== undefined) bearerToken = new Secret(token);
  }

  if (problems.length > 0) throw new WebConfigError(problems, options.file);
  return { file: options.file, tls, headers, basicAuthUsers, bearerToken };
}

/** Reads and validates `--web.config.file`. Throws WebConfigError naming the key at fault. */
export function loadWebConfigFile(file: string): WebConfig {
  const path = resolve(file);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new WebConfigError(
      [{ path: '', message: `cannot read web configuration file (${(error as NodeJS.ErrnoException).code ?? 'unreadable'})` }],
      file,
    );
  }
  const document = parseDocument(text, { uniqueKeys: true });
  if (document.errors.length > 0) {
    throw new WebConfigError(
      document.errors.map((error) => ({ path: '', message: `YAML syntax error: ${error.message.split('\n')[0]}` })),
      file,
    );
  }
  return webConfigFromObject(document.toJS(), { baseDir: dirname(path), file });
}

/** The cost factor of a bcrypt hash (validated by the loader). */
export function bcryptCost(hash: string): number {
  return bcrypt.getRounds(hash);
}

/** Why a new web config cannot replace the running one without a restart, or undefined when it can. */
export function reloadIncompatibility(current: WebConfig, next: WebConfig): string | undefined {
  if (Boolean(current.tls) !== Boolean(next.tls)) return 'tls_server_config: turning TLS on or off needs a restart';
  if (current.tls && next.tls && current.tls.clientAuthType !== next.tls.clientAuthType)
    return 'tls_server_config.client_auth_type: changing it needs a restart';
  return undefined;
}
