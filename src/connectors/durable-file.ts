import { randomBytes } from 'node:crypto';
import { open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * Files the exporter keeps across restarts. A write goes to a temporary file in the same
 * directory, is flushed to disk, renamed over the old file and the directory entry flushed too,
 * so a crash or power loss at any point leaves either the old complete file or the new one.
 * A read validates what it finds; a file that fails is moved aside (never deleted) with its
 * reason, so the exporter starts and an operator can look at it later.
 */

const TEMPORARY = /\.tmp-[0-9a-f]+$/;

/** Writes `content` to `file` so that a crash at any point leaves the old or the new content whole. */
export async function writeFileDurably(file: string, content: string, mode = 0o600): Promise<void> {
  const temporary = `${file}.tmp-${randomBytes(6).toString('hex')}`;
  const handle = await open(temporary, 'w', mode);
  try {
    await handle.writeFile(content, 'utf8');
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  try {
    await rename(temporary, file);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await syncDirectory(dirname(file));
}

async function syncDirectory(directory: string): Promise<void> {
  const handle = await open(directory, 'r');
  try {
    await handle.sync();
  } catch (error) {
    // Some file systems cannot flush a directory; the rename itself is still atomic there.
    if (!['EINVAL', 'ENOTSUP', 'EISDIR'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  } finally {
    await handle.close();
  }
}

export type DurableRead<T> =
  | { status: 'missing' }
  | { status: 'ok'; value: T }
  /** Unreadable or invalid: moved to `setAsideAs` (undefined when even that failed). */
  | { status: 'set-aside'; reason: string; setAsideAs?: string };

/**
 * Reads `file` and validates it with `parse` (which throws with a reason on anything it does not
 * accept). Temporary files left by a write that a crash interrupted are removed first.
 */
export async function readFileDurably<T>(file: string, parse: (text: string) => T): Promise<DurableRead<T>> {
  await removeLeftovers(file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { status: 'missing' };
    return { status: 'set-aside', reason: `cannot read (${code ?? 'error'})` };
  }
  try {
    return { status: 'ok', value: parse(text) };
  } catch (error) {
    const reason = error instanceof SyntaxError ? 'not valid JSON (truncated or corrupt)' : (error as Error).message;
    const setAsideAs = `${file}.corrupt-${new Date().toISOString().replace(/[:.]/g, '-')}`;
    try {
      await rename(file, setAsideAs);
      return { status: 'set-aside', reason, setAsideAs };
    } catch {
      return { status: 'set-aside', reason };
    }
  }
}

async function removeLeftovers(file: string): Promise<void> {
  const prefix = `${basename(file)}.tmp-`;
  let names: string[];
  try {
    names = await readdir(dirname(file));
  } catch {
    return;
  }
  for (const name of names)
    if (name.startsWith(prefix) && TEMPORARY.test(name)) await rm(join(dirname(file), name), { force: true }).catch(() => undefined);
}
