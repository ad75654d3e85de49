// Starts the real Debian `prometheus-alertmanager` for tests: loopback only, random port,
// temp directory, clustering off.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, LOOPBACK, requireBinary, ServerProcess, tailFile } from './binaries.js';

export interface AlertmanagerServer {
  readonly url: string;
  /** host:port, for Prometheus' alerting config. */
  readonly address: string;
  /** Alerts Alertmanager currently holds. */
  alerts(): Promise<Array<{ labels: Record<string, string>; status: { state: string } }>>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

/** `config` is the alertmanager.yml content. */
export async function startAlertmanager(config: string): Promise<AlertmanagerServer> {
  const binary = requireBinary('prometheus-alertmanager', 'prometheus-alertmanager', ['/usr/bin/prometheus-alertmanager']);
  const dir = await mkdtemp(join(tmpdir(), 'fidelity-alertmanager-'));
  try {
    await writeFile(join(dir, 'alertmanager.yml'), config);
    const port = await freePort();
    const address = `${LOOPBACK}:${port}`;
    const url = `http://${address}/`;
    const logFile = join(dir, 'alertmanager.log');
    const server = ServerProcess.spawn(
      binary,
      [
        `--config.file=${join(dir, 'alertmanager.yml')}`,
        `--storage.path=${join(dir, 'data')}`,
        `--web.listen-address=${address}`,
        // An empty cluster address turns high-availability gossip off: no second port, no peers.
        '--cluster.listen-address=',
        '--log.level=warn',
      ],
      { cwd: dir, logFile },
    );
    await server.waitUntilReady(`Alertmanager on port ${port}`, READY_TIMEOUT_MS, async () => (await fetch(new URL('-/ready', url))).ok);
    return {
      url,
      address,
      alerts: async () =>
        (await (await fetch(new URL('api/v2/alerts', url))).json()) as Array<{ labels: Record<string, string>; status: { state: string } }>,
      log: () => tailFile(logFile, 50),
      stop: async () => {
        await server.stop('SIGTERM', 10_000);
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
