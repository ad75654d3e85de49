import { createHash, timingSafeEqual } from 'node:crypto';
import express, { type Request, type Response } from 'express';
import type { Exporter } from '../runtime/exporter.js';
import { eventSchema } from '../events/schema.js';
import { EventError } from '../events/store.js';
import type { Logger } from '../log.js';
import type { GateReport } from '../scoring/gate.js';
import { gateOfCandidate } from '../scoring/current.js';

/** GET /gate and POST /api/v1/events (docs/scores-and-gate.md); mounted by app.ts. */

/** Events are small JSON objects; anything bigger is refused before it is parsed. */
export const EVENT_BODY_LIMIT_BYTES = 8 * 1024;

export function gateBody(report: GateReport, generatedAt: string) {
  return {
    verdict: report.verdict,
    generatedAt,
    candidates: report.candidates.map((candidate) => ({
      candidate: candidate.candidate,
      verdict: candidate.verdict,
      evaluated: candidate.evaluated,
      reasons: candidate.reasons,
      dimensions: candidate.rows.map((row) => ({
        dimension: row.dimension,
        score: row.score,
        threshold: row.threshold,
        gated: row.gated,
        status: row.status,
        checks: row.checks,
        withoutResult: row.withoutResult,
        failingChecks: row.failingChecks,
      })),
    })),
  };
}

export function gateHandler(exporter: Exporter) {
  return (req: Request, res: Response) => {
    const requested = req.query.candidate;
    if (requested !== undefined && typeof requested !== 'string') {
      res.status(400).json({ error: 'give at most one candidate: /gate?candidate=NAME' });
      return;
    }
    const scores = exporter.config.root.scores;
    const enabled = exporter.config.checks.filter((check) => check.enabled);
    if (requested !== undefined && !enabled.some((check) => check.candidate === requested)) {
      res.status(404).json({
        error: `no enabled check compares candidate "${requested.slice(0, 100)}"`,
        candidates: [...new Set(enabled.map((c) => c.candidate))],
      });
      return;
    }
    // The default gate is the shared score state's; a requested candidate is evaluated from its outcomes.
    const state = exporter.scoreState();
    const gate = requested === undefined ? state.gate : gateOfCandidate(state, scores, requested);
    const status = gate.verdict === 'pass' ? 200 : gate.verdict === 'fail' ? 503 : scores.inconclusive_http_status;
    res.status(status).set('Cache-Control', 'no-store').json(gateBody(gate, new Date().toISOString()));
  };
}

function tokenMatches(header: string | undefined, expected: string): boolean {
  const match = /^Bearer +(\S+)$/i.exec(header ?? '');
  if (!match?.[1]) return false;
  // Digests of equal length: neither the token's length nor its content leaks through timing.
  return timingSafeEqual(createHash('sha256').update(match[1]).digest(), createHash('sha256').update(expected).digest());
}

const parseJson = express.json({ limit: EVENT_BODY_LIMIT_BYTES, type: () => true, strict: true });

export function eventsHandler(exporter: Exporter, log: Logger) {
  const refuse = (res: Response, status: number, message: string, extra: Record<string, unknown> = {}) => {
    res.status(status).json({ error: message, ...extra });
  };
  return (req: Request, res: Response) => {
    const token = exporter.config.root.events.token;
    if (!token) {
      refuse(res, 403, 'the events API is disabled: set events.token in the configuration');
      return;
    }
    if (!tokenMatches(req.get('authorization'), token.reveal())) {
      res.set('WWW-Authenticate', 'Bearer realm="fidelity-exporter events"');
      refuse(res, 401, 'missing or wrong bearer token (Authorization: Bearer <events.token>)');
      return;
    }
    if (!req.is('application/json')) {
      refuse(res, 415, 'send the event as Content-Type: application/json');
      return;
    }
    parseJson(req, res, (error?: unknown) => {
      if (error) {
        const type = (error as { type?: string }).type;
        if (type === 'entity.too.large') refuse(res.set('Connection', 'close'), 413, `event larger than ${EVENT_BODY_LIMIT_BYTES} bytes`);
        else if (type === 'entity.parse.failed') refuse(res, 400, 'the body is not valid JSON');
        else refuse(res, 400, 'the body could not be read');
        return;
      }
      const parsed = eventSchema.safeParse(req.body, { reportInput: true });
      if (!parsed.success) {
        // Messages name the field and what is expected; they never echo the value sent.
        const problems = parsed.error.issues.map((issue) => {
          const at = issue.path.length > 0 ? issue.path.join('.') : 'event';
          if (issue.code === 'unrecognized_keys')
            return `${at}: unknown key ${issue.keys.map((k) => JSON.stringify(k.slice(0, 50))).join(', ')}`;
          if (issue.code === 'invalid_type') return `${at}: ${issue.input === undefined ? 'is required' : `expected ${issue.expected}`}`;
          return `${at}: ${issue.message}`;
        });
        refuse(res, 422, 'invalid event', { problems: problems.slice(0, 20) });
        return;
      }
      try {
        const outcome = exporter.events.apply(parsed.data, new Set(Object.keys(exporter.config.root.environments)));
        log.info({ event: parsed.data.type }, 'event received');
        res.status(202).json({ status: outcome, type: parsed.data.type });
      } catch (failure) {
        if (failure instanceof EventError) refuse(res, failure.status, failure.message);
        else {
          log.error({ err: failure instanceof Error ? failure.message : String(failure) }, 'event could not be applied');
          refuse(res, 500, 'internal error');
        }
      }
    });
  };
}
