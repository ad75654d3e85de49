import { createServer as createHttpServer, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { TLSSocket } from 'node:tls';
import { loadConfigFile, type LoadedConfig } from '../runtime/load.js';
import { Exporter } from '../runtime/exporter.js';
import type { Logger } from '../log.js';
import type { Shard } from '../scheduler/shard.js';
import { createApp } from '../server/app.js';
import { unsupportedRuntime, VERSION } from '../version.js';
import { EMPTY_WEB_CONFIG, loadWebConfigFile, type WebConfig } from '../server/web-config.js';
import { WebState } from '../server/web-state.js';
import { Reloader, type ReloadOutcome } from '../runtime/reload.js';
import { parseListenAddress, type CommonFlags } from './args.js';
import { prepareDemo } from './demo.js';
import { ExitCode } from './exit-codes.js';

export interface RunningExporter {
  exporter: Exporter;
  server: Server;
  url: string;
  /** Loads the configuration (and web configuration) files again; a bad one keeps the old. */
  reload(trigger: string): Promise<ReloadOutcome>;
  close(): Promise<void>;
}

export interface ServeOptions {
  webConfig?: WebConfig;
  /** Files a reload reads again. */
  configFile?: string;
  webConfigFile?: string;
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  /** Incoming connections open at once; Node closes further ones as they are accepted. */
  maxConnections?: number;
  shard?: Shard;
}

/** Starts the scheduler and the HTTP(S) server; resolves once the port is bound. */
export async function startServing(
  config: LoadedConfig,
  listenAddress: string,
  log: Logger,
  options: ServeOptions = {},
): Promise<RunningExporter> {
  const { host, port } = parseListenAddress(listenAddress);
  const exporter = new Exporter(config, log, { shard: options.shard });
  const web = new WebState(options.webConfig ?? EMPTY_WEB_CONFIG);
  const { webConfigFile } = options;
  const reloadCompanion = webConfigFile ? () => web.apply(loadWebConfigFile(webConfigFile)) : undefined;
  const reloader = new Reloader({ exporter, log, configFile: options.configFile, reloadCompanion });
  const app = createApp(exporter, log, { web, reload: (trigger) => reloader.reload(trigger) });

  const tls = web.config.tls;
  const server = createLimitedServer(app, web, log, options);
  web.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    // Without a host Node listens on :: and falls back to 0.0.0.0 where IPv6 is off (many containers).
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (error) => log.error({ err: error.message }, 'server error'));
  exporter.start();
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `${tls ? 'https' : 'http'}://${shownHost}:${boundPort}/`;
  log.info(
    {
      address: `${host ?? ''}:${boundPort}`,
      version: VERSION,
      nodeVersion: process.version,
      tls: Boolean(tls),
      clientAuth: tls?.clientAuthType,
      basicAuth: web.config.basicAuthUsers.size > 0,
      bearerToken: Boolean(web.config.bearerToken),
      shard: options.shard ? `${options.shard.index}/${options.shard.count}` : undefined,
      checks: exporter.config.checks.length,
      configuredChecks: config.checks.length,
    },
    'exporter listening',
  );
  const runtimeProblem = unsupportedRuntime();
  if (runtimeProblem) log.warn(runtimeProblem);
  return {
    exporter,
    server,
    url,
    reload: (trigger) => reloader.reload(trigger),
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await exporter.stop();
    },
  };
}

/** `serve` and `demo`: one exporter (the demo's without --config.file) behind the HTTP server until SIGINT/SIGTERM. */
export async function serveCommand(flags: CommonFlags, log: Logger): Promise<ExitCode> {
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
    keepAliveTimeoutMs: flags.keepAliveTimeoutMs,
    maxConnections: flags.maxConnections,
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

/** The HTTP(S) server with the incoming limits of docs/operations.md (slow clients, floods). */
function createLimitedServer(app: RequestListener, web: WebState, log: Logger, options: ServeOptions): Server {
  // Slow clients must not hold connections open for ever: the headers and the whole request have
  // deadlines, checked every second (Node's default check runs only every 30 s). The headers
  // deadline runs from the connection's start, so a socket that never sends a byte is closed too.
  const headersTimeout = options.headersTimeoutMs ?? 10_000;
  const limits = {
    headersTimeout,
    requestTimeout: Math.max(options.requestTimeoutMs ?? 30_000, headersTimeout),
    keepAliveTimeout: options.keepAliveTimeoutMs ?? 5_000,
    connectionsCheckingInterval: Math.min(1_000, headersTimeout),
    maxHeaderSize: 16 * 1024,
  };
  const tls = web.config.tls;
  const server: Server = tls
    ? createHttpsServer(
        {
          ...limits,
          ...tls.context,
          requestCert: tls.requestCert,
          rejectUnauthorized: tls.rejectUnauthorized,
          handshakeTimeout: headersTimeout,
        },
        app,
      )
    : createHttpServer(limits, app);
  if (tls) enforceClientCertificates(server as HttpsServer, () => web.config, log);
  // A flood of connections costs at most this many file descriptors; those beyond are closed at once.
  server.maxConnections = options.maxConnections ?? 1024;
  server.on('drop', (data?: { remoteAddress?: string }) => log.debug({ remote: data?.remoteAddress }, 'connection refused: too many open'));
  return server;
}

/**
 * node:tls can fail the handshake only for RequireAndVerifyClientCert; the two policies in between
 * are enforced here, right after the handshake and before any request is read.
 */
function enforceClientCertificates(server: HttpsServer, current: () => WebConfig, log: Logger): void {
  server.on('secureConnection', (socket: TLSSocket) => {
    const policy = current().tls?.clientAuthType;
    const presented = Object.keys(socket.getPeerCertificate() ?? {}).length > 0;
    const refuse =
      (policy === 'RequireAnyClientCert' && !presented) || (policy === 'VerifyClientCertIfGiven' && presented && !socket.authorized);
    if (refuse) {
      log.debug(
        { remote: socket.remoteAddress, policy, presented, reason: socket.authorizationError },
        'TLS connection refused: client certificate',
      );
      socket.destroy();
    }
  });
  server.on('tlsClientError', (error, socket) => {
    log.debug({ remote: socket.remoteAddress, err: error.message }, 'TLS handshake failed');
  });
}
