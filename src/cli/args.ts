import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { parseDuration } from '../config/duration.js';
import { didYouMean } from '../config/suggest.js';
import { logFormats, type LogFormat } from '../log.js';
import { parseShard, shardFromHostname, ShardError, type Shard } from '../scheduler/shard.js';

/**
 * Command-line flags in the Prometheus exporters' style (--config.file, --web.listen-address).
 * Unknown flags are errors.
 */
export const DEFAULT_LISTEN_ADDRESS = ':9847';

export const flagDefinitions = {
  'config.file': { type: 'string' },
  'web.listen-address': { type: 'string', default: DEFAULT_LISTEN_ADDRESS },
  'log.level': { type: 'string', default: 'info' },
  'log.format': { type: 'string', default: 'json' },
  // Operating: web config (TLS, auth), slow-client limits, sharding (docs/operations.md).
  'web.config.file': { type: 'string' },
  'web.headers-timeout': { type: 'string', default: '10s' },
  'web.request-timeout': { type: 'string', default: '30s' },
  'web.keep-alive-timeout': { type: 'string', default: '5s' },
  'web.max-connections': { type: 'string', default: '1024' },
  shard: { type: 'string' },
  'shard.from-hostname': { type: 'boolean', default: false },
  'shard.count': { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

export interface CommonFlags {
  command: string;
  configFile?: string;
  listenAddress: string;
  logLevel: string;
  logFormat: LogFormat;
  webConfigFile?: string;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  shard?: Shard;
  help: boolean;
  version: boolean;
  positionals: string[];
}

export class UsageError extends Error {}

type FlagDefinitions = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;

const HELP_POINTER = 'see fidelity-exporter --help';

/** An unknown or misspelt flag, in one line: its name, the closest known flag, where the list is. */
function checkFlagNames(argv: string[], options: FlagDefinitions): void {
  const shorts = new Set(Object.values(options).flatMap((option) => (option.short ? [option.short] : [])));
  for (const arg of argv) {
    if (arg === '--') return;
    if (arg.startsWith('--')) {
      const name = arg.slice(2).split('=')[0] ?? '';
      if (!Object.hasOwn(options, name))
        throw new UsageError(`unknown flag --${name}${didYouMean(name, Object.keys(options), (flag) => `--${flag}`)}; ${HELP_POINTER}`);
    } else if (arg.startsWith('-') && arg.length > 1) {
      const letter = arg.slice(1, 2);
      if (!shorts.has(letter)) {
        const long = arg.slice(1).split('=')[0] ?? '';
        throw new UsageError(`unknown flag -${letter}${didYouMean(long, Object.keys(options), (flag) => `--${flag}`)}; ${HELP_POINTER}`);
      }
    }
  }
}

/** Node's parser messages ("Option '--x <value>' argument missing") as one plain line. */
function flagProblem(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as NodeJS.ErrnoException).code;
  const flag = /'(?:-\w, )?(--?[^' ]+)/.exec(message)?.[1] ?? 'a flag';
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' && /argument missing/.test(message))
    return `flag ${flag} needs a value (${flag}=VALUE); ${HELP_POINTER}`;
  if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') return `flag ${flag} takes no value; ${HELP_POINTER}`;
  return `${message.split('\n')[0] ?? message}; ${HELP_POINTER}`;
}

export function parseFlags(argv: string[], extra: FlagDefinitions = {}) {
  const options = { ...flagDefinitions, ...extra };
  checkFlagNames(argv, options);
  const parsed = parseValues(argv, options);
  const values = parsed.values as Record<string, unknown>;
  const [command = 'serve', ...positionals] = parsed.positionals;
  const flags: CommonFlags = {
    command,
    configFile: values['config.file'] as string | undefined,
    listenAddress: String(values['web.listen-address']),
    logLevel: choiceFlag(values, 'log.level', LOG_LEVELS),
    logFormat: choiceFlag(values, 'log.format', logFormats),
    webConfigFile: values['web.config.file'] as string | undefined,
    headersTimeoutMs: timeoutFlag(values, 'web.headers-timeout'),
    requestTimeoutMs: timeoutFlag(values, 'web.request-timeout'),
    keepAliveTimeoutMs: timeoutFlag(values, 'web.keep-alive-timeout'),
    maxConnections: countFlag(values, 'web.max-connections', 1, 100_000),
    shard: shardFlags(values),
    help: Boolean(values.help),
    version: Boolean(values.version),
    positionals,
  };
  return { flags, values };
}

function parseValues(argv: string[], options: FlagDefinitions): { values: object; positionals: string[] } {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(flagProblem(error));
  }
}

const LOG_LEVELS = ['debug', 'info', 'warn', 'error'] as const;

function choiceFlag<T extends string>(values: Record<string, unknown>, flag: string, choices: readonly T[]): T {
  const value = String(values[flag]);
  if ((choices as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`--${flag}: must be one of ${choices.join(', ')}, not "${value}"${didYouMean(value, choices)}; ${HELP_POINTER}`);
}

function timeoutFlag(values: Record<string, unknown>, flag: string): number {
  const ms = parseDuration(String(values[flag]));
  if (ms === null || ms < 100)
    throw new UsageError(`--${flag}: expected a duration of at least 100ms such as 10s, got "${String(values[flag])}"`);
  return ms;
}

function countFlag(values: Record<string, unknown>, flag: string, min: number, max: number): number {
  const text = String(values[flag]);
  const count = /^\d{1,6}$/.test(text) ? Number(text) : Number.NaN;
  if (!(count >= min && count <= max)) throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}, got "${text}"`);
  return count;
}

/** --shard=i/n, or --shard.from-hostname with --shard.count=n (StatefulSet pods are NAME-<ordinal>). */
export function shardFlags(values: Record<string, unknown>, host: string = hostname()): Shard | undefined {
  const explicit = values.shard as string | undefined;
  const fromHostname = Boolean(values['shard.from-hostname']);
  const countText = values['shard.count'] as string | undefined;
  try {
    if (explicit !== undefined) {
      if (fromHostname || countText !== undefined)
        throw new ShardError('--shard: use either --shard=i/n or --shard.from-hostname with --shard.count, not both');
      return parseShard(explicit);
    }
    if (!fromHostname) {
      if (countText !== undefined) throw new ShardError('--shard.count: needs --shard.from-hostname');
      return undefined;
    }
    if (countText === undefined || !/^\d{1,5}$/.test(countText))
      throw new ShardError(`--shard.count: expected the number of replicas, got "${countText ?? ''}"`);
    return shardFromHostname(host, Number(countText));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

/** ":9847" -> all interfaces; "127.0.0.1:0" -> a free port on loopback. */
export function parseListenAddress(address: string): { host?: string; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:]*)):(\d{1,5})$/.exec(address);
  const port = Number(match?.[3]);
  if (!match || port > 65535) throw new UsageError(`--web.listen-address: expected [host]:port, got "${address}"`);
  const host = match[1] ?? match[2];
  return { host: host === '' ? undefined : host, port };
}

export const USAGE = `Usage: fidelity-exporter [command] [flags]

Commands:
  serve          run the exporter (default); without --config.file it runs the embedded demo
  demo           run the embedded demo: two shop databases with deliberate drift
  check-config   validate --config.file and exit 0 (valid) or 3 (invalid); touches no database
  run            run the checks once and gate on the scores (for CI pipelines); exit codes:
                 0 gate passed, 1 gate failed, 2 inconclusive, 3 configuration error, 4 runtime error

Flags:
  --config.file=PATH              configuration file (YAML)
  --web.listen-address=[HOST]:PORT address to serve /metrics, /api/v1/results and / on (default ${DEFAULT_LISTEN_ADDRESS})
  --log.level=LEVEL               debug, info, warn or error (default info)
  --log.format=FORMAT             json (one JSON object a line, default) or logfmt
  --web.config.file=PATH          TLS, basic auth and bearer token (exporter-toolkit format; see docs/operations.md)
  --web.headers-timeout=DURATION  close connections whose request headers take longer (default 10s)
  --web.request-timeout=DURATION  close connections whose whole request takes longer (default 30s)
  --web.keep-alive-timeout=DURATION close kept-alive connections idle this long after a response (default 5s)
  --web.max-connections=COUNT     incoming connections open at once; further ones are closed at once (default 1024)
  --shard=INDEX/COUNT             run only the checks this replica owns (e.g. 0/3, 1/3, 2/3)
  --shard.from-hostname           take INDEX from the host name NAME-<ordinal> (StatefulSet); needs --shard.count
  --shard.count=COUNT             number of replicas, with --shard.from-hostname
  --version                       print the version
  -h, --help                      print this help

Flags of run (each selection flag may repeat or take a comma-separated list):
  --check=NAME                    run only these checks (a named check runs even when disabled)
  --kind=KIND                     run only checks of these kinds
  --candidate=ENV                 run only checks whose candidate is one of these environments
  --output.json=FILE              write the results and the gate as JSON
  --output.junit=FILE             write JUnit XML, one test case per check
  --report=FILE                   write the HTML audit report
`;
