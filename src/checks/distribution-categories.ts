import { hasCategories, hasShapes, type Counted, type SideReader } from './distribution-passes.js';
import type { ColumnProfile, ColumnShape, ProfileRequest } from './distribution-types.js';

/**
 * The categories and shapes pass of one side's `distribution` profile (docs/checks/distribution.md,
 * "The SQL each engine runs"). Categorical columns with few values are counted together, in one
 * GROUP BY over all of them (their joint groups added up per column), instead of one scan each; a
 * column with many values has its own GROUP BY. Either way every value's count, or the number of
 * values, comes back: the column's distinct count needs no scan of its own.
 */

/** Rows looked at to tell which columns have few values (the first ones: cheap, and only a guess). */
const PROBE_ROWS = 10_000;
/** Joint groups at most: beyond, the columns are counted one by one (a guess that was wrong costs one scan). */
const JOINT_GROUPS = 20_000;

type Counter = (profile: ColumnProfile, limit: number, listed?: string[]) => Promise<Counted>;

/** Per column family with counted values, how they are counted and where they go in the profile and the shape. */
const COUNTED = [
  {
    applies: hasCategories,
    count: (reader: SideReader): Counter => reader.categories.bind(reader),
    top: 'top',
    listed: 'listed',
    shape: 'values',
    distinct: true,
  },
  {
    applies: hasShapes,
    count: (reader: SideReader): Counter => reader.shapes.bind(reader),
    top: 'shapes',
    listed: 'listedShapes',
    shape: 'shapes',
    distinct: false,
  },
] as const;

const byCount = (a: { value: string; count: number }, b: { value: string; count: number }) =>
  b.count - a.count || (a.value < b.value ? -1 : a.value > b.value ? 1 : 0);

/** The categorical columns with few values (by the probe), as many as keep their joint groups within JOINT_GROUPS. */
async function fewValued(reader: SideReader, profiles: ColumnProfile[], topValues: number): Promise<ColumnProfile[]> {
  const categorical = profiles.filter((profile) => hasCategories(profile.family));
  if (categorical.length < 2) return [];
  const probed = await reader.probeDistinct(categorical, PROBE_ROWS);
  const chosen: ColumnProfile[] = [];
  let groups = 1;
  categorical.forEach((profile, i) => {
    const values = Math.max(1, probed[i] ?? 0) + 1; // NULL is a group too
    if ((probed[i] ?? 0) > topValues || groups * values > JOINT_GROUPS) return;
    chosen.push(profile);
    groups *= values;
  });
  return chosen.length >= 2 ? chosen : [];
}

/** Every value's count of a column counted jointly: its top, the counts of the listed values, its distinct count. */
function fromCounts(profile: ColumnProfile, counts: Map<string, number>, listed: string[] | null, limit: number): void {
  const entries = [...counts].map(([value, count]) => ({ value, count })).sort(byCount);
  profile.top = entries.slice(0, limit);
  if (listed !== null) profile.listed = listed.map((value) => counts.get(value) ?? 0);
  profile.distinct = counts.size;
}

/**
 * The baseline's listed values (or shapes) and their counts (its own top), or the candidate's
 * counts of them (`shapes` given).
 */
export async function categoriesOf(
  reader: SideReader,
  profiles: ColumnProfile[],
  shapes: Map<string, ColumnShape> | null,
  request: ProfileRequest,
): Promise<void> {
  const listedOf = (profile: ColumnProfile, kind: (typeof COUNTED)[number]) => {
    const shape = shapes?.get(profile.name.toLowerCase());
    return shape && shape.family === profile.family ? shape[kind.shape] : [];
  };
  const joint = await fewValued(reader, profiles, request.topValues);
  const counts = joint.length > 0 ? await reader.jointCounts(joint, JOINT_GROUPS) : null;
  const jointly = new Set(counts ? joint : []);
  joint.forEach((profile, i) => {
    const own = counts?.[i];
    if (own) fromCounts(profile, own, shapes === null ? null : listedOf(profile, COUNTED[0]), request.topValues + 1);
  });
  for (const profile of profiles)
    for (const kind of COUNTED) {
      if (!kind.applies(profile.family) || (kind.distinct && jointly.has(profile))) continue;
      const count = kind.count(reader);
      const listed = shapes === null ? [] : listedOf(profile, kind);
      const found = await count(profile, request.topValues + 1, listed);
      if (kind.distinct) profile.distinct = found.groups;
      if (shapes === null) {
        profile[kind.top] = found.entries;
        continue;
      }
      const byValue = new Map(found.entries.map((entry) => [entry.value, entry.count]));
      profile[kind.listed] = listed.map((value) => byValue.get(value) ?? 0);
      // Listed values come back first: the side's own top is the most frequent of all it returned.
      profile[kind.top] = [...found.entries].sort(byCount).slice(0, request.topValues + 1);
    }
}
