import type { ReadSession } from '../database.js';
import { numberLiteral, quantilePosition, type DistributionDialect } from './dialect.js';

/**
 * MySQL/MariaDB profiles of the `distribution` kind: a sample is a filter on a hash of the row's key
 * (no TABLESAMPLE; LIMIT or key ranges would be biased), buckets by INTERVAL(), quantiles by row number.
 */

export const mysqlDistribution: DistributionDialect = {
  sampled(table, fraction, seed, hashColumns) {
    return { from: table, where: fraction >= 1 ? '' : mysqlDistribution.hashSampled(fraction, seed, hashColumns) };
  },
  hashSampled(fraction, seed, hashColumns) {
    const limit = Math.floor(fraction * 2 ** 32);
    const hashed = [numberLiteral(seed), ...hashColumns].join(', ');
    // The first 32 bits of MD5(seed, key...) are uniform: each row is kept with probability p.
    return `CONV(SUBSTRING(MD5(CONCAT_WS(_utf8mb4 X'1F', ${hashed})), 1, 8), 16, 10) < ${limit}`;
  },
  asNumber(column, valueClass) {
    if (valueClass === 'timestamp' || valueClass === 'date') return `TIMESTAMPDIFF(MICROSECOND, '1970-01-01', ${column}) / 1e6`;
    if (valueClass === 'time') return `TIME_TO_SEC(${column}) + 0e0`;
    return `(${column}) + 0e0`;
  },
  textLength: (column) => `CHAR_LENGTH(${column})`,
  bucket: (value, edges) => `INTERVAL(${value}, ${edges.map(numberLiteral).join(', ')})`,
  async quantiles(session, from, where, values, probabilities) {
    const each: (number | null)[][] = [];
    for (const value of values) each.push(await quantilesOf(session, from, where, value, probabilities));
    return each;
  },
};

async function quantilesOf(session: ReadSession, from: string, where: string, value: string, probabilities: readonly number[]) {
  {
    const condition = [where, `${value} IS NOT NULL`].filter(Boolean).join(' AND ');
    const count = await session.query(`SELECT COUNT(*) FROM ${from} WHERE ${condition}`);
    const rows = Number(count.rows[0]?.[0] ?? 0);
    if (rows === 0) return probabilities.map(() => null);
    const positions = [...new Set(probabilities.map((p) => quantilePosition(p, rows)))];
    // No percentile aggregate: the values at the wanted positions of the sorted non-null rows.
    const { rows: found } = await session.query(
      `SELECT rn, x FROM (SELECT ${value} AS x, ROW_NUMBER() OVER (ORDER BY ${value}) AS rn FROM ${from} WHERE ${condition}) AS ranked ` +
        `WHERE rn IN (${positions.join(', ')})`,
    );
    const byPosition = new Map(found.map((row) => [Number(row[0]), row[1] === null || row[1] === undefined ? null : Number(row[1])]));
    return probabilities.map((p) => byPosition.get(quantilePosition(p, rows)) ?? null);
  }
}
