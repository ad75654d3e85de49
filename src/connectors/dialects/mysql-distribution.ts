import type { ReadSession } from '../database.js';
import { numberLiteral, quantilePosition, SHAPE_LENGTH, SHAPE_SEPARATORS, type DistributionDialect } from './dialect.js';

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
    // CRC32 of (seed, key...) spreads evenly over 0..2^32, so each row is kept with probability p;
    // it costs a fraction of MD5 per row (docs/checks/distribution.md, "The sample").
    return `CRC32(CONCAT_WS(_utf8mb4 X'1F', ${hashed})) < ${limit}`;
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
  // MariaDB materialises such a derived table row by row: the expressions are cheaper inline.
  computedOnce: () => null,
  quantiles: quantilesPerValue,
  // Grouping by the bins of several measures at once is slower on MariaDB than one GROUP BY each.
  measuresPerScan: 1,
  // Measured at 1M rows: the same time with COUNT(DISTINCT) per bin as without; a scan of its own costs more than all the bins.
  distinctInScan: true,
  // A binary collation: under a _ci one [A-Z] would match a-z too, and GROUP BY would merge `A` with `a`.
  shape(text) {
    const others = `REGEXP_REPLACE(CONVERT(${text} USING utf8mb4) COLLATE utf8mb4_bin, '[^A-Za-z0-9${SHAPE_SEPARATORS}]+', '#')`;
    const classes = [
      ['A-Z', 'A'],
      ['a-z', 'a'],
      ['0-9', '9'],
    ].reduce((inner, [range, mark]) => `REGEXP_REPLACE(${inner}, '[${range}]+', '${mark}')`, others);
    return `LEFT(${classes}, ${SHAPE_LENGTH})`;
  },
};

/**
 * No percentile aggregate: the non-NULL count of every value in one statement, then per value the
 * values at the wanted positions of its sorted non-NULL rows.
 */
async function quantilesPerValue(
  session: ReadSession,
  from: string,
  where: string,
  values: readonly string[],
  probabilities: readonly number[],
): Promise<(number | null)[][]> {
  if (values.length === 0) return [];
  const counted = await session.query(
    `SELECT ${values.map((value) => `COUNT(${value})`).join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''}`,
  );
  // One statement with a window per value is much slower on MariaDB than one window per statement.
  const each: (number | null)[][] = [];
  for (const [i, value] of values.entries()) {
    const rows = Number(counted.rows[0]?.[i] ?? 0);
    if (rows === 0) {
      each.push(probabilities.map(() => null));
      continue;
    }
    const condition = [where, `${value} IS NOT NULL`].filter(Boolean).join(' AND ');
    const positions = [...new Set(probabilities.map((p) => quantilePosition(p, rows)))];
    const { rows: found } = await session.query(
      `SELECT rn, x FROM (SELECT ${value} AS x, ROW_NUMBER() OVER (ORDER BY ${value}) AS rn FROM ${from} WHERE ${condition}) AS ranked ` +
        `WHERE rn IN (${positions.join(', ')})`,
    );
    const byPosition = new Map(found.map((row) => [Number(row[0]), row[1] === null || row[1] === undefined ? null : Number(row[1])]));
    each.push(probabilities.map((p) => byPosition.get(quantilePosition(p, rows)) ?? null));
  }
  return each;
}
