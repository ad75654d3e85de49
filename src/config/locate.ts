import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';
import { parsePath, type ConfigProblem } from './errors.js';

/**
 * Gives each problem the line and column of the deepest node of its path found in the YAML document:
 * the key itself for a key (unknown, misspelt, or with a bad value), the mapping for a missing key.
 */
export function locateProblems(problems: ConfigProblem[], document: Document, lines: LineCounter): ConfigProblem[] {
  const located = problems.map((problem) => {
    if (problem.line !== undefined) return problem;
    const offset = offsetOf(document, parsePath(problem.path));
    if (offset === undefined) return problem;
    const { line, col } = lines.linePos(offset);
    return { ...problem, line, column: col };
  });
  // Read top to bottom, the way the file is.
  return located
    .map((problem, index) => ({ problem, index }))
    .sort((a, b) => (a.problem.line ?? 0) - (b.problem.line ?? 0) || a.index - b.index)
    .map(({ problem }) => problem);
}

function offsetOf(document: Document, path: Array<string | number>): number | undefined {
  let node: unknown = document.contents;
  let offset = (document.contents as Node | null)?.range?.[0];
  for (const part of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => (isScalar(item.key) ? String(item.key.value) : String(item.key)) === String(part));
      if (!pair) break;
      offset = (pair.key as Node | null)?.range?.[0] ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof part === 'number') {
      const item = node.items[part] as Node | undefined;
      if (!item) break;
      offset = item.range?.[0] ?? offset;
      node = item;
    } else break;
  }
  return offset;
}
