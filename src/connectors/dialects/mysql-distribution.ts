import type { ReadSession } from '../database.js';
import { numberLiteral, quantilePosition, type DistributionDialect } from './dialect.js';

/**
 * MySQL/MariaDB profiles of the `distribution` kind: a sample is a filter on a hash of the row's key
 * (no TABLESAMPLE; LIMIT or key ranges would be biased), buckets by INTERVAL(), quantiles by row number.
 */

export const mysqlDistribution: DistributionDialect = {
  sampled(table, fraction, seed, hashColumns) {
    const from = table;
    if (fraction >= 1) return { from, where: '' };
    const limit = Math.floor(fraction * 2 ** 32);
    const hashed = [numberLiteral(seed), ...hashColumns].join(', ');
    // CRC32 of (seed, key...) spreads evenly over 0..2^32, so each row is kept with probability p;
    // it costs a fraction of MD5 per row (docs/checks/distribution.md, "The sample").
    return { from, where: `CRC32(CONCAT_WS(_utf8mb4 X'1F', ${hashed})) < ${limit}` };
  },
  edgeSampled(table, fraction, seed, hashColumns) {
    return mysqlDistribution.sampled(table, fraction, seed, hashColumns);
  },
  asNumber(column, valueClass) {
    if (valueClass === 'timestamp' || valueClass === 'date') return `TIMESTAMPDIFF(MICROSECOND, '1970-01-01', ${column}) / 1e6`;
    if (valueClass === 'time') return `TIME_TO_SEC(${column}) + 0e0`;
    return `(${column}) + 0e0`;
  },
  textLength: (column) => `CHAR_LENGTH(${column})`,
  bucket: (value, edges) => `INTERVAL(${value}, ${edges.map(numberLiteral).join(', ')})`,
  computedOnce: (select) => select,
  quantiles: quantilesInOneScan,
};

/**
 * No percentile aggregate: per value, its row number in order (NULLs last) and its count of non-NULL
 * rows, as window functions of one scan; kept are the rows at a wanted position of any value.
 */
async function quantilesInOneScan(
  session: ReadSession,
  from: string,
  where: string,
  values: readonly string[],
  probabilities: readonly number[],
): Promise<(number | null)[][]> {
  if (values.length === 0) return [];
  const windows = values.map(
    (value, i) => `${value} AS x${i}, ROW_NUMBER() OVER (ORDER BY ${value} IS NULL, ${value}) AS r${i}, COUNT(${value}) OVER () AS n${i}`,
  );
  // quantilePosition() in SQL: LEAST(n, GREATEST(1, CEIL(p·n − 1e-9))).
  const wanted = values.map(
    (_, i) =>
      `r${i} IN (${[...new Set(probabilities)].map((p) => `LEAST(n${i}, GREATEST(1, CEIL(${numberLiteral(p)} * n${i} - 1e-9)))`).join(', ')})`,
  );
  const { rows } = await session.query(
    `SELECT ${values.map((_, i) => `x${i}, r${i}, n${i}`).join(', ')} FROM (SELECT ${windows.join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''}) AS ranked ` +
      `WHERE ${wanted.join(' OR ')}`,
  );
  return values.map((_, i) => {
    const count = Number(rows[0]?.[3 * i + 2] ?? 0);
    if (count === 0) return probabilities.map(() => null);
    const byPosition = new Map<number, number | null>();
    for (const row of rows) {
      const value = row[3 * i];
      byPosition.set(Number(row[3 * i + 1]), value === null || value === undefined ? null : Number(value));
    }
    return probabilities.map((p) => byPosition.get(quantilePosition(p, count)) ?? null);
  });
}
