// Shared plumbing for the real-database test helpers (postgres.ts, mariadb.ts):
// locating executables, picking ports, and running server processes that can
// never outlive the test process.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, openSync, closeSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, isAbsolute, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** Every host the helpers bind to; never a public interface. */
export const LOOPBACK = '127.0.0.1';

/** The common shape of a throw-away database server started for a test. */
export interface DatabaseServer {
  readonly port: number;
  readonly host: typeof LOOPBACK;
  readonly dataDir: string;
  /** Connection URL for the superuser, for `database` (default: the one created at start-up). */
  url(database?: string): string;
  superuserUrl(database?: string): string;
  /** Clean shutdown; the data directory is kept so start() can resume it. */
  stop(): Promise<void>;
  /** Start again on the same port after stop(). */
  start(): Promise<void>;
  /** stop() and delete everything on disk. */
  destroy(): Promise<void>;
  exec(sql: string, database?: string): Promise<void>;
  query<T = Record<string, unknown>>(sql: string, params?: readonly unknown[], database?: string): Promise<T[]>;
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Resolves `name` to an executable path: the absolute `candidates` first (in
 * order), then PATH. Throws an error telling the developer which Debian
 * package provides it, so a missing server is a one-line fix, not a puzzle.
 */
/**
 * The environment for a Node child that is not itself a test file. `node --test` marks each test
 * process with NODE_TEST_CONTEXT; a child that inherits it (Node 22 and later) reports to a test
 * runner that is not there instead of running, and never prints a line.
 */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const { NODE_TEST_CONTEXT: _testContext, ...env } = process.env;
  return { ...env, ...extra };
}

export function requireBinary(name: string, debianPackage: string, candidates: readonly string[] = []): string {
  const pathDirs = (process.env.PATH ?? '').split(delimiter).filter((dir) => isAbsolute(dir));
  for (const candidate of [...candidates, ...pathDirs.map((dir) => join(dir, name))]) {
    if (isExecutable(candidate)) return candidate;
  }
  throw new Error(`${name} not found: install the Debian package ${debianPackage} (apt-get install ${debianPackage})`);
}

/** Asks the kernel for an unused loopback port. Racy by nature, but good enough for tests. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, LOOPBACK, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a loopback listener'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** The numeric identity a server process runs as (see runAsFor). */
export interface RunAs {
  readonly user: string;
  readonly uid: number;
  readonly gid: number;
}

/**
 * Database servers refuse (PostgreSQL) or dislike (MariaDB) running as root,
 * so when we are root they run as `systemUser`. Returns undefined when we are
 * not root (run as ourselves) or when that account does not exist.
 */
export function runAsFor(systemUser: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const id = (flag: string): number => Number(execFileSync('id', [flag, systemUser], { encoding: 'utf8' }).trim());
    return { user: systemUser, uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

/** The last `lines` lines of a log file, for error messages; never throws. */
export async function tailFile(path: string, lines = 30): Promise<string> {
  try {
    const text = await readFile(path, 'utf8');
    return text.trimEnd().split('\n').slice(-lines).join('\n');
  } catch (error) {
    return `(could not read ${path}: ${(error as Error).message})`;
  }
}

// Children still alive when the test process exits are SIGKILLed: an 'exit'
// handler can only do synchronous work, and a leaked postmaster/mariadbd would
// otherwise keep its port and temp dir forever.
const liveChildren = new Set<ChildProcess>();
let exitHandlerInstalled = false;

function track(child: ChildProcess): void {
  if (!exitHandlerInstalled) {
    exitHandlerInstalled = true;
    process.once('exit', () => {
      for (const survivor of liveChildren) survivor.kill('SIGKILL');
    });
  }
  liveChildren.add(child);
  child.once('exit', () => liveChildren.delete(child));
}

export interface SpawnOptions {
  readonly runAs?: RunAs | undefined;
  /** Working directory; must be accessible to `runAs`, hence required. */
  readonly cwd: string;
  /** stdout and stderr are appended here. */
  readonly logFile: string;
  readonly env?: NodeJS.ProcessEnv;
}

function spawnLogged(command: string, args: readonly string[], options: SpawnOptions): ChildProcess {
  // Hand the child a file descriptor rather than pipes: the log survives us,
  // and no pipe can fill up and stall the server.
  const fd = openSync(options.logFile, 'a');
  try {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', fd, fd],
      uid: options.runAs?.uid,
      gid: options.runAs?.gid,
    });
    track(child);
    return child;
  } finally {
    closeSync(fd); // the child holds its own copy
  }
}

function exitPromise(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve(child.signalCode ?? `code ${child.exitCode}`);
      return;
    }
    child.once('error', reject); // e.g. ENOENT, EACCES
    child.once('exit', (code, signal) => resolve(signal ?? `code ${code}`));
  });
}

/** Runs a one-shot tool (initdb, mariadb-install-db) and throws with its log tail if it fails. */
export async function runTool(command: string, args: readonly string[], options: SpawnOptions): Promise<void> {
  const child = spawnLogged(command, args, options);
  const status = await exitPromise(child);
  if (status !== 'code 0') {
    throw new Error(`${command} failed (${status}); ${options.logFile}:\n${await tailFile(options.logFile)}`);
  }
}

/** A long-running server process. */
export class ServerProcess {
  private readonly exited: Promise<string>;
  private status: string | undefined;

  private constructor(
    private readonly child: ChildProcess,
    private readonly logFile: string,
  ) {
    this.exited = exitPromise(child).then(
      (status) => (this.status = status),
      (error: Error) => (this.status = `failed to spawn: ${error.message}`),
    );
  }

  static spawn(command: string, args: readonly string[], options: SpawnOptions): ServerProcess {
    return new ServerProcess(spawnLogged(command, args, options), options.logFile);
  }

  get running(): boolean {
    return this.status === undefined;
  }

  /**
   * Polls `probe` until it resolves true. Fails fast if the server dies, and
   * on timeout kills it; either way the error carries the log tail.
   */
  async waitUntilReady(what: string, timeoutMs: number, probe: () => Promise<boolean>): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let lastError = 'no attempt made';
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${what} exited during start-up (${this.status}); log:\n${await tailFile(this.logFile)}`);
      }
      try {
        // Race the exit so a probe stuck in its connect timeout cannot delay the verdict.
        if (await Promise.race([probe(), this.exited.then(() => false)])) return;
      } catch (error) {
        lastError = (error as Error).message;
      }
      await sleep(100);
    }
    await this.kill();
    throw new Error(`${what} not ready after ${timeoutMs} ms (last error: ${lastError}); log:\n${await tailFile(this.logFile)}`);
  }

  /** Sends `signal` and waits for the exit; escalates to SIGKILL after `graceMs`. */
  async stop(signal: NodeJS.Signals, graceMs = 30_000): Promise<void> {
    if (!this.running) return;
    this.child.kill(signal);
    // Cancel the grace timer once the process is gone, or it would keep the
    // test process alive for graceMs.
    const grace = new AbortController();
    const timedOut = await Promise.race([this.exited.then(() => false), sleep(graceMs, true, { signal: grace.signal }).catch(() => false)]);
    grace.abort();
    if (timedOut) await this.kill();
  }

  async kill(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }
}
