import cron, { type ScheduledTask } from 'node-cron';
import type { CommonCheck } from '../checks/check.js';
import { runSample, type SampleDeps } from './sample.js';

/**
 * Runs every enabled check once at start, then on its cron schedule or interval. Overlapping runs
 * of one check are skipped (and counted by the store); the per-side concurrency limit lives in
 * Sides, so it holds across all checks.
 */
export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly tasks: ScheduledTask[] = [];
  private readonly inFlight = new Set<Promise<boolean>>();
  private stopped = false;

  constructor(private readonly deps: SampleDeps) {}

  start(checks: CommonCheck[], probeIntervalMs: number): void {
    this.probe();
    this.timers.push(setInterval(() => this.probe(), probeIntervalMs));
    for (const check of checks.filter((c) => c.enabled)) {
      this.trigger(check);
      if (check.every !== undefined) {
        this.timers.push(setInterval(() => this.trigger(check), check.every));
      } else if (check.schedule !== undefined) {
        this.tasks.push(cron.schedule(check.schedule, () => this.trigger(check), { name: check.name }));
      }
    }
  }

  private probe(): void {
    void this.deps.sides.probe(Math.min(10_000, this.deps.root.defaults.side_probe_interval));
  }

  private trigger(check: CommonCheck): void {
    if (this.stopped) return;
    const run = runSample(check, this.deps);
    this.inFlight.add(run);
    void run.finally(() => this.inFlight.delete(run));
  }

  /** Resolves when every sample started so far has finished. */
  async idle(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.all([...this.inFlight]);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers) clearInterval(timer);
    await Promise.all(this.tasks.map((task) => task.destroy()));
    await this.idle();
  }
}
