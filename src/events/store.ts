import type { FidelityEvent } from './schema.js';

/**
 * What the events API remembers, all bounded: open provisioning runs per environment, the last
 * provisioning duration per environment, counters, and the most recent releases (staging verdict,
 * incidents) to link a production incident to the verdict staging gave its release.
 *
 * Escape ratio = releases that passed staging and then had a production incident / releases that
 * passed staging, over the remembered releases. A release remembered with no staging verdict has
 * its incidents counted as escaped="unknown".
 */

export class EventError extends Error {
  constructor(
    readonly status: 409 | 422,
    message: string,
  ) {
    super(message);
  }
}

interface ReleaseRecord {
  verdict?: 'pass' | 'fail';
  incidents: number;
  incidentIds: Set<string>;
  environments: Set<string>;
}

export interface ProvisioningStats {
  /** Seconds the last finished provisioning took. */
  lastDurationSeconds?: number;
  lastFinishedAt?: number;
  lastOutcome?: 'success' | 'failure';
  started: number;
  finished: { success: number; failure: number };
  /** Open runs: run id -> start time (ms). */
  open: Map<string, number>;
}

export interface EventLimits {
  maxReleases: number;
  maxOpenProvisionings: number;
}

const MAX_INCIDENT_IDS = 100;

export class EventStore {
  readonly provisioning = new Map<string, ProvisioningStats>();
  readonly deployments = new Map<string, number>();
  readonly verdicts = { pass: 0, fail: 0 };
  readonly incidents = { true: 0, false: 0, unknown: 0 };
  private readonly releases = new Map<string, ReleaseRecord>();
  /** Accepted events by type. */
  readonly received = new Map<FidelityEvent['type'], number>();

  constructor(private limits: EventLimits = { maxReleases: 1000, maxOpenProvisionings: 100 }) {}

  setLimits(limits: EventLimits): void {
    this.limits = limits;
    this.trimReleases();
  }

  /**
   * Applies one validated event. `environments` are the configured ones; anything else is a 422.
   * Throws EventError without changing anything when the event cannot be applied.
   */
  apply(event: FidelityEvent, environments: ReadonlySet<string>, now = Date.now()): string {
    const at = event.at === undefined ? now : Date.parse(event.at);
    if ('environment' in event && !environments.has(event.environment)) {
      throw new EventError(
        422,
        `environment "${event.environment}" is not defined in the configuration (known: ${[...environments].join(', ')})`,
      );
    }
    switch (event.type) {
      case 'provisioning_started': {
        const stats = this.provisioningOf(event.environment);
        const run = event.run ?? 'default';
        if (!stats.open.has(run) && stats.open.size >= this.limits.maxOpenProvisionings) {
          // Forget the oldest open run rather than growing without bound.
          const oldest = stats.open.keys().next().value;
          if (oldest !== undefined) stats.open.delete(oldest);
        }
        stats.open.delete(run);
        stats.open.set(run, at);
        stats.started += 1;
        break;
      }
      case 'provisioning_finished': {
        const stats = this.provisioning.get(event.environment);
        const run = event.run ?? 'default';
        const startedAt = stats?.open.get(run);
        let seconds = event.duration_seconds;
        if (seconds === undefined) {
          if (startedAt === undefined)
            throw new EventError(
              409,
              `no provisioning_started is open for environment "${event.environment}" run "${run}" (or send duration_seconds)`,
            );
          seconds = (at - startedAt) / 1000;
          if (seconds < 0) throw new EventError(422, 'provisioning_finished is earlier than its provisioning_started');
        }
        const target = stats ?? this.provisioningOf(event.environment);
        target.open.delete(run);
        target.lastDurationSeconds = seconds;
        target.lastFinishedAt = at;
        target.lastOutcome = event.outcome;
        target.finished[event.outcome] += 1;
        break;
      }
      case 'deployment': {
        this.deployments.set(event.environment, (this.deployments.get(event.environment) ?? 0) + 1);
        this.releaseOf(event.release).environments.add(event.environment);
        break;
      }
      case 'staging_verdict': {
        const release = this.releaseOf(event.release);
        release.verdict = event.verdict;
        this.verdicts[event.verdict] += 1;
        break;
      }
      case 'production_incident': {
        const release = this.releaseOf(event.release);
        if (event.incident !== undefined) {
          if (release.incidentIds.has(event.incident)) return 'duplicate incident ignored';
          if (release.incidentIds.size < MAX_INCIDENT_IDS) release.incidentIds.add(event.incident);
        }
        release.incidents += 1;
        const escaped = release.verdict === 'pass' ? 'true' : release.verdict === 'fail' ? 'false' : 'unknown';
        this.incidents[escaped] += 1;
        break;
      }
    }
    this.received.set(event.type, (this.received.get(event.type) ?? 0) + 1);
    return 'accepted';
  }

  private provisioningOf(environment: string): ProvisioningStats {
    let stats = this.provisioning.get(environment);
    if (!stats) {
      stats = { started: 0, finished: { success: 0, failure: 0 }, open: new Map() };
      this.provisioning.set(environment, stats);
    }
    return stats;
  }

  private releaseOf(name: string): ReleaseRecord {
    let release = this.releases.get(name);
    if (release) {
      // Most recently used last, so the oldest release is forgotten first.
      this.releases.delete(name);
    } else {
      release = { incidents: 0, incidentIds: new Set(), environments: new Set() };
    }
    this.releases.set(name, release);
    this.trimReleases();
    return release;
  }

  private trimReleases(): void {
    while (this.releases.size > this.limits.maxReleases) {
      const oldest = this.releases.keys().next().value;
      if (oldest === undefined) break;
      this.releases.delete(oldest);
    }
  }

  get rememberedReleases(): number {
    return this.releases.size;
  }

  /** Escaped releases / releases that passed staging; undefined before any staging pass. */
  escapeRatio(): number | undefined {
    let passed = 0;
    let escaped = 0;
    for (const release of this.releases.values()) {
      if (release.verdict !== 'pass') continue;
      passed += 1;
      if (release.incidents > 0) escaped += 1;
    }
    return passed === 0 ? undefined : escaped / passed;
  }
}
