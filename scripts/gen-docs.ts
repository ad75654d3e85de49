import { writeFileSync } from 'node:fs';
import { renderMetricsDoc } from '../src/metrics/docs.js';

// Regenerates the files derived from code; test/unit/docs.test.ts fails when they are stale.
writeFileSync(new URL('../docs/metrics.md', import.meta.url), renderMetricsDoc());
console.log('wrote docs/metrics.md');
