import { numberLiteral, SHAPE_LENGTH, SHAPE_SEPARATORS, type DistributionDialect } from './dialect.js';

/** PostgreSQL profiles of the `distribution` kind: BERNOULLI samples, width_bucket, percentile_disc. */

export const postgresDistribution: DistributionDialect = {
  sampled(table, fraction, seed) {
    const from = table;
    if (fraction >= 1) return { from, where: '' };
    // Row by row with probability p (SYSTEM picks whole pages: clustered data would bias it).
    return { from: `${from} TABLESAMPLE BERNOULLI (${numberLiteral(fraction * 100)}) REPEATABLE (${numberLiteral(seed)})`, where: '' };
  },
  hashSampled(fraction, seed, hashColumns) {
    const limit = Math.floor(fraction * 2 ** 32);
    const hashed = [numberLiteral(seed), ...hashColumns].join(', ');
    // The first 32 bits of MD5(seed, key...) as an unsigned number: uniform, so each row is kept with probability p.
    return `('x' || substr(md5(concat_ws(E'\\x1f', ${hashed})), 1, 8))::bit(32)::bigint < ${limit}`;
  },
  // Edges only: whole pages (reads only those pages); the counts per bin are taken row by row.
  edgeSampled(table, fraction, seed) {
    return {
      from: `${table} TABLESAMPLE SYSTEM (${numberLiteral(Math.min(1, fraction) * 100)}) REPEATABLE (${numberLiteral(seed)})`,
      where: '',
    };
  },
  // date_part gives a float8 directly; extract() goes through numeric, several times slower per row.
  asNumber(column, valueClass) {
    if (valueClass === 'timestamp' || valueClass === 'date' || valueClass === 'time') return `date_part('epoch', ${column})`;
    return `(${column})::float8`;
  },
  textLength: (column) => `char_length((${column})::text)`,
  bucket: (value, edges) => `width_bucket(${value}, ARRAY[${edges.map(numberLiteral).join(', ')}]::float8[])`,
  // A subquery with OFFSET 0 is not flattened: its expressions are computed once per row.
  computedOnce: (select) => `${select} OFFSET 0`,
  measuresPerScan: 3,
  // COUNT(DISTINCT) makes a grouped scan sort: one statement over every measure's double is cheaper.
  distinctInScan: false,
  // Ranges of a PostgreSQL regular expression are by code point: [A-Z] is ASCII whatever the collation.
  shape(text) {
    const others = `regexp_replace(${text}, '[^A-Za-z0-9${SHAPE_SEPARATORS}]+', '#', 'g')`;
    const classes = [
      ['A-Z', 'A'],
      ['a-z', 'a'],
      ['0-9', '9'],
    ].reduce((inner, [range, mark]) => `regexp_replace(${inner}, '[${range}]+', '${mark}', 'g')`, others);
    return `left(${classes}, ${SHAPE_LENGTH})`;
  },
  // One scan for every value (an aggregate skips NULL inputs), one sort each.
  async quantiles(session, from, where, values, probabilities) {
    if (values.length === 0) return [];
    const wanted = `ARRAY[${probabilities.map(numberLiteral).join(', ')}]::float8[]`;
    const { rows } = await session.query(
      `SELECT ${values.map((value) => `percentile_disc(${wanted}) WITHIN GROUP (ORDER BY ${value})`).join(', ')} FROM ${from}${where ? ` WHERE ${where}` : ''}`,
    );
    return values.map((_, i) => {
      const text = rows[0]?.[i];
      if (text === null || text === undefined) return probabilities.map(() => null);
      // An array's text: {1.5,2,3}.
      return text
        .replace(/^\{|\}$/g, '')
        .split(',')
        .map((item) => (item === 'NULL' ? null : Number(item)));
    });
  },
};
