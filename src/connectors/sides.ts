import type { DatabaseHandle } from '../checks/check.js';
import { SampleError, toSampleError } from '../checks/errors.js';
import type { RootConfig } from '../config/schema.js';
import type { Logger } from '../log.js';
import { engineOf, type DatabaseConnector, type ConnectorOptions } from './database.js';
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

/**
 * The environments as the checks see them: one connector per (side, database), created on first
 * use, and one concurrency limiter per side so that no environment ever sees more than
 * `max_concurrency` statements from the exporter at once.
 */
export class Sides {
  private readonly connectors = new Map<string, DatabaseConnector>();
  private readonly limiters = new Map<string, Limiter>();
  /** side -> database -> reachable at the last attempt */
  readonly health = new Map<string, Map<string, boolean>>();

  constructor(
    private readonly root: RootConfig,
    private readonly log: Logger,
  ) {
    for (const [side, environment] of Object.entries(root.environments)) {
      this.limiters.set(side, new Limiter(environment.max_concurrency));
      this.health.set(side, new Map());
    }
  }

  private connector(side: string, name: string): DatabaseConnector {
    const id = `${side}/${name}`;
    let connector = this.connectors.get(id);
    if (connector) return connector;
    const database = this.root.environments[side]?.databases[name];
    if (!database) throw new SampleError('config', `database "${name}" is not defined in environment "${side}"`);
    connector = createConnector({
      url: database.url,
      poolSize: database.pool_size,
      connectTimeoutMs: database.connect_timeout,
      applicationName: APPLICATION_NAME,
      onError: (error) => {
        this.log.warn({ side, database: name, reason: toSampleError(error).reason, err: error.message }, 'database connection error');
      },
    });
    this.connectors.set(id, connector);
    return connector;
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

  handle(side: string, name: string, signal: AbortSignal, remainingMs: () => number): DatabaseHandle {
    const connector = this.connector(side, name);
    const limiter = this.limiters.get(side) ?? new Limiter(1);
    const timeoutMs = () => Math.max(1, remainingMs());
    return {
      side,
      engine: connector.engine,
      stream: (sql, options, onRow) =>
        this.observe(side, name, limiter.run(() => connector.stream(sql, { ...options, signal, timeoutMs: timeoutMs() }, onRow), signal)),
      readOnly: (work) => this.observe(side, name, limiter.run(() => connector.readOnly({ signal, timeoutMs: timeoutMs() }, work), signal)),
    };
  }

  /** Pings every database of every environment (through the side limits); never throws. */
  async probe(timeoutMs: number): Promise<void> {
    const pings: Promise<void>[] = [];
    for (const [side, environment] of Object.entries(this.root.environments)) {
      for (const name of Object.keys(environment.databases)) {
        const signal = AbortSignal.timeout(timeoutMs);
        const connector = this.connector(side, name);
        const limiter = this.limiters.get(side) ?? new Limiter(1);
        pings.push(
          limiter
            .run(() => connector.ping(signal, timeoutMs), signal)
            .then(
              () => this.mark(side, name, true),
              (error: unknown) => {
                this.mark(side, name, false);
                this.log.debug({ side, database: name, reason: toSampleError(error).reason }, 'side probe failed');
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
    await Promise.all([...this.connectors.values()].map((connector) => connector.close()));
    this.connectors.clear();
  }
}
