// Runs every *.test.ts under test/ with Node's own test runner (files one at a time:
// integration tests start real database servers and the machine has two cores).
//
//   node scripts/run-tests.mjs [--node=MAJOR] [--only-runtime] [FILE...]
//
// --node=MAJOR (or oldest, newest) runs the files on that Node line (fetched from the npm registry);
// --only-runtime keeps the files that exercise what differs between lines: worker threads, HTTP,
// TLS, the pg and mysql2 drivers, child processes.
import { readdirSync, statSync } from 'node:fs';
import { delimiter, dirname, join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { newestLine, nodeBinary, oldestLine } from './node-lines.mjs';

/** Files that touch the runtime where Node lines differ; the oldest line runs these. */
const runtimeSensitive = /^test\/(integration|e2e)\//;
/** Runs every supported line by itself: once per suite is enough. */
const perLineTest = 'test/integration/node-lines.test.ts';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return find(path);
    return path.endsWith('.test.ts') ? [path] : [];
  });
}

const args = process.argv.slice(2);
const nodeFlag = args.find((arg) => arg.startsWith('--node='));
const onlyRuntime = args.includes('--only-runtime');
const named = args.filter((arg) => !arg.startsWith('--'));
let files = named.length > 0 ? named : find('test').sort();
if (onlyRuntime) files = files.filter((file) => runtimeSensitive.test(file) && file !== perLineTest);

let node = process.execPath;
if (nodeFlag) {
  try {
    const line = nodeFlag.slice('--node='.length);
    node = nodeBinary(line === 'oldest' ? oldestLine : line === 'newest' ? newestLine : Number(line));
  } catch (error) {
    console.error(`run-tests: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
console.log(`run-tests: ${files.length} files on Node.js ${version}`);
const result = spawnSync(node, ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
  stdio: 'inherit',
  // Children that run `node` by name (and process.execPath) get the same line.
  env: { ...process.env, PATH: `${dirname(node)}${delimiter}${process.env.PATH ?? ''}` },
});
process.exit(result.status ?? 1);
