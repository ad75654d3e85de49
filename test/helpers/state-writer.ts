// A child process for the crash test: rewrites a config-drift state file again and again through the
// exporter's own durable write, printing the number of each write once it has returned. Every
// write holds `KEYS` first-seen times that all encode the same write number, so a torn file shows.
import { writeFirstSeen } from '../../src/checks/config-state.js';

const KEYS = 400;
const CHECK = 'crash';

const file = process.argv[2];
if (file === undefined) throw new Error('usage: state-writer.ts FILE');
for (let write = 1; ; write += 1) {
  const firstSeen = new Map<string, number>();
  for (let key = 0; key < KEYS; key += 1) firstSeen.set(`changed settings.key_${key}`, write * 1000 + key);
  await writeFirstSeen(file, CHECK, firstSeen);
  process.stdout.write(`${write}\n`);
}
