const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;

/** Parses Prometheus-style durations ("250ms", "30s", "1h30m", "2d") into milliseconds; null if malformed. */
export function parseDuration(text: string): number | null {
  const input = text.trim();
  if (input === '') return null;
  PART.lastIndex = 0;
  let total = 0;
  let consumed = 0;
  for (let match = PART.exec(input); match !== null; match = PART.exec(input)) {
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ''] ?? Number.NaN);
    consumed = PART.lastIndex;
  }
  if (consumed !== input.length || !Number.isFinite(total)) return null;
  return Math.round(total);
}
