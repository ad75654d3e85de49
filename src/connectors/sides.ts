import type { DatabaseHandle } from './handle.js';
import { isSampleError, SampleError, toSampleError } from '../core/errors.js';
import type { DatabaseConfig, EnvironmentConfig, RootConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import type { DatabaseConnector, ConnectorOptions } from './database.js';
import { dialectOf } from './dialects/index.js';
import { endpointOf, engineOf } from '../core/engines.js';
import { Limiter } from './limiter.js';
import { MysqlConnector } from './mysql.js';
import { PostgresConnector } from './postgres.js';

export const APPLICATION_NAME = 'fidelity-exporter';

export function createConnector(options: ConnectorOptions): DatabaseConnector {
  const engine = engineOf(options.url.reveal());
  if (engine === 'postgres') return new PostgresConnector(options);
  if (engine === 'mysql') return new MysqlConnector(options);
  // The schema only lets postgres:// and mysql:// URLs through; this is a programming error.
  throw new SampleError('config', 'unsupported database URL scheme');
}

/** The statements one database runs at once: its own `max_concurrency`, the environment's, and never more than its pool. */
export function databaseConcurrency(environment: EnvironmentConfig, database: DatabaseConfig): number {
  return Math.min(database.max_concurrency ?? environment.max_concurrency, database.pool_size);
}

/** One database of one side: its connector (pool) and its own slots, shared with no other database. */
interface SideDatabase {
  readonly connector: DatabaseConnector;
  readonly slots: Limiter;
  /** `host:port`, for error messages. */
  readonly endpoint: string;
}

function seconds(ms: number): string {
  const value = ms / 1000;
  return `${value < 10 ? Math.round(value * 10) / 10 : Math.round(value)} s`;
}

/** Errors already named after their check, side, database and host. */
const named = new WeakSet<Error>();

/**
 * The environments as the checks see them: one connector and one concurrency limiter per
 * (side, database), created on first use, so that no database ever sees more than its
 * `max_concurrency` statements from the exporter at once, and a database that does not answer
 * holds its own slots only: the other databases of the environment go on.
 */
export class Sides {
  private readonly databases = new Map<string, SideDatabase>();
  /** side -> database -> reachable at the last attempt */
  readonly health = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly root: RootConfig,
    private readonly log: Logger,
  ) {
    for (const side of Object.keys(root.environments)) this.health.set(side, new Map());
  }

  private database(side: string, name: string): SideDatabase {
    const id = `${side}/${name}`;
    const existing = this.databases.get(id);
    if (existing) return existing;
    const environment = this.root.environments[side];
    const database = environment?.databases[name];
    if (!environment || !database) throw new SampleError('config', `database "${name}" is not defined in environment "${side}"`);
    const endpoint = endpointOf(database.url.reveal());
    const connector = createConnector({
      url: database.url,
      poolSize: database.pool_size,
      connectTimeoutMs: database.connect_timeout,
      applicationName: APPLICATION_NAME,
      onError: (error) => {
        this.log.warn(
          { side, database: name, endpoint, reason: toSampleError(error).reason, err: error.message },
          'database connection error',
        );
      },
    });
    const created = { connector, slots: new Limiter(databaseConcurrency(environment, database)), endpoint };
    this.databases.set(id, created);
    return created;
  }

  /**
   * Runs `work` on a slot of the database: waiting for the slot counts against the deadline, and
   * a wait cut short says so. Every error names the check, side, database and host:port.
   */
  private async onSlot<T>(
    where: { check?: string; side: string; name: string },
    signal: AbortSignal,
    work: (database: SideDatabase) => Promise<T>,
  ): Promise<T> {
    const database = this.database(where.side, where.name);
    const prefix = `${where.check ? `${where.check} on ` : ''}${where.side}/${where.name} (${database.endpoint})`;
    try {
      const waitStarted = performance.now();
      let release: () => void;
      try {
        release = await database.slots.acquire(signal);
      } catch (error) {
        throw slotWaitError(database.slots, performance.now() - waitStarted, error);
      }
      try {
        return await work(database);
      } finally {
        release();
      }
    } catch (error) {
      const failure = toSampleError(error);
      if (named.has(failure)) throw failure;
      const renamed = new SampleError(failure.reason, `${prefix}: ${failure.message}`, { cause: failure });
      named.add(renamed);
      throw renamed;
    }
  }

  private mark(side: string, database: string, up: boolean): void {
    this.health.get(side)?.set(database, up);
  }

  /** Records reachability from the outcome of any statement: connect/auth failures mean down. */
  private observe<T>(side: string, database: string, work: Promise<T>): Promise<T> {
    return work.then(
      (value) => {
        this.mark(side, database, true);
        return value;
      },
      (error: unknown) => {
        const reason = toSampleError(error).reason;
        if (reason === 'connect' || reason === 'auth') this.mark(side, database, false);
        else if (reason !== 'timeout' && reason !== 'canceled') this.mark(side, database, true);
        throw error;
      },
    );
  }

  /** The database as one sample sees it; `check` names the sample's check in errors. */
  handle(side: string, name: string, signal: AbortSignal, remainingMs: () => number, check?: string): DatabaseHandle {
    const { connector, slots } = this.database(side, name);
    const where = { check, side, name };
    // Read when the statement starts: the time spent waiting for a slot is already gone.
    const timeoutMs = () => Math.max(1, remainingMs());
    return {
      side,
      engine: connector.engine,
      dialect: dialectOf(connector.engine),
      concurrency: slots.limit,
      stream: (sql, options, onRow) =>
        this.observe(
          side,
          name,
          this.onSlot(where, signal, () => connector.stream(sql, { ...options, signal, timeoutMs: timeoutMs() }, onRow)),
        ),
      readOnly: (work) =>
        this.observe(
          side,
          name,
          this.onSlot(where, signal, () => connector.readOnly({ signal, timeoutMs: timeoutMs() }, work)),
        ),
    };
  }

  /** Pings every database of every environment (each through its own slots); never throws. */
  async probe(timeoutMs: number): Promise<void> {
    const pings: Promise<void>[] = [];
    for (const [side, environment] of Object.entries(this.root.environments)) {
      for (const name of Object.keys(environment.databases)) {
        const signal = AbortSignal.timeout(timeoutMs);
        pings.push(
          this.onSlot({ side, name }, signal, ({ connector }) => connector.ping(signal, timeoutMs)).then(
            () => this.mark(side, name, true),
            (error: unknown) => {
              this.mark(side, name, false);
              const failure = toSampleError(error);
              this.log.debug({ side, database: name, reason: failure.reason, err: failure.message }, 'side probe failed');
            },
          ),
        );
      }
    }
    await Promise.all(pings);
  }

  /** 1 when every database of the side answered at its last attempt; undefined before any attempt. */
  sideUp(side: string): number | undefined {
    const databases = this.health.get(side);
    if (!databases || databases.size === 0) return undefined;
    return [...databases.values()].every(Boolean) ? 1 : 0;
  }

  async close(): Promise<void> {
    await Promise.all([...this.databases.values()].map(({ connector }) => connector.close()));
    this.databases.clear();
  }
}

/** "waited 8 s for a connection: 4 of 4 in use by statements running for 9 s" */
function slotWaitError(slots: Limiter, waitedMs: number, abortReason: unknown): SampleError {
  const reason = isSampleError(abortReason) && abortReason.reason === 'canceled' ? 'canceled' : 'timeout';
  // Aborted before asking (a free slot is granted at once): the deadline, not the slots, stopped it.
  if (slots.inUse < slots.limit) return new SampleError(reason, 'deadline reached before the statement started');
  const held = slots.heldForMs();
  const shortest = Math.min(...held);
  const longest = Math.max(...held);
  const running =
    held.length === 0
      ? ''
      : seconds(shortest) === seconds(longest)
        ? ` by statements running for ${seconds(longest)}`
        : ` by statements running for ${seconds(shortest)} to ${seconds(longest)}`;
  return new SampleError(reason, `waited ${seconds(waitedMs)} for a connection: ${slots.inUse} of ${slots.limit} in use${running}`);
}
