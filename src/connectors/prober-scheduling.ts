/**
 * CPU scheduling of the HTTP prober thread. On a busy machine a woken thread can wait milliseconds
 * for a CPU, and that wait lands in the measured time of the request it was woken for. Under the
 * real-time policy (SCHED_FIFO) the prober thread runs as soon as its response arrives, ahead of every
 * normal thread (the exporter's own main thread included). Linux only; it needs CAP_SYS_NICE.
 *
 * Node has no call for a thread's policy, so util-linux `chrt` sets it for the thread's id.
 */
import { execFileSync } from 'node:child_process';
import { readlinkSync } from 'node:fs';
import type { ProberScheduling, SchedulingStatus } from './http-types.js';

/** The kernel's id of the calling thread (/proc/thread-self names it), or null off Linux. */
function currentThreadId(): number | null {
  try {
    const id = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(id) && id > 0 ? id : null;
  } catch {
    return null;
  }
}

/** Why `chrt` could not set the policy, in words an operator can act on. */
function schedulingFailure(error: unknown): string {
  const { code, stderr } = error as { code?: string; stderr?: Buffer | string };
  if (code === 'ENOENT') return 'chrt was not found (install util-linux)';
  const detail = String(stderr ?? '').trim();
  if (/not permitted/i.test(detail)) return 'not permitted: needs CAP_SYS_NICE (root, or docker run --cap-add SYS_NICE)';
  return detail ? `chrt failed: ${detail.split('\n')[0]}` : `chrt failed${code ? ` (${code})` : ''}`;
}

/** Applies the requested policy to the calling thread; never throws. */
export function applySchedulingToThisThread(requested: ProberScheduling): SchedulingStatus {
  const thread = currentThreadId();
  const realtime = requested.policy === 'realtime';
  if (thread === null) {
    return {
      requested,
      realtime: false,
      thread,
      message: realtime ? 'real-time scheduling needs Linux (/proc/thread-self)' : 'normal scheduling',
    };
  }
  const args = realtime ? ['--fifo', '--pid', String(requested.priority), String(thread)] : ['--other', '--pid', '0', String(thread)];
  try {
    execFileSync('chrt', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 5000 });
  } catch (error) {
    // Going back to normal cannot fail for lack of rights; if chrt is missing the thread never left it.
    return {
      requested,
      realtime: false,
      thread,
      message: realtime ? `real-time scheduling not applied: ${schedulingFailure(error)}` : 'normal scheduling',
    };
  }
  return { requested, realtime, thread, message: realtime ? `SCHED_FIFO priority ${requested.priority}` : 'normal scheduling' };
}
