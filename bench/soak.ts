// The soak: the exporter as a real process against real PostgreSQL and MariaDB pairs and an HTTP
// app pair, every kind on short intervals, scraped every second (keep-alive, gzip), with a fault in
// rotation. It records scrape latency in quiet and faulted time, failed scrapes, recovery after
// each fault, RSS, heap, open fds and sockets, event-loop delay, stale series, and greps every
// output surface for planted canaries. It ends with `RESULT name value` lines and a verdict, and
// exits 1 on a failed scrape, a canary hit, a crash or an fd leak.
//
//   npm run soak -- --minutes=60 [--fault-every=180s] [--every=10s] [--node-options='--cpu-prof --cpu-prof-dir=/tmp/p']
//
// --node-options is given to the exporter as NODE_OPTIONS (profiles are written when it stops).
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { parseDuration } from '../src/config/duration.js';
import { DEMO_CONFIG } from '../src/demo/config.js';
import { startDemoApps } from '../src/demo/apps.js';
import { writeDemoConfigs } from '../src/demo/configs.js';
import { SHOP_DATA, SHOP_SCHEMA, STAGING_DRIFT } from '../src/demo/seed.js';
import type { DatabaseServer } from '../test/helpers/binaries.js';
import { freezePostgres } from '../test/helpers/freeze.js';
import { createLeastPrivilegeRole } from '../test/helpers/least-privilege.js';
import { startMariaDb } from '../test/helpers/mariadb.js';
import { startPostgres } from '../test/helpers/postgres.js';
import { parseMetrics, startExporterProcess, writeTempFile } from '../test/helpers/process.js';
import { FaultFront, FaultProxy } from './soak-faults.js';

const flag = (name: string, fallback: string) =>
  process.argv.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3) ??
  process.env[`SOAK_${name.toUpperCase().replace('-', '_')}`] ??
  fallback;
const minutes = Number(flag('minutes', '10'));
const faultEveryMs = parseDuration(flag('fault-every', '180s')) ?? 180_000;
const checkEvery = flag('every', '10s');
const nodeOptions = flag('node-options', '');
const faultMs = Math.min(60_000, Math.floor(faultEveryMs / 2));
const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);

const canary = (what: string) => `CANARY${what}${randomBytes(6).toString('hex')}`;
const canaries = { row: canary('ROW'), mariaRow: canary('MROW'), header: canary('HDR'), config: canary('CFG'), url: canary('URL') };

// ---------- the sides ----------
log(`starting servers; ${minutes} min, a fault every ${faultEveryMs / 1000} s for ${faultMs / 1000} s, checks every ${checkEvery}`);
const [pgProd, pgStag, myProd, myStag] = await Promise.all([startPostgres(), startPostgres(), startMariaDb(), startMariaDb()]);
const servers: DatabaseServer[] = [pgProd, pgStag, myProd, myStag];
const events = (payload: string) =>
  `CREATE TABLE events AS SELECT g AS id, md5(g::text) AS payload, timestamptz '2026-12-01' + g * interval '1 second' AS at FROM generate_series(1, 50000) AS g;
   ALTER TABLE events ADD PRIMARY KEY (id); UPDATE events SET payload = '${payload}' WHERE id = 7;`;
await pgProd.exec(SHOP_SCHEMA + SHOP_DATA + events(canaries.row) + 'ANALYZE;');
await pgStag.exec(SHOP_SCHEMA + SHOP_DATA + STAGING_DRIFT + events('changed') + 'ANALYZE;');
const items = (note: string) =>
  `CREATE TABLE items (id int PRIMARY KEY, sku varchar(20), price decimal(10,2), note varchar(100));
   INSERT INTO items SELECT seq, CONCAT('SKU-', seq), (seq % 1000) / 10, md5(seq) FROM seq_1_to_50000;
   UPDATE items SET note = '${note}' WHERE id = 9;`;
await myProd.exec(items(canaries.mariaRow));
await myStag.exec(items('changed') + ' UPDATE items SET price = price + 1 WHERE id = 42;');
const kinds = ['query', 'table', 'schema', 'plan', 'freshness', 'integrity', 'coverage', 'masking'] as const;
const urls = await Promise.all(
  servers.map(async (server) => (await createLeastPrivilegeRole(server, { databases: ['fidelity'], kinds })).url()),
);
const passwords = urls.map((url) => decodeURIComponent(new URL(url).password));
const pgProxy = new FaultProxy(pgStag.host, pgStag.port);
const pgProxyPort = await pgProxy.listen();
const myProxy = new FaultProxy(myStag.host, myStag.port);
const mariaStagingUrl = new URL(urls[3] as string);
mariaStagingUrl.port = String(await myProxy.listen());
const apps = await startDemoApps();
const front = new FaultFront(apps.env.DEMO_STAGING_HTTP_URL as string);
const frontUrl = await front.listen();
const files = await writeDemoConfigs();
const appYaml = join(files.dir, 'staging', 'app.yaml');
for (const side of ['production', 'staging']) {
  const file = join(files.dir, side, 'app.yaml');
  writeFileSync(file, `${readFileSync(file, 'utf8')}api_secret: ${side === 'production' ? canaries.config : 'other'}\n`);
}
const appYamlText = readFileSync(appYaml, 'utf8');

// ---------- the configuration: the demo's checks and a MariaDB pair, on short intervals ----------
const mariaChecks = `
  - { name: items_by_band, kind: query, baseline: maria-production, candidate: maria-staging, database: items,
      sql: "SELECT floor(price / 10) AS band, count(*) AS n FROM items GROUP BY band" }
  - { name: item_notes, kind: query, baseline: maria-production, candidate: maria-staging, database: items,
      sql: "SELECT id, note FROM items WHERE id < 50", key: [id] }
  - { name: items_table, kind: table, baseline: maria-production, candidate: maria-staging, database: items, table: items, key: [id] }
  - { name: items_schema, kind: schema, baseline: maria-production, candidate: maria-staging, database: items }
  - { name: event_payloads, kind: query, database: shop, sql: "SELECT id, payload FROM events WHERE id < 100", key: [id] }
  - { name: events_table, kind: table, database: shop, table: events, key: [id] }
`;
const config = DEMO_CONFIG.replace(
  'http: { base_url: "${DEMO_PRODUCTION_HTTP_URL}", allow_writes: true }',
  'http: { base_url: "${DEMO_PRODUCTION_HTTP_URL}", allow_writes: true, headers: { X-Api-Key: "${SOAK_HEADER}" } }',
)
  .replace(
    '\ndefaults:',
    `  maria-production: { databases: { items: { url: "\${SOAK_MARIA_PRODUCTION}" } } }
  maria-staging: { databases: { items: { url: "\${SOAK_MARIA_STAGING}" } } }

defaults:`,
  )
  // Sized for the load (docs/operations.md#sizing-the-slots): the shop database carries seventeen
  // checks on a 10 s interval, more than the demo's two slots serve on a loaded machine.
  .replaceAll('pool_size: 2 }', 'pool_size: 6, max_concurrency: 6 }')
  .replace(/every: 15s\n {2}timeout: 10s/, `every: ${checkEvery}\n  timeout: 8s\n  start_spread: 0s\n  side_probe_interval: 5s`)
  .concat(mariaChecks);
const configFile = writeTempFile('soak.yaml', config);
const brokenConfig = `${config}\n  - { name: broken, kind: nonsense }\n`;
const stagingUrl = new URL(urls[1] as string);
stagingUrl.port = String(pgProxyPort);
stagingUrl.searchParams.set('application_name', canaries.url);
const env = {
  ...apps.env,
  DEMO_STAGING_HTTP_URL: frontUrl,
  DEMO_PRODUCTION_SHOP_URL: urls[0] as string,
  DEMO_STAGING_SHOP_URL: stagingUrl.toString(),
  DEMO_CONFIG_DIR: files.dir,
  SOAK_MARIA_PRODUCTION: urls[2] as string,
  SOAK_MARIA_STAGING: mariaStagingUrl.toString(),
  SOAK_HEADER: canaries.header,
  ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}),
};
const exporter = await startExporterProcess([`--config.file=${configFile}`], env, { startTimeoutMs: 60_000 });
const pid = exporter.child.pid as number;
log(`exporter ${pid} at ${exporter.url}`);

// ---------- the scraper (keep-alive, gzip, every second) ----------
const agent = new Agent({ keepAlive: true, maxSockets: 1 });
function get(path: string, timeoutMs = 5000): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${exporter.url}${path}`, { agent, headers: { 'accept-encoding': 'gzip' }, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        const body = res.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw;
        resolve({ status: res.statusCode ?? 0, body: body.toString() });
      });
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('scrape timed out')));
    req.on('error', reject);
    req.end();
  });
}

let fault: string | null = null;
const latencies = { quiet: [] as number[], faulted: [] as number[] };
let failedScrapes = 0;
let staleServed = 0;
let latest = new Map<string, number>();
const canaryHits = new Map<string, number>();
const secrets = [...Object.values(canaries), ...passwords];
function grep(surface: string, text: string): void {
  for (const secret of secrets)
    if (text.includes(secret)) {
      canaryHits.set(surface, (canaryHits.get(surface) ?? 0) + 1);
      log(`CANARY HIT on ${surface}`);
    }
}

async function scrapeOnce(): Promise<void> {
  const started = performance.now();
  try {
    const { status, body } = await get('/metrics');
    const ms = performance.now() - started;
    if (status !== 200) throw new Error(`status ${status}`);
    (fault ? latencies.faulted : latencies.quiet).push(ms);
    latest = parseMetrics(body);
    // A check whose last sample failed must not serve comparison series as fresh.
    for (const [series, value] of latest) {
      const check = /^fidelity_check_success\{check="([^"]+)",kind="query"\}$/.exec(series)?.[1];
      if (check && value === 0 && [...latest.keys()].some((key) => key.startsWith(`fidelity_query_match{check="${check}"`)))
        staleServed += 1;
    }
  } catch (error) {
    failedScrapes += 1;
    log(`failed scrape: ${(error as Error).message}`);
  }
}

// ---------- resources every 10 s ----------
interface Record10s {
  t: number;
  rss: number;
  heap: number;
  heapAfterGc: number;
  fds: number;
  sockets: number;
  lagP99: number;
  fault: string | null;
}
const records: Record10s[] = [];
function record(): void {
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds += 1;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets += 1;
    } catch {
      // closed meanwhile
    }
  }
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
  records.push({
    t: Date.now(),
    rss,
    heap: latest.get('nodejs_heap_size_used_bytes') ?? 0,
    heapAfterGc: latest.get('nodejs_heap_used_after_gc_bytes') ?? 0,
    fds,
    sockets,
    lagP99: latest.get('nodejs_eventloop_lag_p99_seconds') ?? 0,
    fault,
  });
}
async function surfaces(): Promise<void> {
  for (const path of ['/metrics', '/api/v1/results', '/', '/gate']) {
    try {
      grep(path, (await get(path, 10_000)).body);
    } catch {
      // a slow page is not a failed scrape; /metrics is scraped every second on its own
    }
  }
  grep('logs', exporter.output());
}

// ---------- faults in rotation ----------
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const terminateAll = () =>
  pgProd.exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'fidelity%' AND pid <> pg_backend_pid()");
const reload = () => process.kill(pid, 'SIGHUP');
const faults: Array<{ name: string; run: () => Promise<void> }> = [
  {
    name: 'sigstop-postgres-with-broken-reload',
    run: async () => {
      const thaw = freezePostgres(pgProd);
      await sleep(faultMs / 2);
      writeFileSync(configFile, brokenConfig);
      reload();
      await sleep(faultMs / 2);
      thaw();
      writeFileSync(configFile, config);
      reload();
    },
  },
  { name: 'stop-start-mariadb', run: async () => (await myStag.stop(), await sleep(faultMs), await myStag.start()) },
  { name: 'terminate-backends', run: async () => (await terminateAll(), await sleep(faultMs / 4), await terminateAll()) },
  { name: 'proxy-blackhole', run: async () => (pgProxy.set('blackhole'), await sleep(faultMs), pgProxy.set('pass')) },
  { name: 'proxy-delay-2s', run: async () => (pgProxy.set('delay'), await sleep(faultMs), pgProxy.set('pass')) },
  { name: 'proxy-drop', run: async () => (pgProxy.set('drop'), await sleep(faultMs), pgProxy.set('pass')) },
  { name: 'maria-proxy-blackhole', run: async () => (myProxy.set('blackhole'), await sleep(faultMs), myProxy.set('pass')) },
  { name: 'maria-proxy-delay-2s', run: async () => (myProxy.set('delay'), await sleep(faultMs), myProxy.set('pass')) },
  { name: 'maria-proxy-drop', run: async () => (myProxy.set('drop'), await sleep(faultMs), myProxy.set('pass')) },
  { name: 'http-500', run: async () => (front.set('error'), await sleep(faultMs), front.set('pass')) },
  { name: 'http-hang', run: async () => (front.set('hang'), await sleep(faultMs), front.set('pass')) },
  {
    name: 'config-source-garbage',
    run: async () => (writeFileSync(appYaml, '\u0000\u0001 not: [yaml'), await sleep(faultMs), writeFileSync(appYaml, appYamlText)),
  },
];

/** The checks whose last sample succeeded, with the time (s) of that success. */
function succeeding(): Map<string, number> {
  const checks = new Map<string, number>();
  for (const [series, value] of latest) {
    const check = /^fidelity_check_success\{check="([^"]+)",kind="([^"]+)"\}$/.exec(series);
    if (check && value === 1) {
      const at = latest.get(`fidelity_check_last_success_timestamp_seconds{check="${check[1]}",kind="${check[2]}"}`) ?? 0;
      checks.set(check[1] as string, at);
    }
  }
  return checks;
}

/**
 * What is not back yet: a side down, or a check that succeeded before the fault without a
 * successful sample that finished after the fault ended. A check that flaps in quiet time (a
 * slow sample on a loaded machine) counts as back at its first success, not when every check
 * happens to pass at the same instant.
 */
function notBack(before: Map<string, number>, endedSeconds: number): string[] {
  const now = succeeding();
  const down = [...latest].filter(([series, value]) => series.startsWith('fidelity_side_up{') && value !== 1).map(([series]) => series);
  for (const check of before.keys()) if ((now.get(check) ?? 0) < endedSeconds) down.push(check);
  return down;
}

const recoveries: Array<{ fault: string; seconds: number }> = [];
async function runFault(index: number): Promise<void> {
  const chosen = faults[index % faults.length] as (typeof faults)[number];
  const before = succeeding();
  fault = chosen.name;
  log(`fault ${chosen.name}`);
  await chosen.run();
  const ended = Date.now();
  // Recovered: every side up and every check that succeeded before the fault succeeded again.
  let last: string[] = [];
  for (let down = notBack(before, ended / 1000); down.length > 0 && Date.now() - ended < 5 * 60_000; down = notBack(before, ended / 1000)) {
    last = down;
    await sleep(250);
  }
  const seconds = (Date.now() - ended) / 1000;
  recoveries.push({ fault: chosen.name, seconds });
  const still = notBack(before, ended / 1000);
  log(
    `recovered from ${chosen.name} in ${seconds.toFixed(1)} s${still.length ? ` (NOT: ${still.join(', ')})` : last.length ? ` (last back: ${last.join(', ')})` : ''}`,
  );
  fault = null;
}

// ---------- the run ----------
const scraper = setInterval(() => void scrapeOnce(), 1000);
const recorder = setInterval(record, 10_000);
const grepper = setInterval(() => void surfaces(), 10_000);
const warmUpMs = Math.min(60_000, minutes * 60_000 * 0.2);
await sleep(warmUpMs);
record();
const start = records.at(-1) as Record10s;
log(`warm: ${succeeding().size} healthy checks, ${start.fds} fds, rss ${(start.rss / 2 ** 20).toFixed(0)} MiB`);
const endAt = Date.now() - warmUpMs + minutes * 60_000;
let faultIndex = 0;
while (Date.now() + faultEveryMs <= endAt + 1000) {
  const began = Date.now();
  await runFault(faultIndex);
  faultIndex += 1;
  await sleep(Math.max(0, faultEveryMs - (Date.now() - began)));
}
// A quiet close: pools settle (idle connections close after 30 s) before the last count.
await sleep(Math.max(0, endAt - Date.now()));
await sleep(35_000);
await surfaces();
record();
clearInterval(scraper);
clearInterval(recorder);
clearInterval(grepper);
const crashed = exporter.child.exitCode !== null;
const end = records.at(-1) as Record10s;

// ---------- figures ----------
const p99 = (values: number[]) => (values.length ? ([...values].sort((a, b) => a - b)[Math.ceil(values.length * 0.99) - 1] as number) : 0);
function slopePerHour(points: Array<[number, number]>): number {
  const n = points.length;
  if (n < 2) return 0;
  const mx = points.reduce((s, [x]) => s + x, 0) / n;
  const my = points.reduce((s, [, y]) => s + y, 0) / n;
  const sxy = points.reduce((s, [x, y]) => s + (x - mx) * (y - my), 0);
  const sxx = points.reduce((s, [x]) => s + (x - mx) ** 2, 0);
  return sxx === 0 ? 0 : (sxy / sxx) * 3_600_000;
}
const steady = records.filter((r) => r.t >= start.t);
// Slopes leave out the first third of the run (at most 15 min): the heap and the allocator's
// arenas grow to their working size first, and that growth is not a leak.
const slopeFrom = start.t + Math.min(15 * 60_000, (end.t - start.t) / 3);
const settled = records.filter((r) => r.t >= slopeFrom);
const heapAfterGc = settled.filter((r) => r.heapAfterGc > 0);
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(2);
const recoveryMax = Math.max(0, ...recoveries.map((r) => r.seconds));
// One check interval after the side is back for the next sample to start, plus that sample's time (at most its timeout).
const recoveryBudget = ((parseDuration(checkEvery) ?? 10_000) + 8000) / 1000;
const hits = [...canaryHits.values()].reduce((a, b) => a + b, 0);
const fdLeak = end.fds > start.fds + 4;
const results: Array<[string, string | number]> = [
  ['soak_minutes', minutes],
  ['faults', recoveries.length],
  ['scrapes', latencies.quiet.length + latencies.faulted.length + failedScrapes],
  ['failed_scrapes', failedScrapes],
  ['scrape_p99_quiet_ms', p99(latencies.quiet).toFixed(1)],
  ['scrape_p99_faulted_ms', p99(latencies.faulted).toFixed(1)],
  ['recovery_max_seconds', recoveryMax.toFixed(1)],
  ['recovery_budget_seconds', recoveryBudget],
  ['recoveries_over_budget', recoveries.filter((r) => r.seconds > recoveryBudget).length],
  ['stale_series_served', staleServed],
  ['rss_start_mib', mib(start.rss)],
  ['rss_end_mib', mib(end.rss)],
  ['rss_slope_mib_per_hour', mib(slopePerHour(settled.map((r) => [r.t, r.rss])))],
  ['heap_used_slope_mib_per_hour', mib(slopePerHour(settled.map((r) => [r.t, r.heap])))],
  ['heap_after_gc_start_mib', mib(heapAfterGc[0]?.heapAfterGc ?? 0)],
  ['heap_after_gc_end_mib', mib(heapAfterGc.at(-1)?.heapAfterGc ?? 0)],
  ['heap_after_gc_slope_mib_per_hour', mib(slopePerHour(heapAfterGc.map((r) => [r.t, r.heapAfterGc])))],
  ['fd_start', start.fds],
  ['fd_end', end.fds],
  ['sockets_start', start.sockets],
  ['sockets_end', end.sockets],
  ['eventloop_lag_p99_max_ms', (Math.max(...steady.map((r) => r.lagP99)) * 1000).toFixed(1)],
  ['canary_hits', hits],
  ['crashed', crashed ? 1 : 0],
];
for (const r of recoveries) log(`recovery ${r.fault}: ${r.seconds.toFixed(1)} s`);
for (const [name, value] of results) console.log(`RESULT ${name} ${value}`);
const problems = [
  failedScrapes > 0 && `${failedScrapes} failed scrapes`,
  hits > 0 && `canary hits on ${[...canaryHits.keys()].join(', ')}`,
  crashed && 'the exporter crashed',
  fdLeak && `fds ${start.fds} -> ${end.fds}`,
].filter(Boolean);
console.log(`VERDICT ${problems.length === 0 ? 'pass' : `fail: ${problems.join('; ')}`}`);

await exporter.stop();
agent.destroy();
await Promise.all([pgProxy.close(), myProxy.close(), front.close(), apps.stop(), ...servers.map((server) => server.destroy())]);
process.exit(problems.length === 0 ? 0 : 1);
