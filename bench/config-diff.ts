/**
 * Benchmark of the `config` kind.
 *
 *   npx tsx bench/config-diff.ts          (SIZES=10000,100000 DIFFERENCES=100 SCRAPE_SECONDS=8 by default)
 *
 * 1. Diff time of two parsed documents of N keys with DIFFERENCES differences (a quarter each
 *    changed, removed, added, type-changed), keyed array, ignore globs and approvals included:
 *    the tree walk the check uses (diffTreesSteps + judge), synchronous and time-sliced (the way
 *    the check runs it), median of several runs, wall and CPU time. References in the same run:
 *    flattening both documents into maps and diffing the maps (flatten + diffConfigs), and
 *    deep-diff on the same two nested documents. Parse times of the same document as JSON and
 *    YAML text are printed for context (parsing is not sliced).
 * 2. /metrics latency (p50/p99/max over sequential scrapes) of an in-process exporter whose
 *    config checks diff two 100k-key JSON files continuously, against the same exporter setup
 *    diffing 10-key files (the reference).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import deepDiff from 'deep-diff';
import { stringify as toYaml, parse as parseYaml } from 'yaml';
import { startServing } from '../src/cli/serve.js';
import { diffSteps, diffTreesSteps, judge } from '../src/compare/config-diff.js';
import { runSliced, runToEnd } from '../src/compare/slices.js';
import { flattenSteps } from '../src/compare/tree.js';
import { loadConfigObject } from '../src/runtime/load.js';
import { silentLogger } from '../src/log.js';

const SIZES = (process.env.SIZES ?? '10000,100000').split(',').map(Number);
const DIFFERENCES = Number(process.env.DIFFERENCES ?? 100);
const SCRAPE_SECONDS = Number(process.env.SCRAPE_SECONDS ?? 8);

type Tree = Record<string, unknown>;

/** N leaves as services.s{a}.group{b}.k{c} with mixed value types, plus a keyed array of servers. */
function documentOf(keys: number): Tree {
  const root: Tree = { services: {}, servers: [] as unknown[] };
  const servers = root.servers as unknown[];
  const serverCount = Math.floor(keys / 100 / 3);
  for (let i = 0; i < serverCount; i += 1) servers.push({ name: `srv-${i}`, port: 8000 + i, zone: `z${i % 3}` });
  const services = root.services as Tree;
  for (let i = 0; i < keys - serverCount * 3; i += 1) {
    const service = (services[`s${Math.floor(i / 1000)}`] ??= {}) as Tree;
    const group = (service[`group${Math.floor(i / 50) % 20}`] ??= {}) as Tree;
    group[`k${i % 50}`] = i % 3 === 0 ? i : i % 3 === 1 ? `value-${i}` : i % 2 === 0;
  }
  return root;
}

/** A copy with `count` differences spread over the document. */
function withDrift(document: Tree, count: number): Tree {
  const copy = structuredClone(document);
  const groups: Tree[] = [];
  for (const service of Object.values(copy.services as Tree))
    for (const group of Object.values(service as Tree)) groups.push(group as Tree);
  for (let d = 0; d < count; d += 1) {
    const group = groups[Math.floor((d * groups.length) / count)] as Tree;
    const key = Object.keys(group)[d % 7] as string;
    switch (d % 4) {
      case 0:
        group[key] = typeof group[key] === 'number' ? (group[key] as number) + 1 : `${String(group[key])}-changed`;
        break;
      case 1:
        delete group[key];
        break;
      case 2:
        group[`added${d}`] = d;
        break;
      default:
        group[key] = typeof group[key] === 'number' ? String(group[key]) : 12345;
    }
  }
  // Reordered keyed array: not drift when keyed by name.
  (copy.servers as unknown[]).reverse();
  return copy;
}

const RULES = {
  keyedArrays: [{ path: 'servers', key: 'name' }],
  ignore: ['services.s0.group0.k1', 'services.*.group19.k49'],
  approvals: [
    { key: 'services.s1', reason: 'bench', owner: 'bench' },
    { key: 'services.s2.group3', reason: 'bench', owner: 'bench', expiresAt: Date.now() - 1 },
  ],
};

function treeWalkSync(a: Tree, b: Tree) {
  const diff = runToEnd(diffTreesSteps(a, b, { keyedArrays: RULES.keyedArrays, ignore: RULES.ignore }));
  return judge(diff.differences, RULES.approvals, Date.now());
}

async function treeWalkSliced(a: Tree, b: Tree) {
  const diff = await runSliced(diffTreesSteps(a, b, { keyedArrays: RULES.keyedArrays, ignore: RULES.ignore }));
  return judge(diff.differences, RULES.approvals, Date.now());
}

function flatMapsSync(a: Tree, b: Tree) {
  const left = runToEnd(flattenSteps(a, { keyedArrays: RULES.keyedArrays }));
  const right = runToEnd(flattenSteps(b, { keyedArrays: RULES.keyedArrays }));
  const diff = runToEnd(diffSteps(left.values, right.values, { ignore: RULES.ignore }));
  return judge(diff.differences, RULES.approvals, Date.now());
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

/** Median wall time and median CPU time of the main thread (the machine may be shared: CPU time is steadier). */
async function timed(runs: number, work: () => unknown): Promise<{ wall: number; cpu: number }> {
  const walls: number[] = [];
  const cpus: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await work();
    const cpu = process.cpuUsage(cpuStart);
    walls.push(performance.now() - start);
    cpus.push((cpu.user + cpu.system) / 1000);
  }
  return { wall: median(walls), cpu: median(cpus) };
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

async function diffBenchmark(): Promise<void> {
  console.log(
    `load average before: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(`# diff time, ${DIFFERENCES} differences, median wall / CPU (keyed array, 2 ignore globs, 2 approvals)`);
  console.log(
    '| keys | tree walk (the check) | tree walk, sliced 5 ms | flat maps (reference) | deep-diff (reference) | flat maps / tree walk | deep-diff / tree walk | differences | JSON.parse 1 side | YAML parse 1 side |',
  );
  console.log('|---|---|---|---|---|---|---|---|---|---|');
  const both = (t: { wall: number; cpu: number }) => `${ms(t.wall)} / ${ms(t.cpu)}`;
  for (const size of SIZES) {
    const production = documentOf(size);
    const staging = withDrift(production, DIFFERENCES);
    const runs = size >= 100_000 ? 9 : 31;
    treeWalkSync(production, staging); // warm-up
    flatMapsSync(production, staging);
    const judged = treeWalkSync(production, staging);
    const flatJudged = flatMapsSync(production, staging);
    if (JSON.stringify(judged) !== JSON.stringify(flatJudged)) throw new Error('tree walk and flat maps disagree');
    const walk = await timed(runs, () => treeWalkSync(production, staging));
    const sliced = await timed(runs, () => treeWalkSliced(production, staging));
    const flat = await timed(runs, () => flatMapsSync(production, staging));
    const reference = await timed(runs, () => deepDiff.diff(production, staging));
    const json = JSON.stringify(production);
    const jsonParse = await timed(runs, () => JSON.parse(json));
    const yamlText = toYaml(production);
    const yamlParse = await timed(3, () => parseYaml(yamlText));
    console.log(
      `| ${size.toLocaleString('en-US')} | ${both(walk)} | ${both(sliced)} | ${both(flat)} | ${both(reference)} | ${(flat.cpu / walk.cpu).toFixed(1)}x | ${(reference.cpu / walk.cpu).toFixed(1)}x | ${judged.differences.length} (drift index ${judged.driftIndex}) | ${both(jsonParse)} | ${both(yamlParse)} |`,
    );
  }
  console.log(
    'deep-diff reports the reversed servers array as drift and has no keyed arrays, ignore globs or type changes: a speed reference only.\n',
  );
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

interface ScrapeFigures {
  p50: number;
  p99: number;
  max: number;
  scrapes: number;
  samples: number;
  /** Event-loop delay (how long the loop was blocked) over the same period. */
  loopP99: number;
  loopMax: number;
}

async function scrapeWhileDiffing(keys: number, dir: string): Promise<ScrapeFigures> {
  const production = documentOf(keys);
  const files = {
    production: join(dir, `production-${keys}.json`),
    staging: join(dir, `staging-${keys}.json`),
  };
  writeFileSync(files.production, JSON.stringify(production));
  writeFileSync(files.staging, JSON.stringify(withDrift(production, Math.min(DIFFERENCES, Math.floor(keys / 2)))));
  // Four checks every second on the same pair keep the exporter diffing most of the time.
  const config = loadConfigObject({
    defaults: { every: '1s', timeout: '30s' },
    environments: {
      production: { configs: { app: { file: files.production } } },
      staging: { configs: { app: { file: files.staging } } },
    },
    checks: [1, 2, 3, 4].map((n) => ({
      name: `app_${n}`,
      kind: 'config',
      source: 'app',
      keyed_arrays: { servers: 'name' },
      ignore: RULES.ignore,
    })),
  });
  const running = await startServing(config, '127.0.0.1:0', silentLogger);
  try {
    await running.exporter.idle();
    const port = (running.server.address() as AddressInfo).port;
    const latencies: number[] = [];
    const loop = monitorEventLoopDelay({ resolution: 1 });
    loop.enable();
    const until = performance.now() + SCRAPE_SECONDS * 1000;
    while (performance.now() < until) {
      const start = performance.now();
      const response = await fetch(`http://127.0.0.1:${port}/metrics`);
      await response.text();
      latencies.push(performance.now() - start);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    loop.disable();
    const samples = running.exporter.store.all().reduce((sum, state) => sum + state.runs.success, 0);
    const failures = running.exporter.store.all().reduce((sum, state) => sum + state.runs.failure, 0);
    if (failures > 0) throw new Error(`${failures} samples failed`);
    return {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.max(...latencies),
      scrapes: latencies.length,
      samples,
      loopP99: loop.percentile(99) / 1e6,
      loopMax: loop.max / 1e6,
    };
  } finally {
    await running.close();
  }
}

async function scrapeBenchmark(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-bench-config-'));
  try {
    console.log(`# /metrics latency while 4 config checks diff every second, ${SCRAPE_SECONDS} s of sequential scrapes (20 ms apart)`);
    console.log(
      `load average before: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} (the machine may be shared: compare with the reference row)`,
    );
    console.log(
      '| source size | scrapes | samples done | scrape p50 | scrape p99 | scrape max | event-loop delay p99 | event-loop delay max |',
    );
    console.log('|---|---|---|---|---|---|---|---|');
    for (const keys of [10, 100_000]) {
      const result = await scrapeWhileDiffing(keys, dir);
      console.log(
        `| ${keys.toLocaleString('en-US')} keys${keys === 10 ? ' (reference)' : ''} | ${result.scrapes} | ${result.samples} | ${ms(result.p50)} | ${ms(result.p99)} | ${ms(result.max)} | ${ms(result.loopP99)} | ${ms(result.loopMax)} |`,
      );
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await diffBenchmark();
await scrapeBenchmark();
