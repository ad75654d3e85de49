import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { CommonCheck } from '../checks/check.js';
import type { FailureReason } from '../core/errors.js';
import { kindNames } from '../checks/kinds.js';
import { writeFileDurably } from '../connectors/durable-file.js';
import { ConfigError } from '../config/errors.js';
import { loadConfigFile, type LoadedConfig } from '../runtime/load.js';
import type { Logger } from '../log.js';
import { Exporter } from '../runtime/exporter.js';
import { ownedChecks } from '../scheduler/shard.js';
import type { GateReport } from '../scoring/gate.js';
import { gateBody } from '../server/gate-routes.js';
import { renderReport } from '../server/html.js';
import { resultsView, type CheckView, type ResultsView } from '../server/view.js';
import { VERSION } from '../version.js';
import type { CommonFlags } from './args.js';
import { UsageError } from './args.js';
import { ExitCode } from './exit-codes.js';
import { didYouMean } from '../config/suggest.js';

/**
 * `run`: the one-shot gate for CI pipelines. Runs the selected checks once, all at the same time
 * (each side's concurrency limit still holds), prints a table, writes the reports asked for, and
 * exits with the gate's verdict (docs/scores-and-gate.md).
 */

export const runFlagDefinitions = {
  check: { type: 'string', multiple: true },
  kind: { type: 'string', multiple: true },
  candidate: { type: 'string', multiple: true },
  'output.json': { type: 'string' },
  'output.junit': { type: 'string' },
  report: { type: 'string' },
} as const;

/** Sample failures that mean the run itself could not be done (exit 4), not a fidelity verdict. */
const RUNTIME_REASONS: ReadonlySet<FailureReason> = new Set(['connect', 'auth', 'permission', 'timeout', 'canceled', 'internal', 'config']);

export interface RunOptions {
  checks: string[];
  kinds: string[];
  candidates: string[];
  jsonFile?: string;
  junitFile?: string;
  reportFile?: string;
}

function strings(value: unknown): string[] {
  return Array.isArray(value)
    ? value
        .map(String)
        .flatMap((v) => v.split(','))
        .map((v) => v.trim())
        .filter(Boolean)
    : [];
}

export function runOptionsOf(values: Record<string, unknown>): RunOptions {
  const file = (name: string) => (typeof values[name] === 'string' ? (values[name] as string) : undefined);
  return {
    checks: strings(values.check),
    kinds: strings(values.kind),
    candidates: strings(values.candidate),
    jsonFile: file('output.json'),
    junitFile: file('output.junit'),
    reportFile: file('report'),
  };
}

/** Run-only flags given to another command are a usage error rather than silently ignored. */
export function rejectRunFlags(values: Record<string, unknown>): void {
  const given = Object.keys(runFlagDefinitions).filter((name) => values[name] !== undefined);
  if (given.length > 0) throw new UsageError(`${given.map((name) => `--${name}`).join(', ')}: only for the run command`);
}

/** The checks a run selects; an unknown name, kind or candidate is a configuration error. */
export function selectChecks(config: LoadedConfig, options: Pick<RunOptions, 'checks' | 'kinds' | 'candidates'>): CommonCheck[] {
  const problems: Array<{ path: string; message: string }> = [];
  const names = new Set(config.checks.map((c) => c.name));
  for (const name of options.checks)
    if (!names.has(name))
      problems.push({
        path: '--check',
        message: `no check named "${name}"${didYouMean(name, names) || ` (known: ${[...names].join(', ') || 'none'})`}`,
      });
  for (const kind of options.kinds)
    if (!kindNames.includes(kind))
      problems.push({
        path: '--kind',
        message: `unknown kind "${kind}"${didYouMean(kind, kindNames) || ` (known: ${kindNames.join(', ')})`}`,
      });
  const candidates = new Set(config.checks.map((c) => c.candidate));
  for (const candidate of options.candidates)
    if (!candidates.has(candidate))
      problems.push({
        path: '--candidate',
        message: `no check compares candidate "${candidate}" (candidates: ${[...candidates].join(', ') || 'none'})`,
      });
  if (problems.length > 0) throw new ConfigError(problems, config.file);
  const selected = config.checks.filter(
    (check) =>
      // A check named explicitly runs even when it is disabled in the file.
      (options.checks.length > 0 ? options.checks.includes(check.name) : check.enabled) &&
      (options.kinds.length === 0 || options.kinds.includes(check.kind)) &&
      (options.candidates.length === 0 || options.candidates.includes(check.candidate)),
  );
  if (selected.length === 0) throw new ConfigError([{ path: 'checks', message: 'no enabled check matches the selection' }], config.file);
  return selected.map((check) => ({ ...check, enabled: true }));
}

export function exitCodeOf(gate: GateReport, checks: readonly CheckView[]): ExitCode {
  if (gate.verdict === 'fail') return ExitCode.GATE_FAILED;
  if (checks.some((check) => check.lastRun?.success === false && RUNTIME_REASONS.has(check.lastRun.reason as FailureReason)))
    return ExitCode.RUNTIME_ERROR;
  if (gate.verdict === 'inconclusive') return ExitCode.INCONCLUSIVE;
  return ExitCode.OK;
}

// ---------- terminal output ----------

interface Terminal {
  tty: boolean;
  color: boolean;
  write(text: string): void;
}

const paint = (terminal: Terminal, code: number, text: string) => (terminal.color ? `\u001b[${code}m${text}\u001b[0m` : text);

const STATUS_WORD: Record<CheckView['status'], string> = {
  pass: 'PASS',
  fail: 'DRIFT',
  inconclusive: 'INCONCLUSIVE',
  error: 'ERROR',
  pending: 'PENDING',
  disabled: 'DISABLED',
};
const STATUS_COLOR: Record<CheckView['status'], number> = { pass: 32, fail: 31, inconclusive: 33, error: 33, pending: 90, disabled: 90 };

function truncate(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, Math.max(0, width - 1))}…` : text;
}

function table(rows: string[][], terminal: Terminal, colorOf?: (row: number, column: number) => number | undefined): string {
  const widths = rows[0]?.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0))) ?? [];
  return rows
    .map((row, index) =>
      row
        .map((text, column) => {
          const padded = column === row.length - 1 ? text : text.padEnd(widths[column] ?? 0);
          const color = colorOf?.(index, column);
          return color === undefined ? padded : paint(terminal, color, padded);
        })
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

const pct = (value: number | null) => (value === null ? '—' : `${(value * 100).toFixed(1)}%`);
const VERDICT_COLOR = { pass: 32, fail: 31, inconclusive: 33, no_data: 90 } as const;

export function renderSummary(view: ResultsView, terminal: Terminal): string {
  const columns = terminal.tty ? Math.max(80, process.stdout.columns ?? 120) : 160;
  const checkRows = [['CHECK', 'KIND', 'SIDES', 'STATUS', 'TIME', 'RESULT']];
  for (const check of view.checks) {
    const summary =
      check.lastRun?.success === false ? `${check.lastRun.reason ?? 'error'}: ${check.lastRun.error ?? ''}` : (check.summary ?? '');
    checkRows.push([
      check.name,
      check.kind,
      `${check.baseline}→${check.candidate}`,
      STATUS_WORD[check.status],
      `${(check.lastRun?.durationSeconds ?? 0).toFixed(2)}s`,
      summary,
    ]);
  }
  const fixed = checkRows.reduce((width, row) => Math.max(width, row.slice(0, 5).join('  ').length), 0);
  for (const row of checkRows) row[5] = truncate(row[5] ?? '', Math.max(20, columns - fixed - 4));
  const parts = [
    table(checkRows, terminal, (row, column) =>
      row === 0 ? 1 : column === 3 ? STATUS_COLOR[view.checks[row - 1]?.status ?? 'pending'] : undefined,
    ),
  ];

  for (const candidate of view.gate.candidates) {
    const rows = [['DIMENSION', 'SCORE', 'THRESHOLD', 'CHECKS', 'STATUS']];
    const statuses: Array<keyof typeof VERDICT_COLOR> = [];
    for (const row of candidate.rows) {
      if (row.status === 'no_data' && row.dimension !== 'overall') continue;
      const informative = !row.gated && row.status !== 'fail';
      rows.push([
        row.dimension,
        pct(row.score),
        row.threshold === null ? '—' : pct(row.threshold),
        String(row.checks),
        row.status === 'no_data' ? 'no data' : informative ? `${row.status} (not gated)` : row.status,
      ]);
      statuses.push(informative ? 'no_data' : row.status);
    }
    parts.push(
      '',
      `Gate for ${candidate.candidate}: ${paint(terminal, VERDICT_COLOR[candidate.verdict], candidate.verdict.toUpperCase())}`,
    );
    parts.push(
      table(rows, terminal, (row, column) => (row === 0 ? 1 : column === 4 ? VERDICT_COLOR[statuses[row - 1] ?? 'no_data'] : undefined)),
    );
    for (const reason of candidate.reasons) parts.push(`  - ${reason}`);
  }
  return `${parts.join('\n')}\n`;
}

// ---------- report files ----------

/** XML 1.0 allows tab, newline, carriage return and U+0020 upwards (minus surrogates and U+FFFE/F). */
function xmlAllowed(code: number): boolean {
  return (
    code === 0x9 ||
    code === 0xa ||
    code === 0xd ||
    (code >= 0x20 && code <= 0xd7ff) ||
    (code >= 0xe000 && code <= 0xfffd) ||
    (code >= 0x10000 && code <= 0x10ffff)
  );
}

export function escapeXml(value: unknown): string {
  return Array.from(String(value ?? ''), (char) => (xmlAllowed(char.codePointAt(0) ?? 0) ? char : '\ufffd'))
    .join('')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;');
}

/** JUnit XML: one test case per check; drift is a <failure>, a failed sample an <error>. */
export function renderJunit(view: ResultsView, durationSeconds: number): string {
  const failures = view.checks.filter((c) => c.status === 'fail').length;
  const errors = view.checks.filter((c) => c.status === 'error' || c.status === 'pending' || c.status === 'inconclusive').length;
  const attrs = `tests="${view.checks.length}" failures="${failures}" errors="${errors}" skipped="0" time="${durationSeconds.toFixed(3)}"`;
  const cases = view.checks.map((check) => {
    const head = `    <testcase classname="fidelity.${escapeXml(check.kind)}" name="${escapeXml(check.name)}" time="${(check.lastRun?.durationSeconds ?? 0).toFixed(3)}">`;
    const text = (body: string) => escapeXml(body);
    if (check.status === 'fail') {
      const body = [check.summary ?? '', ...check.changes, JSON.stringify(check.details ?? {}, null, 2)].join('\n');
      return `${head}\n      <failure type="drift" message="${escapeXml(check.summary ?? 'drift')}">${text(body)}</failure>\n    </testcase>`;
    }
    if (check.status === 'inconclusive') {
      return `${head}\n      <error type="inconclusive" message="${escapeXml(check.summary ?? 'nothing to compare')}">${text(check.summary ?? '')}</error>\n    </testcase>`;
    }
    if (check.status === 'error' || check.status === 'pending') {
      const reason = check.lastRun?.reason ?? 'pending';
      return `${head}\n      <error type="${escapeXml(reason)}" message="${escapeXml(check.lastRun?.error ?? 'not sampled')}">${text(`${check.baseline} → ${check.candidate}: ${check.lastRun?.error ?? 'not sampled'}`)}</error>\n    </testcase>`;
    }
    return `${head}\n      <system-out>${text(check.summary ?? '')}</system-out>\n    </testcase>`;
  });
  const properties = [
    ['gate.verdict', view.gate.verdict],
    ...view.gate.candidates.flatMap((candidate) => [
      [`gate.${candidate.candidate}.verdict`, candidate.verdict],
      ...candidate.rows
        .filter((row) => row.score !== null)
        .map((row) => [`score.${candidate.candidate}.${row.dimension}`, String(row.score)]),
    ]),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="fidelity-exporter" ${attrs}>
  <testsuite name="fidelity" ${attrs} timestamp="${escapeXml(view.generatedAt ?? '')}">
    <properties>
${properties.map(([name, value]) => `      <property name="${escapeXml(name)}" value="${escapeXml(value)}"/>`).join('\n')}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}

export function renderJson(view: ResultsView, gate: GateReport, exitCode: ExitCode, timing: { startedAt: number; finishedAt: number }) {
  return {
    version: VERSION,
    startedAt: new Date(timing.startedAt).toISOString(),
    finishedAt: new Date(timing.finishedAt).toISOString(),
    durationSeconds: (timing.finishedAt - timing.startedAt) / 1000,
    exitCode,
    verdict: gate.verdict,
    gate: gateBody(gate, view.generatedAt ?? new Date(timing.finishedAt).toISOString()),
    checks: view.checks.map((check) => ({
      name: check.name,
      kind: check.kind,
      baseline: check.baseline,
      candidate: check.candidate,
      status: check.status,
      summary: check.summary,
      durationSeconds: check.lastRun?.durationSeconds,
      reason: check.lastRun?.success === false ? check.lastRun.reason : undefined,
      error: check.lastRun?.success === false ? check.lastRun.error : undefined,
      scores: check.scores,
      details: check.details,
    })),
  };
}

/**
 * Written whole or not at all (temporary file, fsync, rename): a CI job killed while writing
 * leaves the previous report or none, never a torn one that a later step would read as valid.
 */
async function writeOutput(file: string, content: string): Promise<void> {
  const path = resolve(file);
  try {
    await mkdir(dirname(path), { recursive: true });
    await writeFileDurably(path, content, 0o666);
  } catch (error) {
    throw new Error(`cannot write ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

// ---------- the command ----------

export async function runCommand(flags: CommonFlags, values: Record<string, unknown>, log: Logger): Promise<ExitCode> {
  if (!flags.configFile) throw new UsageError('run needs --config.file=PATH');
  const options = runOptionsOf(values);
  const config = loadConfigFile(flags.configFile);
  const selected = selectChecks(config, options);
  const owned = ownedChecks(selected, flags.shard);
  if (owned.length === 0 && flags.shard) {
    const message = `shard ${flags.shard.index}/${flags.shard.count} owns none of the ${selected.length} selected checks`;
    throw new ConfigError([{ path: '--shard', message }], config.file);
  }
  const terminal: Terminal = {
    tty: Boolean(process.stdout.isTTY),
    color: Boolean(process.stdout.isTTY) && process.env.NO_COLOR === undefined,
    write: (text) => process.stdout.write(text),
  };

  // The same exporter `serve` runs (runtime/), sampling each check once instead of on its schedule.
  const exporter = new Exporter(config, log, { shard: flags.shard, select: () => selected });
  const { startedAt } = exporter;
  const checks = exporter.config.checks;
  const running = new Set(checks.map((check) => check.name));
  let done = 0;
  const progress = () => {
    if (!terminal.tty) return;
    const names = truncate([...running].join(', '), Math.max(20, (process.stdout.columns ?? 100) - 30));
    terminal.write(`\r\u001b[2K[${done}/${checks.length}] running ${names}`);
  };
  if (!terminal.tty)
    terminal.write(
      `running ${checks.length} checks${flags.shard ? ` (shard ${flags.shard.index}/${flags.shard.count} of ${selected.length})` : ''}\n`,
    );
  progress();
  try {
    await exporter.sampleOnce((check) => {
      running.delete(check.name);
      done += 1;
      if (terminal.tty) progress();
      else {
        const state = exporter.store.get(check.name);
        const status = !state?.lastRun?.success
          ? `error (${state?.lastRun?.reason ?? 'unknown'})`
          : state.result?.inconclusive
            ? 'inconclusive'
            : state.result?.passed
              ? 'pass'
              : 'drift';
        terminal.write(`[${done}/${checks.length}] ${check.name}: ${status}\n`);
      }
    });
  } finally {
    await exporter.stop();
  }
  if (terminal.tty) terminal.write('\r\u001b[2K');
  const finishedAt = Date.now();

  const view = resultsView(exporter);
  const exitCode = exitCodeOf(view.gate, view.checks);

  terminal.write(renderSummary(view, terminal));
  if (options.jsonFile)
    await writeOutput(options.jsonFile, `${JSON.stringify(renderJson(view, view.gate, exitCode, { startedAt, finishedAt }), null, 2)}\n`);
  if (options.junitFile) await writeOutput(options.junitFile, renderJunit(view, (finishedAt - startedAt) / 1000));
  if (options.reportFile) await writeOutput(options.reportFile, renderReport(view, 'fidelity-exporter run', { links: false }));
  const meaning: Record<ExitCode, string> = {
    0: 'gate passed',
    1: 'gate failed',
    2: 'gate inconclusive',
    3: 'configuration error',
    4: 'runtime error: some checks could not run',
  };
  terminal.write(`exit ${exitCode}: ${meaning[exitCode]}\n`);
  return exitCode;
}
