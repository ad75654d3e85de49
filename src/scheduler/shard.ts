/**
 * Splitting checks across replicas: replica `index` of `count` runs (and exports) exactly the
 * checks it owns. Ownership is rendezvous hashing of the check name: stable across restarts and
 * versions, independent of the order of checks in the file, and when `count` changes only about
 * 1/count of the checks move.
 */

export interface Shard {
  index: number;
  count: number;
}

export class ShardError extends Error {}

/** "1/3" -> { index: 1, count: 3 } */
export function parseShard(text: string): Shard {
  const match = /^(\d{1,5})\/(\d{1,5})$/.exec(text.trim());
  if (!match) throw new ShardError(`--shard: expected INDEX/COUNT such as 0/3, got "${text}"`);
  return validShard(Number(match[1]), Number(match[2]), '--shard');
}

function validShard(index: number, count: number, flag: string): Shard {
  if (count < 1) throw new ShardError(`${flag}: the count must be at least 1`);
  if (index >= count) throw new ShardError(`${flag}: index ${index} is not below the count ${count} (indexes run from 0 to ${count - 1})`);
  return { index, count };
}

/** A StatefulSet pod is named NAME-<ordinal>; the ordinal is the shard index. */
export function shardFromHostname(hostname: string, count: number): Shard {
  const match = /-(\d{1,5})$/.exec(hostname.split('.')[0] ?? '');
  if (!match) throw new ShardError(`--shard.from-hostname: host name "${hostname}" does not end in -<ordinal> (a StatefulSet pod name)`);
  return validShard(Number(match[1]), count, '--shard.from-hostname');
}

/** 32-bit FNV-1a over UTF-8 bytes, finished with murmur3's mixer so that similar names spread well. */
export function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/** The replica (0..count-1) that owns the check: the one with the highest hash of (replica, name). */
export function ownerOf(checkName: string, count: number): number {
  let best = 0;
  let bestWeight = -1;
  for (let replica = 0; replica < count; replica += 1) {
    const weight = hash32(`${replica}\u0000${checkName}`);
    if (weight > bestWeight) {
      best = replica;
      bestWeight = weight;
    }
  }
  return best;
}

export function owns(shard: Shard | undefined, checkName: string): boolean {
  return shard === undefined || shard.count === 1 || ownerOf(checkName, shard.count) === shard.index;
}

export function ownedChecks<C extends { name: string }>(checks: readonly C[], shard: Shard | undefined): C[] {
  return checks.filter((check) => owns(shard, check.name));
}
