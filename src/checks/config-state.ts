import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { readFileDurably, writeFileDurably, type DurableRead } from '../connectors/durable-file.js';

/**
 * The `config` kind's state file: when each difference was first seen, so drift age survives a
 * restart. Paths and times only, never values.
 */

interface StateFile {
  version: 1;
  check: string;
  firstSeen: Record<string, string>;
}

/** Parses and validates a state file's text; throws with the reason on anything else. */
export function parseFirstSeen(text: string, checkName: string): Map<string, number> {
  const parsed = JSON.parse(text) as Partial<StateFile> | null;
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
  if (parsed.version !== 1) throw new Error(`unknown version ${JSON.stringify(parsed.version)}`);
  if (parsed.check !== checkName) throw new Error(`written for check ${JSON.stringify(parsed.check)}, not "${checkName}"`);
  const firstSeen = new Map<string, number>();
  if (parsed.firstSeen === null || typeof parsed.firstSeen !== 'object' || Array.isArray(parsed.firstSeen))
    throw new Error('firstSeen is not an object');
  for (const [id, at] of Object.entries(parsed.firstSeen)) {
    const ms = typeof at === 'string' ? Date.parse(at) : Number.NaN;
    if (Number.isNaN(ms)) throw new Error(`firstSeen of "${id}" is not a time`);
    firstSeen.set(id, ms);
  }
  return firstSeen;
}

export function readFirstSeen(file: string, checkName: string): Promise<DurableRead<Map<string, number>>> {
  return readFileDurably(file, (text) => parseFirstSeen(text, checkName));
}

export async function writeFirstSeen(file: string, checkName: string, firstSeen: ReadonlyMap<string, number>): Promise<void> {
  const state: StateFile = {
    version: 1,
    check: checkName,
    firstSeen: Object.fromEntries([...firstSeen].map(([id, at]) => [id, new Date(at).toISOString()])),
  };
  await mkdir(dirname(file), { recursive: true });
  await writeFileDurably(file, `${JSON.stringify(state, null, 2)}\n`);
}
