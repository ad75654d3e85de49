import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childEnv, freePort } from './binaries.js';

/** The exporter as a real child process (node + tsx on src/main.ts), for process-level tests. */

const ROOT = new URL('../../', import.meta.url).pathname;
const children = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

export function writeTempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-test-'));
  const file = join(dir, name);
  writeFileSync(file, content);
  return file;
}

export interface ExporterProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** `node` runs the exporter on another Node binary than the test's own (see scripts/node-lines.mjs). */
export async function startExporterProcess(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  options: { node?: string; startTimeoutMs?: number } = {},
): Promise<ExporterProcess> {
  const port = await freePort();
  const child = spawn(
    options.node ?? process.execPath,
    ['--import', 'tsx', 'src/main.ts', ...args, `--web.listen-address=127.0.0.1:${port}`],
    {
      cwd: ROOT,
      env: childEnv(env),
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      children.delete(child);
      resolve(code);
    }),
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.startTimeoutMs ?? 30_000);
  for (;;) {
    if (child.exitCode !== null) throw new Error(`exporter exited with ${child.exitCode}:\n${output}`);
    try {
      const response = await fetch(`${url}/-/healthy`);
      if (response.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`exporter did not start:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    child,
    output: () => output,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

/** Parses the Prometheus text format into "name{labels}" -> value, for assertions. */
export function parseMetrics(text: string): Map<string, number> {
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const split = line.lastIndexOf(' ');
    series.set(line.slice(0, split), Number(line.slice(split + 1)));
  }
  return series;
}

export async function scrape(url: string): Promise<{ series: Map<string, number>; text: string; ms: number }> {
  const started = performance.now();
  const response = await fetch(`${url}/metrics`);
  const text = await response.text();
  return { series: parseMetrics(text), text, ms: performance.now() - started };
}

export async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
