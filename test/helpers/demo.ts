import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { prepareDemo } from '../../src/cli/demo.js';
import { DEMO_CONFIG } from '../../src/demo/config.js';

export interface DemoFiles {
  /** The embedded demo's databases and apps (its `variables` go to the exporter's environment). */
  demo: Awaited<ReturnType<typeof prepareDemo>>;
  /** A temporary directory holding `demo.yml`, the demo configuration as a user's file. */
  dir: string;
  config: string;
}

/** Starts the embedded demo before the file's tests and writes its configuration to a file; stops it after. */
export function useDemoFiles(prefix: string): DemoFiles {
  const files = {} as DemoFiles;
  before(async () => {
    files.demo = await prepareDemo();
    files.dir = mkdtempSync(join(tmpdir(), prefix));
    files.config = join(files.dir, 'demo.yml');
    writeFileSync(files.config, DEMO_CONFIG);
  });
  after(async () => {
    await files.demo?.stop();
    if (files.dir) rmSync(files.dir, { recursive: true, force: true });
  });
  return files;
}
