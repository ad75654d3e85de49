#!/usr/bin/env node
import { ConfigError } from './config/errors.js';
import { loadConfigFile } from './runtime/load.js';
import { createLogger } from './log.js';
import { builtinDetectorNames, createDetectors } from './compare/detectors.js';
import { scrubFields } from './compare/privacy.js';
import { VERSION } from './version.js';
import { didYouMean } from './config/suggest.js';
import { parseFlags, UsageError, USAGE } from './cli/args.js';
import { ExitCode } from './cli/exit-codes.js';
import { serveCommand } from './cli/serve.js';
import { rejectRunFlags, runCommand, runFlagDefinitions } from './cli/run.js';
import { loadWebConfigFile } from './server/web-config.js';

const COMMANDS = ['serve', 'demo', 'check-config', 'run'];

/** Wiring only: parse flags, pick the command, map failures to exit codes. */
async function main(argv: string[]): Promise<number> {
  const { flags, values } = parseFlags(argv, runFlagDefinitions);
  if (flags.command !== 'run') rejectRunFlags(values);
  if (flags.help) {
    process.stdout.write(USAGE);
    return ExitCode.OK;
  }
  if (flags.version) {
    process.stdout.write(`fidelity-exporter ${VERSION}\n`);
    return ExitCode.OK;
  }
  const detectors = createDetectors({ builtins: builtinDetectorNames });
  const log = createLogger(flags.logLevel, (fields) => scrubFields(fields, detectors) as Record<string, unknown>, flags.logFormat);

  switch (flags.command) {
    case 'run':
      return runCommand(flags, values, log);
    case 'check-config': {
      if (!flags.configFile) throw new UsageError('check-config needs --config.file=PATH');
      const config = loadConfigFile(flags.configFile);
      process.stdout.write(
        `${flags.configFile}: valid (${Object.keys(config.root.environments).length} environments, ${config.checks.length} checks)\n`,
      );
      if (flags.webConfigFile) {
        loadWebConfigFile(flags.webConfigFile);
        process.stdout.write(`${flags.webConfigFile}: valid web configuration\n`);
      }
      return ExitCode.OK;
    }
    case 'serve':
    case 'demo':
      try {
        return await serveCommand(flags, log);
      } catch (error) {
        // A running exporter's last words go through the log, in the log's format; what the
        // operator must fix before it can start (the configuration, the flags) stays plain text.
        if (error instanceof ConfigError || error instanceof UsageError) throw error;
        log.error({ err: error instanceof Error ? error.message : String(error) }, 'exporter stopped');
        return ExitCode.RUNTIME_ERROR;
      }
    default:
      throw new UsageError(
        `unknown command "${flags.command}"${didYouMean(flags.command, COMMANDS) || ` (commands: ${COMMANDS.join(', ')})`}; see fidelity-exporter --help`,
      );
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(ExitCode.CONFIG_ERROR);
    }
    if (error instanceof UsageError) {
      console.error(`fidelity-exporter: ${error.message}`);
      process.exit(ExitCode.CONFIG_ERROR);
    }
    const message = error instanceof Error ? error.message : String(error);
    console.error(`fidelity-exporter: ${message}`);
    process.exit(ExitCode.RUNTIME_ERROR);
  },
);
