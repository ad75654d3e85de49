// Starts a real, throw-away PostgreSQL server for integration tests: loopback
// only, random port, temp data directory, password (SCRAM) authentication.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { freePort, LOOPBACK, requireBinary, runAsFor, runTool, ServerProcess, type DatabaseServer, type RunAs } from './binaries.js';

export type PostgresServer = DatabaseServer;

export interface StartPostgresOptions {
  /** Database created at start-up and used when url()/exec()/query() get none. Default `fidelity`. */
  readonly database?: string;
}

const SUPERUSER = 'postgres';
const READY_TIMEOUT_MS = 30_000;

/** Candidate bin dirs: Debian's versioned dirs (newest first), then whatever pg_config reports. */
function postgresBinDirs(): string[] {
  const root = '/usr/lib/postgresql';
  let versions: string[] = [];
  try {
    versions = readdirSync(root)
      .filter((name) => /^\d+(\.\d+)?$/.test(name))
      .sort((a, b) => Number(b) - Number(a));
  } catch {
    // not Debian's layout; fall through to pg_config / PATH
  }
  const dirs = versions.map((version) => join(root, version, 'bin'));
  try {
    dirs.push(execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim());
  } catch {
    // no pg_config either; requireBinary() still searches PATH
  }
  return dirs;
}

function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

export async function startPostgres(opts: StartPostgresOptions = {}): Promise<PostgresServer> {
  const database = opts.database ?? 'fidelity';
  const initdb = requireBinary(
    'initdb',
    'postgresql',
    postgresBinDirs().map((dir) => join(dir, 'initdb')),
  );
  // The server binary must match initdb's major version, so take it from the same dir.
  const postgres = requireBinary('postgres', 'postgresql', [join(dirname(initdb), 'postgres')]);
  // PostgreSQL refuses to run as root.
  const runAs: RunAs | undefined = runAsFor('postgres');
  if (process.getuid?.() === 0 && runAs === undefined) {
    throw new Error('running as root but there is no `postgres` system user to run PostgreSQL as');
  }

  const baseDir = await mkdtemp(join(tmpdir(), 'fidelity-pg-'));
  let server: PostgresHandle | undefined;
  try {
    if (runAs) await chown(baseDir, runAs.uid, runAs.gid);
    const dataDir = join(baseDir, 'data');
    const logFile = join(baseDir, 'server.log');
    const password = randomBytes(18).toString('hex');
    const pwFile = join(baseDir, 'pwfile');
    await writeFile(pwFile, `${password}\n`, { mode: 0o600 });
    if (runAs) await chown(pwFile, runAs.uid, runAs.gid);

    // --no-sync and --no-locale keep initdb well under a second.
    await runTool(
      initdb,
      ['-D', dataDir, '-U', SUPERUSER, `--pwfile=${pwFile}`, '--auth=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync'],
      { runAs, cwd: baseDir, logFile },
    );
    await rm(pwFile);

    server = new PostgresHandle(postgres, runAs, baseDir, dataDir, logFile, await freePort(), password, database);
    await server.start();
    if (database !== 'postgres') await server.exec(`CREATE DATABASE ${quoteIdent(database)}`, 'postgres');
    return server;
  } catch (error) {
    // Leave nothing behind; the error already carries the server log tail.
    await server?.stop();
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

class PostgresHandle implements PostgresServer {
  readonly host = LOOPBACK;
  private process: ServerProcess | undefined;

  constructor(
    private readonly postgresBinary: string,
    private readonly runAs: RunAs | undefined,
    private readonly baseDir: string,
    readonly dataDir: string,
    private readonly logFile: string,
    readonly port: number,
    private readonly password: string,
    private readonly database: string,
  ) {}

  url(database = this.database): string {
    return `postgres://${SUPERUSER}:${this.password}@${LOOPBACK}:${this.port}/${encodeURIComponent(database)}`;
  }

  superuserUrl(database = this.database): string {
    return this.url(database);
  }

  async start(): Promise<void> {
    if (this.process?.running) throw new Error('PostgreSQL is already running');
    // Run the postmaster directly (not via pg_ctl) so we own its pid and can wait for it.
    const settings = {
      listen_addresses: LOOPBACK,
      port: String(this.port),
      unix_socket_directories: this.baseDir, // not /var/run/postgresql: may not exist or be writable
      fsync: 'off', // test data is disposable; durability only costs time
      synchronous_commit: 'off',
      full_page_writes: 'off',
      shared_buffers: '32MB',
      max_connections: '50',
    };
    const args = ['-D', this.dataDir, ...Object.entries(settings).flatMap(([key, value]) => ['-c', `${key}=${value}`])];
    const server = ServerProcess.spawn(this.postgresBinary, args, { runAs: this.runAs, cwd: this.baseDir, logFile: this.logFile });
    this.process = server;
    await server.waitUntilReady(`PostgreSQL on port ${this.port}`, READY_TIMEOUT_MS, async () => {
      await this.exec('SELECT 1', 'postgres');
      return true;
    });
  }

  async stop(): Promise<void> {
    // SIGINT = "fast" shutdown: disconnect clients, checkpoint, exit.
    await this.process?.stop('SIGINT');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.baseDir, { recursive: true, force: true });
  }

  async exec(sql: string, database?: string): Promise<void> {
    await this.withClient(database, (client) => client.query(sql));
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], database?: string): Promise<T[]> {
    const result = await this.withClient(database, (client) => client.query(sql, [...params]));
    return result.rows as T[];
  }

  private async withClient<R>(database: string | undefined, use: (client: pg.Client) => Promise<R>): Promise<R> {
    const client = new pg.Client({ connectionString: this.url(database), connectionTimeoutMillis: 5_000 });
    // An 'error' event without a listener would crash the test process (e.g. on server shutdown).
    client.on('error', () => undefined);
    await client.connect();
    try {
      return await use(client);
    } finally {
      await client.end();
    }
  }
}
