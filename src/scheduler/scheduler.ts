import cron, { type ScheduledTask } from 'node-cron';
import type { CommonCheck } from '../checks/check.js';
import { runSample, type SampleDeps } from './sample.js';
import { firstSampleDelays, spreadWindow } from './spread.js';

/**
 * Runs every enabled check on its cron schedule or interval. First samples are spread over each
 * check's window (spread.ts) rather than all started at once; after a reload, a check that sampled
 * within its window keeps its cadence instead of sampling again. Overlapping runs of one check are
 * skipped (and counted by the store); the per-side concurrency limit lives in Sides, so it holds
 * across all checks.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tasks: ScheduledTask[] = [];
  /** Pending first samples of cron checks, cancelled when a cron tick comes first. */
  private readonly firstSamples = new Map<string, NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<boolean>>();
  private stopped = false;

  constructor(private readonly deps: SampleDeps) {}

  start(checks: CommonCheck[], probeIntervalMs: number): void {
    void this.probe();
    this.timers.push(setInterval(() => void this.probe(), probeIntervalMs));
    const now = Date.now();
    const startSpread = this.deps.root.defaults.start_spread;
    const plans: Array<{ check: CommonCheck; periodMs: number; cadenceAt?: number; firstTickAt?: number }> = [];
    for (const check of checks.filter((c) => c.enabled)) {
      let periodMs = 0;
      let firstTickAt: number | undefined;
      if (check.schedule !== undefined && check.every === undefined) {
        const task = cron.schedule(check.schedule, () => this.cronTick(check), { name: check.name });
        this.tasks.push(task);
        const [next, after] = task.getNextRuns(2);
        periodMs = next && after ? after.getTime() - next.getTime() : 0;
        firstTickAt = next?.getTime();
      } else if (check.every !== undefined) {
        periodMs = check.every;
      }
      plans.push({ check, periodMs, cadenceAt: this.cadence(check, periodMs, now), firstTickAt });
    }
    const delays = firstSampleDelays(
      plans
        .filter((plan) => plan.cadenceAt === undefined)
        .map((plan) => ({ name: plan.check.name, windowMs: spreadWindow(plan.periodMs, startSpread) })),
    );
    for (const { check, cadenceAt, firstTickAt } of plans) {
      if (cadenceAt === Infinity) continue; // a cron check that sampled within its period: its ticks go on
      const delay = cadenceAt === undefined ? (delays.get(check.name) ?? 0) : cadenceAt - now;
      // A start-up sample that could still run at the first cron tick is left to that tick.
      if (firstTickAt !== undefined && now + delay + check.timeout > firstTickAt) continue;
      this.deps.log.debug({ check: check.name, delay_ms: delay }, 'first sample scheduled');
      this.first(check, delay);
    }
  }

  /**
   * Every enabled check once, now and all at once, with one probe of the sides; resolves when all
   * are done (the one-shot `run`). No spread: a CI job wants its answer as soon as possible.
   */
  async once(checks: CommonCheck[], onSampled?: (check: CommonCheck) => void): Promise<void> {
    const samples = checks
      .filter((check) => check.enabled)
      .map(async (check) => {
        await this.trigger(check);
        onSampled?.(check);
      });
    await Promise.all([this.probe(), ...samples]);
  }

  /**
   * After a reload, when a check sampled within its period: the time of its next sample (interval
   * checks), or Infinity (cron checks, whose ticks simply go on). Undefined when it should spread.
   */
  private cadence(check: CommonCheck, periodMs: number, now: number): number | undefined {
    const lastStart = this.deps.store.get(check.name)?.lastRun?.startedAt;
    if (lastStart === undefined || periodMs <= 0 || lastStart + periodMs <= now) return undefined;
    return check.every !== undefined ? lastStart + periodMs : Infinity;
  }

  /** The first sample after `delay` ms (now, synchronously, at 0), then every interval. */
  private first(check: CommonCheck, delay: number): void {
    const begin = () => {
      this.firstSamples.delete(check.name);
      void this.trigger(check);
      if (check.every !== undefined) this.timers.push(setInterval(() => void this.trigger(check), check.every));
    };
    if (delay <= 0) begin();
    else this.firstSamples.set(check.name, setTimeout(begin, delay));
  }

  private cronTick(check: CommonCheck): void {
    // A tick before the spread first sample is that first sample.
    clearTimeout(this.firstSamples.get(check.name));
    this.firstSamples.delete(check.name);
    void this.trigger(check);
  }

  private probe(): Promise<void> {
    return this.deps.sides.probe(Math.min(10_000, this.deps.root.defaults.side_probe_interval));
  }

  /** Starts a sample; resolves when it is done (false when skipped or stopped). */
  private trigger(check: CommonCheck): Promise<boolean> {
    if (this.stopped) return Promise.resolve(false);
    const run = runSample(check, this.deps);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
    return run;
  }

  /** Resolves when every sample started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    for (const timer of this.firstSamples.values()) clearTimeout(timer);
    this.firstSamples.clear();
    await Promise.all(this.tasks.map((task) => task.destroy()));
    await this.idle();
  }
}
