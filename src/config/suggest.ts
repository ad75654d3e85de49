/**
 * "Did you mean" for names typed by hand (keys, kinds, environments, databases, flags): the known
 * name closest by edit distance, when it is close enough to be a likely typo.
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and swaps of two neighbours. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, d[i - 2]![j - 2]! + 1);
      d[i]![j] = best;
    }
  }
  return d[a.length]![b.length]!;
}

/** The closest known name, or undefined when none is close: one edit for names up to 4 characters, else a quarter of the length (at least 2). */
export function closest(typed: string, known: Iterable<string>): string | undefined {
  const limit = typed.length <= 4 ? 1 : Math.max(2, Math.floor(typed.length / 4));
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    if (name === typed) continue;
    const distance = editDistance(typed.toLowerCase(), name.toLowerCase());
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** ' (did you mean "x"?)', or '' when nothing is close; `show` writes the name (a flag as --name). */
export function didYouMean(typed: string, known: Iterable<string>, show: (name: string) => string = (name) => `"${name}"`): string {
  const name = closest(typed, known);
  return name === undefined ? '' : ` (did you mean ${show(name)}?)`;
}
