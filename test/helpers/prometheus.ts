// Starts the real Debian `prometheus` for tests: loopback only, random port, temp directory,
// short scrape and evaluation intervals, our rule files loaded.
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { freePort, LOOPBACK, requireBinary, ServerProcess, tailFile } from './binaries.js';

export interface StartPrometheusOptions {
  /** host:port of each scrape target. */
  targets: readonly string[];
  /** Job name of the targets (the rules select it). */
  job: string;
  /** File name -> content of rule files to load. */
  ruleFiles?: Record<string, string>;
  /** host:port of an Alertmanager to notify. */
  alertmanager?: string;
  /** Scrape and rule evaluation interval; default 1s. */
  interval?: string;
}

export interface PrometheusAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  state: 'pending' | 'firing';
  value: string;
}

export interface PrometheusServer {
  readonly url: string;
  readonly dir: string;
  /** Instant query; returns the result vector. */
  query(expr: string): Promise<Array<{ metric: Record<string, string>; value: [number, string] }>>;
  /** Active (pending or firing) alerts. */
  alerts(): Promise<PrometheusAlert[]>;
  /** Health of each scrape target ("up", "down", "unknown") with its last error. */
  targets(): Promise<Array<{ scrapeUrl: string; health: string; lastError: string }>>;
  log(): Promise<string>;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

async function api<T>(base: string, path: string): Promise<T> {
  const response = await fetch(new URL(path, base));
  const body = (await response.json()) as { status: string; data: T; error?: string };
  if (body.status !== 'success') throw new Error(`Prometheus ${path}: ${body.error ?? response.status}`);
  return body.data;
}

export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  const binary = requireBinary('prometheus', 'prometheus', ['/usr/bin/prometheus']);
  const dir = await mkdtemp(join(tmpdir(), 'fidelity-prometheus-'));
  const interval = options.interval ?? '1s';
  try {
    await mkdir(join(dir, 'rules'));
    for (const [name, content] of Object.entries(options.ruleFiles ?? {})) await writeFile(join(dir, 'rules', name), content);
    const config = {
      global: { scrape_interval: interval, scrape_timeout: interval, evaluation_interval: interval },
      rule_files: [join(dir, 'rules', '*.yml')],
      ...(options.alertmanager ? { alerting: { alertmanagers: [{ static_configs: [{ targets: [options.alertmanager] }] }] } } : {}),
      scrape_configs: [{ job_name: options.job, static_configs: [{ targets: [...options.targets] }] }],
    };
    await writeFile(join(dir, 'prometheus.yml'), stringify(config));
    const port = await freePort();
    const logFile = join(dir, 'prometheus.log');
    const url = `http://${LOOPBACK}:${port}/`;
    const server = ServerProcess.spawn(
      binary,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${LOOPBACK}:${port}`,
        // Send alerts to Alertmanager promptly and resend often: the test waits on them.
        '--rules.alert.resend-delay=1s',
        '--log.level=warn',
      ],
      { cwd: dir, logFile },
    );
    await server.waitUntilReady(`Prometheus on port ${port}`, READY_TIMEOUT_MS, async () => (await fetch(new URL('-/ready', url))).ok);
    return {
      url,
      dir,
      query: async (expr) =>
        (
          await api<{ result: Array<{ metric: Record<string, string>; value: [number, string] }> }>(
            url,
            `api/v1/query?query=${encodeURIComponent(expr)}`,
          )
        ).result,
      alerts: async () => (await api<{ alerts: PrometheusAlert[] }>(url, 'api/v1/alerts')).alerts,
      targets: async () =>
        (await api<{ activeTargets: Array<{ scrapeUrl: string; health: string; lastError: string }> }>(url, 'api/v1/targets'))
          .activeTargets,
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
