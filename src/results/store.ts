import type { CheckResult, CommonCheck } from '../checks/check.js';
import type { FailureReason } from '../core/errors.js';
import type { ExamplesPrivacy } from './privacy.js';
import { cutText } from '../core/text.js';

/**
 * The last result of every check, written by samples and read at scrape time. A comparison
 * result is kept only while the check's last sample succeeded: a failed sample removes it, so a
 * stale "all good" is never served as fresh.
 *
 * Every result and error message is protected by the examples policy on its way in (see
 * privacy.ts): what the store holds is what may leave the process, whichever surface reads it.
 */

export interface SampleRecord {
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  success: boolean;
  reason?: FailureReason;
  error?: string;
}

export interface CheckState {
  check: CommonCheck;
  running: boolean;
  lastRun?: SampleRecord;
  lastSuccessAt?: number;
  /** Present only while the last sample succeeded. */
  result?: CheckResult;
  /** The result before the current one, to show what changed between samples. */
  previousResult?: CheckResult;
  runs: { success: number; failure: number };
  errors: Partial<Record<FailureReason, number>>;
  skipped: number;
  /** Per-check memory handed to every sample (windows, first-seen times). */
  memory: Map<string, unknown>;
  /** Bumped by every change of what /metrics shows of this check (runs, errors, skips, result). */
  revision: number;
}

export class ResultsStore {
  private readonly states = new Map<string, CheckState>();
  private privacy: ExamplesPrivacy | undefined;
  private readonly listeners = new Set<() => void>();
  /** Bumped by every change of any check's state, and by a new set of checks. */
  revision = 0;

  /** Called after each change (one sample's whole outcome lands in one synchronous change). */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private changed(state?: CheckState): void {
    if (state) state.revision += 1;
    this.revision += 1;
    for (const listener of this.listeners) listener();
  }

  /** Replaces the set of checks; checks that keep their name and definition keep their history. */
  setChecks(checks: CommonCheck[], privacy: ExamplesPrivacy): void {
    // A reload keeps what masking samples found until they run again.
    if (this.privacy) privacy.inheritFlagged(this.privacy);
    this.privacy = privacy;
    const next = new Map<string, CheckState>();
    for (const check of checks) {
      const existing = this.states.get(check.name);
      if (existing && JSON.stringify(existing.check) === JSON.stringify(check)) next.set(check.name, existing);
      else if (existing && existing.check.kind === check.kind)
        next.set(check.name, {
          ...fresh(check),
          memory: existing.memory,
          runs: existing.runs,
          errors: existing.errors,
          skipped: existing.skipped,
        });
      else next.set(check.name, fresh(check));
    }
    this.states.clear();
    for (const [name, state] of next) this.states.set(name, state);
    this.changed();
  }

  get(name: string): CheckState | undefined {
    return this.states.get(name);
  }

  all(): CheckState[] {
    return [...this.states.values()];
  }

  /** Marks a sample as started; false when one is still running (the tick is then skipped). */
  begin(name: string): boolean {
    const state = this.states.get(name);
    if (!state) return false;
    if (state.running) {
      state.skipped += 1;
      this.changed(state);
      return false;
    }
    state.running = true;
    return true;
  }

  succeed(name: string, result: CheckResult, record: Omit<SampleRecord, 'success'>): void {
    const state = this.states.get(name);
    if (!state) return; // removed by a reload while it ran
    state.running = false;
    state.lastRun = { ...record, success: true };
    state.lastSuccessAt = record.finishedAt;
    state.previousResult = state.result ?? state.previousResult;
    const privacy = this.guard();
    const newlyFlagged = privacy.flag(result.personalColumns);
    state.result = privacy.protectResult(state.check, result);
    state.runs.success += 1;
    if (newlyFlagged && result.personalColumns) this.reprotect(result.personalColumns.database);
    this.changed(state);
  }

  private guard(): ExamplesPrivacy {
    if (!this.privacy) throw new Error('results store used before setChecks');
    return this.privacy;
  }

  /** Columns just became sensitive: results already held that read the database are protected again. */
  private reprotect(database: string): void {
    const privacy = this.guard();
    for (const state of this.states.values()) {
      if (!privacy.readsDatabase(state.check, database)) continue;
      if (state.result) state.result = privacy.protectResult(state.check, state.result, true);
      if (state.previousResult) state.previousResult = privacy.protectResult(state.check, state.previousResult, true);
      state.revision += 1;
    }
  }

  fail(name: string, reason: FailureReason, error: string, record: Omit<SampleRecord, 'success' | 'reason' | 'error'>): void {
    const state = this.states.get(name);
    if (!state) return;
    state.running = false;
    // Protected whole first, so that cutting it never leaves half a secret unrecognised.
    state.lastRun = { ...record, success: false, reason, error: cutText(this.guard().protectMessage(state.check, error), MAX_ERROR_CHARS) };
    if (state.result) state.previousResult = state.result;
    delete state.result;
    state.runs.failure += 1;
    state.errors[reason] = (state.errors[reason] ?? 0) + 1;
    this.changed(state);
  }
}

/** Longest failure message kept: a hostile side can put megabytes into a database or HTTP error. */
const MAX_ERROR_CHARS = 2000;

function fresh(check: CommonCheck): CheckState {
  return { check, running: false, runs: { success: 0, failure: 0 }, errors: {}, skipped: 0, memory: new Map(), revision: 0 };
}
