import { parseArgs } from 'node:util';

/**
 * Command-line flags in the Prometheus exporters' style (--config.file, --web.listen-address).
 * Unknown flags are errors.
 */
export const DEFAULT_LISTEN_ADDRESS = ':9847';

export const flagDefinitions = {
  'config.file': { type: 'string' },
  'web.listen-address': { type: 'string', default: DEFAULT_LISTEN_ADDRESS },
  'log.level': { type: 'string', default: 'info' },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

export interface CommonFlags {
  command: string;
  configFile?: string;
  listenAddress: string;
  logLevel: string;
  help: boolean;
  version: boolean;
  positionals: string[];
}

export class UsageError extends Error {}

export function parseFlags(argv: string[], extra: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = {}) {
  try {
    const parsed = parseArgs({ args: argv, options: { ...flagDefinitions, ...extra }, allowPositionals: true, strict: true });
    const values = parsed.values as Record<string, unknown>;
    const [command = 'serve', ...positionals] = parsed.positionals;
    const flags: CommonFlags = {
      command,
      configFile: values['config.file'] as string | undefined,
      listenAddress: String(values['web.listen-address']),
      logLevel: String(values['log.level']),
      help: Boolean(values.help),
      version: Boolean(values.version),
      positionals,
    };
    return { flags, values };
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

Flags:
  --config.file=PATH              configuration file (YAML)
  --web.listen-address=[HOST]:PORT address to serve /metrics, /api/v1/results and / on (default ${DEFAULT_LISTEN_ADDRESS})
  --log.level=LEVEL               debug, info, warn or error (default info)
  --version                       print the version
  -h, --help                      print this help
`;
