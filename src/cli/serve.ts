import type { Server } from 'node:http';
import type { LoadedConfig } from '../config/load.js';
import { Exporter } from '../exporter.js';
import type { Logger } from '../log.js';
import { createApp } from '../server/app.js';
import { parseListenAddress } from './args.js';

export interface RunningExporter {
  exporter: Exporter;
  server: Server;
  url: string;
  close(): Promise<void>;
}

/** Starts the scheduler and the HTTP server; resolves once the port is bound. */
export async function startServing(config: LoadedConfig, listenAddress: string, log: Logger): Promise<RunningExporter> {
  const { host, port } = parseListenAddress(listenAddress);
  const exporter = new Exporter(config, log);
  const app = createApp(exporter, log);
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = app.listen(port, host ?? '::', (error?: Error) => (error ? reject(error) : resolve(listening)));
    listening.once('error', reject);
  });
  // Slow clients must not hold connections open for ever.
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  exporter.start();
  const address = server.address();
  const boundPort = typeof address === 'object' && address ? address.port : port;
  const shownHost = !host || host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  const url = `http://${shownHost}:${boundPort}/`;
  log.info({ address: `${host ?? ''}:${boundPort}`, checks: config.checks.length }, 'exporter listening');
  return {
    exporter,
    server,
    url,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await exporter.stop();
    },
  };
}
