#!/usr/bin/env node
import { ConfigError } from './config/errors.js';
import { loadConfigFile, type LoadedConfig } from './config/load.js';
import { createLogger } from './log.js';
import { builtinDetectorNames, createDetectors } from './compare/detectors.js';
import { scrubFields } from './compare/privacy.js';
import { VERSION } from './version.js';
import { parseFlags, UsageError, USAGE } from './cli/args.js';
import { ExitCode } from './cli/exit-codes.js';
import { prepareDemo } from './cli/demo.js';
import { startServing } from './cli/serve.js';
import { rejectRunFlags, runCommand, runFlagDefinitions } from './cli/run.js';
import { loadWebConfigFile } from './server/web-config.js';

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
  const log = createLogger(flags.logLevel, (fields) => scrubFields(fields, detectors) as Record<string, unknown>);

  switch (flags.command) {
    case 'run':
      return runCommand(flags, values, log);
    case 'check-config': {
      if (!flags.configFile) throw new UsageError('check-config needs --config.file=PATH');
      const config = loadConfigFile(flags.configFile);
      process.stdout.write(`${flags.configFile}: valid (${Object.keys(config.root.environments).length} environments, ${config.checks.length} checks)\n`);
      if (flags.webConfigFile) {
        loadWebConfigFile(flags.webConfigFile);
        process.stdout.write(`${flags.webConfigFile}: valid web configuration\n`);
      }
      return ExitCode.OK;
    }
    case 'serve':
    case 'demo': {
      let config: LoadedConfig;
      let cleanup = async () => {};
      // Refused at start, before anything else happens, with the key at fault.
      const webConfig = flags.webConfigFile ? loadWebConfigFile(flags.webConfigFile) : undefined;
      const configFile = flags.command === 'serve' ? flags.configFile : undefined;
      if (configFile) {
        config = loadConfigFile(configFile);
      } else {
        const demo = await prepareDemo();
        config = demo.config;
        cleanup = demo.stop;
      }
      const running = await startServing(config, flags.listenAddress, log, {
        webConfig,
        configFile,
        webConfigFile: flags.webConfigFile,
        headersTimeoutMs: flags.headersTimeoutMs,
        requestTimeoutMs: flags.requestTimeoutMs,
        shard: flags.shard,
      });
      process.on('SIGHUP', () => void running.reload('SIGHUP'));
      if (!flags.configFile || flags.command === 'demo') {
        process.stdout.write(`fidelity-exporter demo running: open ${running.url} (metrics at ${running.url}metrics)\n`);
      }
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      log.info('shutting down');
      await running.close();
      await cleanup();
      return ExitCode.OK;
    }
    default:
      throw new UsageError(`unknown command "${flags.command}"\n\n${USAGE}`);
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
