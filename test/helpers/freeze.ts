// Freezes a PostgreSQL server the way a stalled host does: the postmaster and every backend
// stopped with SIGSTOP, sockets left open, so clients wait instead of failing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DatabaseServer } from './binaries.js';

function childrenOf(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Field 4 of /proc/PID/stat is the parent; the command (field 2) may hold spaces, so split after its ')'.
      const stat = readFileSync(join('/proc', entry, 'stat'), 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (parent === pid) children.push(Number(entry));
    } catch {
      // the process exited meanwhile
    }
  }
  return children;
}

/** Stops the postmaster, then its backends; the returned function continues them all (idempotent). */
export function freezePostgres(server: DatabaseServer): () => void {
  const postmaster = Number(readFileSync(join(server.dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  process.kill(postmaster, 'SIGSTOP');
  const stopped = [postmaster];
  for (const backend of childrenOf(postmaster)) {
    try {
      process.kill(backend, 'SIGSTOP');
      stopped.push(backend);
    } catch {
      // exited before the signal
    }
  }
  let thawed = false;
  return () => {
    if (thawed) return;
    thawed = true;
    for (const pid of stopped) {
      try {
        process.kill(pid, 'SIGCONT');
      } catch {
        // already gone
      }
    }
  };
}
