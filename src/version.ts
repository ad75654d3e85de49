import { readFileSync } from 'node:fs';

/** The package version, read once from package.json next to src/ or dist/. */
function readVersion(): string {
  try {
    const text = readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    return (JSON.parse(text) as { version?: string }).version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

export const VERSION = readVersion();

/** The oldest maintained Node.js LTS line the exporter supports (package.json `engines` says the same). */
export const OLDEST_SUPPORTED_NODE = 22;

/** Why this Node.js cannot be trusted to run the exporter, or null on a supported line. */
export function unsupportedRuntime(version = process.version): string | null {
  const major = Number(version.replace(/^v/, '').split('.')[0]);
  return major >= OLDEST_SUPPORTED_NODE
    ? null
    : `Node.js ${version} is not supported (end of life); run it on Node.js ${OLDEST_SUPPORTED_NODE} or later`;
}
