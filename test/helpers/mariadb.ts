// Starts a real, throw-away MariaDB server for integration tests: loopback
// only, random port, temp data directory, root with a random password.
import { randomBytes } from 'node:crypto';
import { chown, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import { freePort, LOOPBACK, requireBinary, runAsFor, runTool, ServerProcess, type DatabaseServer, type RunAs } from './binaries.js';

export type MariaDbServer = DatabaseServer;

export interface StartMariaDbOptions {
  /** Database created at start-up and used when url()/exec()/query() get none. Default `fidelity`. */
  readonly database?: string;
}

const READY_TIMEOUT_MS = 60_000;
const SBIN = ['/usr/sbin', '/usr/local/sbin', '/sbin'];

// Shared by the bootstrap (mariadb-install-db) and the server: the redo log is
// sized at bootstrap, and small buffers make both start in a second or two.
const INNODB_OPTIONS = [
  '--innodb-buffer-pool-size=64M',
  '--innodb-log-file-size=16M',
  '--innodb-doublewrite=0',
  '--innodb-flush-log-at-trx-commit=0', // disposable data: skip the per-commit flush
  '--innodb-use-native-aio=0', // io_setup() often fails or is capped inside containers
];

function quoteIdent(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

export async function startMariaDb(opts: StartMariaDbOptions = {}): Promise<MariaDbServer> {
  const database = opts.database ?? 'fidelity';
  const installDb = requireBinary(
    'mariadb-install-db',
    'mariadb-server',
    SBIN.map((dir) => join(dir, 'mariadb-install-db')),
  );
  const mariadbd = requireBinary(
    'mariadbd',
    'mariadb-server',
    SBIN.map((dir) => join(dir, 'mariadbd')),
  );
  // mariadbd refuses root unless told --user=root; prefer the unprivileged `mysql` account.
  const runAs: RunAs | undefined = runAsFor('mysql');
  const userArgs = process.getuid?.() === 0 && runAs === undefined ? ['--user=root'] : [];

  const baseDir = await mkdtemp(join(tmpdir(), 'fidelity-maria-'));
  let server: MariaDbHandle | undefined;
  try {
    const dataDir = join(baseDir, 'data');
    const tmpDir = join(baseDir, 'tmp');
    await mkdir(tmpDir);
    if (runAs) {
      await chown(baseDir, runAs.uid, runAs.gid);
      await chown(tmpDir, runAs.uid, runAs.gid);
    }
    const logFile = join(baseDir, 'server.log');

    // --no-defaults must come first; it keeps /etc/mysql/*.cnf (and the
    // developer's ~/.my.cnf) out of the test server entirely.
    await runTool(
      installDb,
      [
        '--no-defaults',
        `--datadir=${dataDir}`,
        '--auth-root-authentication-method=normal', // passwordless root@localhost, replaced right after start
        '--skip-test-db',
        '--skip-name-resolve',
        `--tmpdir=${tmpDir}`,
        ...userArgs,
        ...INNODB_OPTIONS,
      ],
      { runAs, cwd: baseDir, logFile },
    );

    const password = randomBytes(18).toString('hex');
    server = new MariaDbHandle(mariadbd, runAs, userArgs, baseDir, dataDir, tmpDir, logFile, await freePort(), password, database);
    await server.start();
    return server;
  } catch (error) {
    // Leave nothing behind; the error already carries the server log tail.
    await server?.stop();
    await rm(baseDir, { recursive: true, force: true });
    throw error;
  }
}

class MariaDbHandle implements MariaDbServer {
  readonly host = LOOPBACK;
  private process: ServerProcess | undefined;
  private secured = false;

  constructor(
    private readonly mariadbd: string,
    private readonly runAs: RunAs | undefined,
    private readonly userArgs: readonly string[],
    private readonly baseDir: string,
    readonly dataDir: string,
    private readonly tmpDir: string,
    private readonly logFile: string,
    readonly port: number,
    private readonly password: string,
    private readonly database: string,
  ) {}

  private get socket(): string {
    return join(this.baseDir, 'mariadb.sock');
  }

  url(database = this.database): string {
    return `mysql://root:${this.password}@${LOOPBACK}:${this.port}/${encodeURIComponent(database)}`;
  }

  superuserUrl(database = this.database): string {
    return this.url(database);
  }

  async start(): Promise<void> {
    if (this.process?.running) throw new Error('MariaDB is already running');
    const args = [
      '--no-defaults',
      `--datadir=${this.dataDir}`,
      `--port=${this.port}`,
      `--bind-address=${LOOPBACK}`,
      `--socket=${this.socket}`,
      `--pid-file=${join(this.baseDir, 'mariadbd.pid')}`,
      `--tmpdir=${this.tmpDir}`,
      '--skip-log-bin',
      '--skip-name-resolve', // TCP clients are matched as root@127.0.0.1, no DNS lookups
      '--default-time-zone=+00:00',
      '--character-set-server=utf8mb4',
      ...this.userArgs,
      ...INNODB_OPTIONS,
    ];
    const server = ServerProcess.spawn(this.mariadbd, args, { runAs: this.runAs, cwd: this.baseDir, logFile: this.logFile });
    this.process = server;
    const what = `MariaDB on port ${this.port}`;
    if (this.secured) {
      await server.waitUntilReady(what, READY_TIMEOUT_MS, async () => {
        await this.exec('SELECT 1');
        return true;
      });
      return;
    }
    // First start: root has no password yet and only exists as root@localhost,
    // which is reachable through the unix socket alone.
    const viaSocket = (): Promise<mysql.Connection> =>
      mysql.createConnection({ socketPath: this.socket, user: 'root', multipleStatements: true });
    await server.waitUntilReady(what, READY_TIMEOUT_MS, async () => {
      await (await viaSocket()).end();
      return true;
    });
    const conn = await viaSocket();
    try {
      await conn.query(
        [
          'ALTER USER root@localhost IDENTIFIED BY ?',
          'CREATE OR REPLACE USER root@`127.0.0.1` IDENTIFIED BY ?',
          'GRANT ALL PRIVILEGES ON *.* TO root@`127.0.0.1` WITH GRANT OPTION',
          `CREATE DATABASE IF NOT EXISTS ${quoteIdent(this.database)}`,
        ].join(';\n'),
        [this.password, this.password],
      );
    } finally {
      await conn.end();
    }
    this.secured = true;
  }

  async stop(): Promise<void> {
    // SIGTERM = normal shutdown (InnoDB flushes and closes cleanly).
    await this.process?.stop('SIGTERM');
  }

  async destroy(): Promise<void> {
    await this.stop();
    await rm(this.baseDir, { recursive: true, force: true });
  }

  async exec(sql: string, database?: string): Promise<void> {
    // multipleStatements lets exec() take a script, like PostgreSQL's simple query protocol.
    await this.withConnection(database, true, (conn) => conn.query(sql));
  }

  async query<T = Record<string, unknown>>(sql: string, params: readonly unknown[] = [], database?: string): Promise<T[]> {
    const [rows] = await this.withConnection(database, false, (conn) => conn.query<mysql.RowDataPacket[]>(sql, [...params]));
    return rows as T[];
  }

  private async withConnection<R>(
    database: string | undefined,
    multipleStatements: boolean,
    use: (conn: mysql.Connection) => Promise<R>,
  ): Promise<R> {
    const conn = await mysql.createConnection({
      host: LOOPBACK,
      port: this.port,
      user: 'root',
      password: this.password,
      database: database ?? this.database,
      multipleStatements,
      timezone: 'Z', // the server runs in UTC; make DATETIME <-> Date agree with it
      connectTimeout: 5_000,
    });
    try {
      return await use(conn);
    } finally {
      await conn.end();
    }
  }
}
