// The shipped rules through the real promtool: they load cleanly and every alert's unit tests
// (a firing and a quiet case each) pass; the deploy examples load in Prometheus and Alertmanager tools.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { requireBinary } from '../helpers/binaries.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../../', import.meta.url));

async function tool(binary: string, args: string[], cwd = root): Promise<string> {
  try {
    const { stdout, stderr } = await run(binary, args, { cwd });
    return stdout + stderr;
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; message: string };
    throw new Error(`${binary} ${args.join(' ')} failed:\n${failure.stdout ?? ''}${failure.stderr ?? failure.message}`);
  }
}

test('promtool check rules: the rule files are clean', async () => {
  const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
  const output = await tool(promtool, ['check', 'rules', 'alerts/recording.rules.yml', 'alerts/fidelity.rules.yml']);
  assert.match(output, /alerts\/recording\.rules\.yml\n\s+SUCCESS: \d+ rules found/);
  assert.match(output, /alerts\/fidelity\.rules\.yml\n\s+SUCCESS: \d+ rules found/);
});

test('promtool test rules: every alert fires and stays quiet where it should', async () => {
  const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
  const files = readdirSync(`${root}alerts/tests`).filter((name) => name.endsWith('.yml'));
  assert.ok(files.length > 0);
  const output = await tool(promtool, ['test', 'rules', ...files], `${root}alerts/tests`);
  assert.doesNotMatch(output, /FAILED/);
  assert.equal(output.match(/SUCCESS/g)?.length, files.length, output);
});

test('deploy/prometheus.yml and deploy/alertmanager.yml are valid for the real tools', async () => {
  const promtool = requireBinary('promtool', 'prometheus', ['/usr/bin/promtool']);
  const amtool = requireBinary('amtool', 'prometheus-alertmanager', ['/usr/bin/amtool']);
  assert.match(await tool(promtool, ['check', 'config', 'deploy/prometheus.yml']), /SUCCESS/);
  assert.match(await tool(amtool, ['check-config', 'deploy/alertmanager.yml']), /SUCCESS/);
  // The routing example sends the critical privacy alert to the pager and the rest to the team.
  const critical = await tool(amtool, [
    'config',
    'routes',
    'test',
    '--config.file=deploy/alertmanager.yml',
    'alertname=FidelityUnmaskedPersonalData',
    'severity=critical',
  ]);
  assert.equal(critical.split('\n')[0], 'fidelity-pager');
  const warning = await tool(amtool, [
    'config',
    'routes',
    'test',
    '--config.file=deploy/alertmanager.yml',
    'alertname=FidelityDataConsistencyDrop',
    'severity=warning',
  ]);
  assert.equal(warning.split('\n')[0], 'fidelity-team');
});
