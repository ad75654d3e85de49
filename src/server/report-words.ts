/**
 * The report's wording: counts with the right plural, durations, ratios and sizes in the units a
 * person writes, and detail keys ("mismatchedRows", "duration_seconds") in the docs' words.
 */

const IRREGULAR: Record<string, string> = { index: 'indexes', query: 'queries', entry: 'entries', body: 'bodies', child: 'children' };

/** "1 check", "2 checks", "0 queries". */
export function plural(count: number, noun: string, many = IRREGULAR[noun] ?? `${noun}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? noun : many}`;
}

const trim = (value: number, digits: number) => String(Number(value.toFixed(digits)));

/** 0.0003 → "0.3 ms", 0.25 → "250 ms", 12.5 → "12.5 s", 754 → "12 min 34 s", 90000 → "1 d 1 h". */
export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  const sign = seconds < 0 ? '-' : '';
  const s = Math.abs(seconds);
  if (s === 0) return '0 s';
  if (s < 0.001) return `${sign}${trim(s * 1_000_000, 0)} µs`;
  if (s < 1) return `${sign}${trim(s * 1000, s < 0.01 ? 2 : 1)} ms`;
  if (s < 60) return `${sign}${trim(s, s < 10 ? 2 : 1)} s`;
  const whole = Math.round(s);
  if (whole < 3600) return `${sign}${Math.floor(whole / 60)} min${whole % 60 ? ` ${whole % 60} s` : ''}`;
  if (whole < 86_400)
    return `${sign}${Math.floor(whole / 3600)} h${Math.floor((whole % 3600) / 60) ? ` ${Math.floor((whole % 3600) / 60)} min` : ''}`;
  return `${sign}${Math.floor(whole / 86_400)} d${Math.floor((whole % 86_400) / 3600) ? ` ${Math.floor((whole % 86_400) / 3600)} h` : ''}`;
}

/** 0.9512 → "95.1%", 1 → "100%". */
export function formatRatio(ratio: number): string {
  return `${trim(ratio * 100, 1)}%`;
}

/** 512 → "512 bytes", 1536 → "1.5 KiB", 1 → "1 byte". */
export function formatBytes(bytes: number): string {
  if (Math.abs(bytes) < 1024) return plural(bytes, 'byte');
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${trim(value, 1)} ${units[unit]}`;
}

/** Keys whose words are not their spelling split at capitals. */
const GLOSSARY: Record<string, string> = {
  ratio: 'ratio',
  p1: '1st percentile',
  p5: '5th percentile',
  p25: '25th percentile',
  p50: 'median',
  p75: '75th percentile',
  p90: '90th percentile',
  p95: '95th percentile',
  p99: '99th percentile',
  ks: 'KS distance',
  tv: 'total variation distance',
  js: 'Jensen-Shannon distance',
  wasserstein: 'Wasserstein distance',
  sd: 'standard deviation',
  pValue: 'p-value',
  psi: 'PSI',
  nullRatio: 'share of NULLs',
  url: 'URL',
  sql: 'SQL',
  json: 'JSON',
  ttl: 'TTL',
  id: 'ID',
};

/** The unit a key's name declares, and the name without it: "durationSeconds" → seconds, "duration". */
function unitOf(key: string): { unit?: 'seconds' | 'ms' | 'ratio' | 'bytes'; stem: string } {
  if (['seconds', 'ms', 'ratio', 'bytes'].includes(key)) return { unit: key as 'seconds' | 'ms' | 'ratio' | 'bytes', stem: key };
  // "duration_seconds" or "durationSeconds", not "columnProblems".
  const match = /^(.+?)(?:_(seconds|ms|ratio|bytes)|(?<=[a-z0-9])(Seconds|Ms|Ratio|Bytes))$/.exec(key);
  if (!match?.[1]) return { stem: key };
  const unit = (match[2] ?? match[3])?.toLowerCase() as 'seconds' | 'ms' | 'ratio' | 'bytes';
  return { unit, stem: match[1] };
}

function words(key: string): string {
  const glossed = GLOSSARY[key];
  if (glossed) return glossed;
  return key
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .replace(/_+/g, ' ')
    .split(' ')
    .map((word) => (/^[A-Z][a-z]/.test(word) ? word.toLowerCase() : word))
    .map((word) => GLOSSARY[word] ?? word)
    .join(' ')
    .trim();
}

/** A detail key in words: "mismatchedRows" → "mismatched rows", "durationSeconds" → "duration". */
export function keyWords(key: string): string {
  const { unit, stem } = unitOf(key);
  // A ratio keeps its name ("duration ratio"); seconds, ms and bytes are said by the value.
  return unit === 'ratio' && stem !== key ? `${words(stem)} ratio` : words(stem);
}

/** A number as the key's unit says: "durationSeconds" 0.25 → "250 ms"; plain counts get separators. */
export function formatNumber(key: string, value: number): string {
  const { unit } = unitOf(key);
  if (unit === 'seconds') return formatSeconds(value);
  if (unit === 'ms') return formatSeconds(value / 1000);
  if (unit === 'bytes') return formatBytes(value);
  // Speed ratios (candidate / baseline) read as factors; shares of a whole as percentages.
  if (unit === 'ratio') return /duration|latency|time|speed/i.test(key) ? `${trim(value, 2)}×` : formatRatio(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return String(Number(value.toPrecision(4)));
}
