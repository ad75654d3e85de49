// The container and Kubernetes bundle, tested without Docker or a cluster: the files parse, every
// path they reference exists, the configuration they carry validates, and the image's start and
// health-check commands work on a build laid out like the image (/app/dist, /app/node_modules).
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { DEFAULT_LISTEN_ADDRESS } from '../../src/cli/args.js';
import { loadConfigFile } from '../../src/runtime/load.js';
import { loadWebConfigFile } from '../../src/server/web-config.js';
import { childEnv, freePort } from '../helpers/binaries.js';
import { fetchText, REPO_ROOT, runExporter } from '../helpers/exporter.js';

const DEPLOY = join(REPO_ROOT, 'deploy');
const K8S = join(DEPLOY, 'kubernetes');
const DEFAULT_PORT = Number(DEFAULT_LISTEN_ADDRESS.split(':').pop());

type Doc = Record<string, unknown> & { kind?: string; metadata?: { name?: string } };
const yamlFile = (path: string) => parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
const docs = (path: string): Doc[] =>
  parseAllDocuments(readFileSync(path, 'utf8')).map((document) => {
    assert.deepEqual(document.errors, [], path);
    return document.toJS() as Doc;
  });
function at<T>(value: unknown, ...path: (string | number)[]): T {
  let current = value;
  for (const key of path) current = (current as Record<string | number, unknown> | undefined)?.[key];
  return current as T;
}

// ---- Dockerfile ---------------------------------------------------------------------------------

interface Instruction {
  keyword: string;
  args: string;
}
function dockerfile(): Instruction[] {
  const text = readFileSync(join(REPO_ROOT, 'Dockerfile'), 'utf8').replace(/\\\n/g, ' ');
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'))
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}
const jsonForm = (args: string): string[] => JSON.parse(args) as string[];

test('Dockerfile: multi-stage, production deps only, non-root, exposes the default port, has a health check', () => {
  const instructions = dockerfile();
  const from = instructions.filter((i) => i.keyword === 'FROM');
  assert.ok(from.length >= 2, 'multi-stage');
  const runs = instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
  assert.ok(
    runs.some((r) => r.includes('npm ci') && !r.includes('--omit=dev')),
    'the build stage installs everything',
  );
  assert.ok(runs.some((r) => r.includes('npm run build')));
  assert.ok(
    runs.some((r) => r.includes('npm ci --omit=dev')),
    'the runtime gets production dependencies only',
  );
  const finalStage = instructions.slice(instructions.lastIndexOf(from.at(-1)!));
  const user = finalStage.find((i) => i.keyword === 'USER')?.args ?? 'root';
  assert.match(user, /^[1-9]\d*(:\d+)?$/, `the runtime stage runs as a numeric non-root user, got "${user}"`);
  assert.equal(finalStage.find((i) => i.keyword === 'EXPOSE')?.args, String(DEFAULT_PORT));
  const healthcheck = finalStage.find((i) => i.keyword === 'HEALTHCHECK')?.args ?? '';
  assert.match(healthcheck, /CMD \["node", "-e"/);
  assert.ok(healthcheck.includes(`127.0.0.1:${DEFAULT_PORT}/-/healthy`));
  // Every COPY from the build context exists and is not excluded by .dockerignore.
  const ignore = readFileSync(join(REPO_ROOT, '.dockerignore'), 'utf8');
  for (const copy of instructions.filter((i) => i.keyword === 'COPY' && !i.args.startsWith('--from'))) {
    const sources = copy.args.split(/\s+/).slice(0, -1);
    for (const source of sources) {
      assert.ok(existsSync(join(REPO_ROOT, source)), `COPY ${source}: missing`);
      assert.ok(ignore.includes(`!${source.replace(/\/$/, '')}`), `.dockerignore keeps ${source}`);
    }
  }
});

// ---- docker compose ---------------------------------------------------------------------------

test('compose: parses; builds from the Dockerfile; every mounted file exists', () => {
  const compose = yamlFile(join(DEPLOY, 'docker-compose.yml'));
  const services = at<Record<string, Record<string, unknown>>>(compose, 'services');
  assert.deepEqual(Object.keys(services).sort(), ['alertmanager', 'fidelity-exporter', 'grafana', 'prometheus']);
  const build = at<{ context: string; dockerfile: string }>(services, 'fidelity-exporter', 'build');
  assert.ok(existsSync(join(resolve(DEPLOY, build.context), build.dockerfile)));
  assert.deepEqual(at(services, 'fidelity-exporter', 'ports'), [`${DEFAULT_PORT}:${DEFAULT_PORT}`]);
  let mounts = 0;
  for (const [name, service] of Object.entries(services)) {
    for (const volume of (service.volumes as string[] | undefined) ?? []) {
      const [source = ''] = volume.split(':');
      if (!source.startsWith('.')) continue;
      assert.ok(existsSync(resolve(DEPLOY, source)), `${name}: ${source} does not exist`);
      mounts += 1;
    }
  }
  assert.ok(mounts >= 6);
  // Prometheus scrapes the exporter service by its compose name and loads every mounted rules file.
  const prometheus = yamlFile(join(DEPLOY, 'prometheus.yml'));
  const targets = at<string[]>(prometheus, 'scrape_configs', 0, 'static_configs', 0, 'targets');
  assert.deepEqual(targets, [`fidelity-exporter:${DEFAULT_PORT}`]);
  const rulesGlob = at<string[]>(prometheus, 'rule_files')[0] ?? '';
  for (const volume of at<string[]>(services, 'prometheus', 'volumes').filter((v) => v.includes('.rules.yml'))) {
    const target = volume.split(':')[1] ?? '';
    assert.equal(dirname(target), dirname(rulesGlob), `${target} is loaded by rule_files`);
  }
});

// ---- Kubernetes ---------------------------------------------------------------------------------

function kubernetes(): Map<string, Doc> {
  const kustomization = yamlFile(join(K8S, 'kustomization.yaml'));
  const byKindName = new Map<string, Doc>();
  for (const resource of at<string[]>(kustomization, 'resources')) {
    assert.ok(existsSync(join(K8S, resource)), `kustomization: ${resource} does not exist`);
    for (const doc of docs(join(K8S, resource))) {
      assert.ok(doc.apiVersion && doc.kind && doc.metadata?.name, `${resource}: apiVersion, kind and metadata.name`);
      byKindName.set(`${doc.kind}/${doc.metadata?.name}`, doc);
    }
  }
  return byKindName;
}

test('kubernetes: every resource of the kustomization parses and the references between them hold', () => {
  const resources = kubernetes();
  for (const needed of [
    'StatefulSet/fidelity-exporter',
    'Service/fidelity-exporter',
    'Service/fidelity-exporter-headless',
    'ConfigMap/fidelity-exporter-config',
    'Secret/fidelity-exporter-secrets',
    'ServiceMonitor/fidelity-exporter',
    'PodDisruptionBudget/fidelity-exporter',
    'PrometheusRule/fidelity-exporter',
  ]) {
    assert.ok(resources.has(needed), `missing ${needed}`);
  }
  const sts = resources.get('StatefulSet/fidelity-exporter')!;
  const pod = at<Record<string, unknown>>(sts, 'spec', 'template', 'spec');
  const container = at<Record<string, unknown>>(pod, 'containers', 0);
  const args = container.args as string[];
  assert.equal(at(sts, 'spec', 'serviceName'), 'fidelity-exporter-headless');
  assert.ok(args.includes('--shard.from-hostname'));
  assert.equal(
    args.find((a) => a.startsWith('--shard.count='))?.split('=')[1],
    String(at(sts, 'spec', 'replicas')),
    '--shard.count equals replicas',
  );
  assert.equal(at(container, 'ports', 0, 'containerPort'), DEFAULT_PORT);
  assert.equal(at(pod, 'securityContext', 'runAsNonRoot'), true);
  assert.equal(
    at(pod, 'securityContext', 'runAsUser'),
    Number(
      dockerfile()
        .filter((i) => i.keyword === 'USER')
        .at(-1)
        ?.args.split(':')[0],
    ),
  );
  assert.equal(at(container, 'securityContext', 'readOnlyRootFilesystem'), true);
  for (const probe of ['livenessProbe', 'readinessProbe'])
    assert.match(at<string>(container, probe, 'httpGet', 'path'), /^\/-\/(healthy|ready)$/);

  // Each file flag points into a mounted volume that comes from the ConfigMap or the Secret, with that key.
  const mounts = at<Array<{ name: string; mountPath: string; subPath?: string }>>(container, 'volumeMounts');
  const volumes = at<Array<{ name: string; configMap?: { name: string }; secret?: { secretName: string } }>>(pod, 'volumes');
  for (const flag of ['--config.file=', '--web.config.file=']) {
    const path = args.find((a) => a.startsWith(flag))?.slice(flag.length) ?? '';
    const mount = mounts.find((m) => path.startsWith(`${m.mountPath}/`));
    assert.ok(mount && mount.subPath === undefined, `${flag}${path} is on a whole-directory mount`);
    const volume = volumes.find((v) => v.name === mount.name);
    const source = volume?.configMap
      ? resources.get(`ConfigMap/${volume.configMap.name}`)
      : resources.get(`Secret/${volume?.secret?.secretName}`);
    const data = (source?.data ?? source?.stringData) as Record<string, string> | undefined;
    assert.ok(data?.[path.slice(mount.mountPath.length + 1)] !== undefined, `${flag}${path}: no such key in its volume's source`);
  }

  // The Services select the pods and target the named port; the ServiceMonitor reads existing Secret keys.
  const podLabels = at<Record<string, string>>(sts, 'spec', 'template', 'metadata', 'labels');
  for (const name of ['Service/fidelity-exporter', 'Service/fidelity-exporter-headless']) {
    const service = resources.get(name)!;
    for (const [key, value] of Object.entries(at<Record<string, string>>(service, 'spec', 'selector')))
      assert.equal(podLabels[key], value, name);
    assert.equal(at(service, 'spec', 'ports', 0, 'targetPort'), 'metrics');
  }
  const secret = at<Record<string, string>>(resources.get('Secret/fidelity-exporter-secrets'), 'stringData');
  const endpoint = at<Record<string, unknown>>(resources.get('ServiceMonitor/fidelity-exporter'), 'spec', 'endpoints', 0);
  assert.equal(endpoint.port, 'metrics');
  for (const part of ['username', 'password']) {
    const ref = at<{ name: string; key: string }>(endpoint, 'basicAuth', part);
    assert.equal(ref.name, 'fidelity-exporter-secrets');
    assert.ok(secret[ref.key] !== undefined, `ServiceMonitor basicAuth.${part}: no key ${ref.key}`);
  }
});

/** Writes the ConfigMap and the Secret into dir/config and dir/secrets, as the pod mounts them. */
function layOutPod(dir: string): Record<string, string> {
  const resources = kubernetes();
  mkdirSync(join(dir, 'config'));
  mkdirSync(join(dir, 'secrets'));
  for (const [key, value] of Object.entries(at<Record<string, string>>(resources.get('ConfigMap/fidelity-exporter-config'), 'data')))
    writeFileSync(join(dir, 'config', key), value);
  const secret = at<Record<string, string>>(resources.get('Secret/fidelity-exporter-secrets'), 'stringData');
  for (const [key, value] of Object.entries(secret)) writeFileSync(join(dir, 'secrets', key), value);
  return secret;
}

test('kubernetes: the ConfigMap config and the Secret web config validate, laid out as in the pod', () => {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-k8s-'));
  try {
    const secret = layOutPod(dir);
    const config = loadConfigFile(join(dir, 'config', 'config.yml'), {});
    assert.ok(config.checks.length >= 1);
    const web = loadWebConfigFile(join(dir, 'secrets', 'web-config.yml'));
    assert.ok(web.basicAuthUsers.has(secret['scrape-username'] ?? ''), 'the ServiceMonitor user is a basic auth user');
    assert.ok(web.bearerToken, 'the reload token is configured');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// ---- the image's commands, outside Docker --------------------------------------------------------

let image: string | undefined;

/** The image's layout: /app/package.json, /app/dist (the build), /app/node_modules. */
function buildImageLayout(): string {
  const dir = mkdtempSync(join(tmpdir(), 'fidelity-image-'));
  image = dir;
  cpSync(join(REPO_ROOT, 'package.json'), join(dir, 'package.json'));
  symlinkSync(join(REPO_ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  try {
    execFileSync(
      process.execPath,
      [join(REPO_ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(REPO_ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')],
      { env: childEnv(), stdio: 'pipe' },
    );
  } catch (error) {
    assert.fail(`npm run build (tsc -p tsconfig.build.json) failed:\n${String((error as { stdout?: Buffer }).stdout ?? error)}`);
  }
  return dir;
}

after(() => {
  if (image) rmSync(image, { recursive: true, force: true });
});

test('the image entrypoint (node dist/main.js) runs from a build: --help, check-config, the demo and the health check', async () => {
  const instructions = dockerfile();
  const entrypoint = jsonForm(instructions.filter((i) => i.keyword === 'ENTRYPOINT').at(-1)?.args ?? '[]');
  assert.deepEqual(entrypoint.slice(0, 2), ['node', 'dist/main.js']);
  const [, ...entry] = entrypoint;
  const image = buildImageLayout();

  const help = await runExporter(['--help'], { cwd: image, entry });
  assert.equal(help.code, 0, help.stderr);
  assert.match(help.stdout, /--web\.config\.file=PATH/);

  const pod = join(image, 'pod');
  mkdirSync(pod);
  layOutPod(pod);
  const check = await runExporter(
    ['check-config', `--config.file=${join(pod, 'config/config.yml')}`, `--web.config.file=${join(pod, 'secrets/web-config.yml')}`],
    { cwd: image, entry },
  );
  assert.equal(check.code, 0, check.stderr);
  assert.match(check.stdout, /config\.yml: valid \(2 environments, 2 checks\)\n.*web-config\.yml: valid web configuration/);

  // The compose service's command, on a free port; then the image's HEALTHCHECK against it.
  const compose = yamlFile(join(DEPLOY, 'docker-compose.yml'));
  const command = at<string[]>(compose, 'services', 'fidelity-exporter', 'command');
  const port = await freePort();
  const demo = spawn(process.execPath, [...entry, ...command, `--web.listen-address=127.0.0.1:${port}`], {
    cwd: image,
    env: childEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  demo.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  demo.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const healthcheck = jsonForm(instructions.find((i) => i.keyword === 'HEALTHCHECK')?.args.replace(/^.*?CMD /, '') ?? '[]');
  const runHealthcheck = () => {
    try {
      execFileSync(process.execPath, healthcheck.slice(1), {
        cwd: image,
        env: { ...childEnv(), FIDELITY_HEALTHCHECK_URL: `http://127.0.0.1:${port}/-/healthy` },
        stdio: 'pipe',
        timeout: 10_000,
      });
      return 0;
    } catch (error) {
      return (error as { status?: number }).status ?? -1;
    }
  };
  try {
    assert.equal(runHealthcheck(), 1, 'unhealthy before the server listens');
    // The demo starts two embedded PostgreSQL (WASM) databases first: slow on a busy machine.
    const deadline = Date.now() + 180_000;
    for (;;) {
      if (demo.exitCode !== null) assert.fail(`the demo exited with ${demo.exitCode}:\n${output.slice(-3000)}`);
      if (Date.now() > deadline) assert.fail(`the demo did not listen within 180 s:\n${output.slice(-3000)}`);
      const healthy = await fetchText(`http://127.0.0.1:${port}/-/healthy`).then(
        (reply) => reply.status === 200,
        () => false,
      );
      if (healthy) break;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    assert.equal(runHealthcheck(), 0, 'healthy once it answers');
    const metrics = await fetchText(`http://127.0.0.1:${port}/metrics`);
    assert.match(metrics.body, /^fidelity_build_info\{version="\d+\.\d+\.\d+"/m);
  } finally {
    demo.kill('SIGTERM');
  }
});
