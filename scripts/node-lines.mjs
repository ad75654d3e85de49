// The Node.js release lines the exporter supports, and where their binaries come from: the npm
// registry's `node` package (the newest line is also a pinned dev dependency, so every `npm run`
// script runs on it). Used by the test runner and by the test that starts the exporter on each line.
import { execFileSync } from 'node:child_process';

/** Maintained LTS lines, oldest first. package.json `engines` and the Dockerfile follow this list. */
export const supportedLines = [22, 24, 26];
export const oldestLine = supportedLines[0];
export const newestLine = supportedLines.at(-1);

/** The path of a Node binary of release line `major`: this process's own, or one fetched once with npx. */
export function nodeBinary(major) {
  if (Number(process.versions.node.split('.')[0]) === major) return process.execPath;
  try {
    return execFileSync('npx', ['--yes', '--package', `node@${major}`, '--', 'node', '-p', 'process.execPath'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 600_000,
    }).trim();
  } catch (error) {
    const detail = error instanceof Error && 'stderr' in error ? String(error.stderr).trim().split('\n').at(-1) : String(error);
    throw new Error(`cannot get Node.js ${major} from the npm registry (npx --package node@${major}): ${detail}`);
  }
}
