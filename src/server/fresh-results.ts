import { parseDuration } from '../config/duration.js';
import type { ResultsStore } from '../results/store.js';
import type { Request, Response } from 'express';
import type { Exporter } from '../runtime/exporter.js';
import { resultsView, type ResultsView } from './view.js';

/**
 * `GET /api/v1/results?since=T&wait=D&check=NAME`: results newer than a deployment.
 * `since` keeps only checks whose last sample finished after T; `wait` holds the request until
 * every requested (enabled) check has such a sample, at most MAX_WAIT_MS, released early by the
 * store's change events. See docs/api/results.md.
 */

/** The longest a request may be held: proxies and CI runners cut idle connections beyond a few minutes. */
const MAX_WAIT_MS = 5 * 60_000;

interface FreshQuery {
  /** Unix milliseconds; samples must have finished strictly after it. */
  since: number;
  waitMs: number;
  /** Requested check names; undefined = every check. */
  checks?: string[];
}

/** What the response says about freshness (the `fresh` member). */
interface FreshSummary {
  since: string;
  /** Every requested enabled check finished a sample after `since`. */
  complete: boolean;
  /** Requested enabled checks still without a sample after `since`. */
  waitingFor: string[];
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;
const UNIX_SECONDS = /^\d{1,12}(\.\d+)?$/;

function single(query: Record<string, unknown>, name: string): string | undefined | { error: string } {
  const value = query[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') return { error: `parameter ${name}: give it once` };
  return value;
}

function parseSince(text: string): number | { error: string } {
  if (UNIX_SECONDS.test(text)) return Math.round(Number(text) * 1000);
  const ms = RFC3339.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms))
    return { error: `parameter since: "${text.slice(0, 60)}" is neither an RFC 3339 time (2026-01-31T12:00:00Z) nor Unix seconds` };
  return ms;
}

function parseWait(text: string): number | { error: string } {
  const ms = UNIX_SECONDS.test(text) ? Number(text) * 1000 : parseDuration(text);
  if (ms === null || !Number.isFinite(ms))
    return { error: `parameter wait: "${text.slice(0, 60)}" is not a duration (30s, 2m, or seconds as a number)` };
  if (ms > MAX_WAIT_MS) return { error: `parameter wait: must be at most 5m (got ${text.slice(0, 60)})` };
  return Math.round(ms);
}

function parseChecks(value: unknown, known: ReadonlySet<string>): string[] | undefined | { error: string } {
  if (value === undefined) return undefined;
  const list = (Array.isArray(value) ? value : [value]).flatMap((item) => (typeof item === 'string' ? item.split(',') : []));
  const names = list.map((name) => name.trim()).filter((name) => name !== '');
  if (names.length === 0) return { error: 'parameter check: give a check name' };
  const unknown = names.find((name) => !known.has(name));
  if (unknown !== undefined) return { error: `parameter check: no check is named "${unknown.slice(0, 100)}"` };
  return names;
}

/** Parses the freshness parameters; undefined when none is given (the plain results view). */
function parseFreshQuery(query: Record<string, unknown>, known: ReadonlySet<string>): FreshQuery | undefined | { error: string } {
  const sinceText = single(query, 'since');
  const waitText = single(query, 'wait');
  if (typeof sinceText === 'object') return sinceText;
  if (typeof waitText === 'object') return waitText;
  if (sinceText === undefined) {
    if (waitText !== undefined) return { error: 'parameter wait: needs since (the time results must be newer than)' };
    if (query.check !== undefined) return { error: 'parameter check: needs since (the time results must be newer than)' };
    return undefined;
  }
  const since = parseSince(sinceText);
  if (typeof since === 'object') return since;
  const waitMs = waitText === undefined ? 0 : parseWait(waitText);
  if (typeof waitMs === 'object') return waitMs;
  const checks = parseChecks(query.check, known);
  if (checks !== undefined && !Array.isArray(checks)) return checks;
  return { since, waitMs, checks };
}

function waitingFor(store: ResultsStore, query: FreshQuery): string[] {
  const wanted = query.checks && new Set(query.checks);
  return store
    .all()
    .filter((state) => state.check.enabled && (!wanted || wanted.has(state.check.name)))
    .filter((state) => !state.lastRun || state.lastRun.finishedAt <= query.since)
    .map((state) => state.check.name);
}

/**
 * Resolves when every requested check has a fresh sample, when the wait ends, or when the client
 * goes away (`closed` registers the callback); the store listener and timer are removed each time.
 */
function waitForFresh(store: ResultsStore, query: FreshQuery, closed: (release: () => void) => void): Promise<void> {
  if (query.waitMs <= 0 || waitingFor(store, query).length === 0) return Promise.resolve();
  return new Promise((resolve) => {
    let done = false;
    const release = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(release, query.waitMs);
    const unsubscribe = store.onChange(() => {
      if (waitingFor(store, query).length === 0) release();
    });
    closed(release);
  });
}

/** The view restricted to fresh checks, with the `fresh` summary. */
function freshView(view: ResultsView, store: ResultsStore, query: FreshQuery): ResultsView & { fresh: FreshSummary } {
  const wanted = query.checks && new Set(query.checks);
  const checks = view.checks.filter(
    (check) => (!wanted || wanted.has(check.name)) && check.lastRun !== undefined && Date.parse(check.lastRun.finishedAt) > query.since,
  );
  const waiting = waitingFor(store, query);
  return { ...view, checks, fresh: { since: new Date(query.since).toISOString(), complete: waiting.length === 0, waitingFor: waiting } };
}

/** GET /api/v1/results, with or without the freshness parameters. */
export function resultsHandler(exporter: Exporter): (req: Request, res: Response) => Promise<void> {
  return async (req, res) => {
    const query = parseFreshQuery(req.query, new Set(exporter.store.all().map((state) => state.check.name)));
    if (query === undefined) {
      res.json(resultsView(exporter));
      return;
    }
    if ('error' in query) {
      res.status(400).type('text/plain').send(`${query.error}\n`);
      return;
    }
    // A held request ends when the client goes away, so no listener outlives its connection.
    await waitForFresh(exporter.store, query, (release) => res.on('close', release));
    if (res.destroyed) return;
    res.json(freshView(resultsView(exporter), exporter.store, query));
  };
}
