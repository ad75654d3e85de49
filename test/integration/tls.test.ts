// TLS on the exporter's endpoints with a CA made by openssl for the test: server certificate,
// client-certificate policies, TLS versions, and a refused start for a key that does not match.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServing } from '../../src/cli/serve.js';
import { loadConfigText } from '../../src/runtime/load.js';
import { silentLogger } from '../../src/log.js';
import { loadWebConfigFile, type ClientAuthType } from '../../src/server/web-config.js';
import { fetchText, runExporter, spawnExporter, type ExporterProcess } from '../helpers/exporter.js';
import { makeTestPki, type TestPki } from '../helpers/tls.js';

let pki: TestPki;
let exporter: ExporterProcess;
const CONFIG = 'environments:\n  production: {}\n  staging: {}\n';

function writeWebConfig(name: string, yaml: string): string {
  const file = join(pki.dir, name);
  writeFileSync(file, yaml);
  return file;
}

before(async () => {
  pki = makeTestPki();
  writeFileSync(join(pki.dir, 'config.yml'), CONFIG);
  // Relative paths resolve against the web config file's directory, as in exporter-toolkit.
  const web = writeWebConfig(
    'web.yml',
    `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: test-ca.crt\n`,
  );
  exporter = await spawnExporter([`--config.file=${join(pki.dir, 'config.yml')}`, `--web.config.file=${web}`], { https: true });
});

after(async () => {
  await exporter?.stop();
  pki?.destroy();
});

test('RequireAndVerifyClientCert: a trusted client certificate completes the handshake and gets /metrics', async () => {
  const reply = await fetchText(`${exporter.baseUrl}/metrics`, {
    ca: pki.pem(pki.caCert),
    cert: pki.pem(pki.clientCert),
    key: pki.pem(pki.clientKey),
  });
  assert.equal(reply.status, 200);
  assert.match(reply.body, /^fidelity_build_info\{/m);
  assert.match(exporter.stderr(), /"tls":true,"clientAuth":"RequireAndVerifyClientCert"/);
});

test('RequireAndVerifyClientCert: without a client certificate the handshake fails', async () => {
  await assert.rejects(fetchText(`${exporter.baseUrl}/metrics`, { ca: pki.pem(pki.caCert) }), (error: NodeJS.ErrnoException) => {
    // TLS 1.3 reports the server's "certificate required" alert on the first read.
    assert.match(`${error.code} ${error.message}`, /certificate required|ECONNRESET|socket hang up|EPIPE/i);
    return true;
  });
});

test('RequireAndVerifyClientCert: a certificate from another CA is refused', async () => {
  await assert.rejects(
    fetchText(`${exporter.baseUrl}/metrics`, {
      ca: pki.pem(pki.caCert),
      cert: pki.pem(pki.rogueClientCert),
      key: pki.pem(pki.rogueClientKey),
    }),
  );
});

test('the client verifies the server against the test CA; plain HTTP on the TLS port gets nothing', async () => {
  await assert.rejects(
    fetchText(`${exporter.baseUrl}/metrics`, { cert: pki.pem(pki.clientCert), key: pki.pem(pki.clientKey) }),
    /self-signed certificate in certificate chain|unable to get local issuer/i,
  );
  await assert.rejects(fetchText(`http://127.0.0.1:${exporter.port}/metrics`, { timeoutMs: 5000 }));
});

async function inProcess(webYaml: string) {
  const webConfig = loadWebConfigFile(writeWebConfig(`web-${Math.random().toString(36).slice(2)}.yml`, webYaml));
  const running = await startServing(loadConfigText(CONFIG), '127.0.0.1:0', silentLogger, { webConfig });
  const address = running.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return { running, url: `https://127.0.0.1:${port}/-/healthy` };
}

test('the other client auth policies behave as in exporter-toolkit', async () => {
  const outcomes: Record<string, Record<string, boolean>> = {};
  const policies: ClientAuthType[] = ['NoClientCert', 'RequestClientCert', 'RequireAnyClientCert', 'VerifyClientCertIfGiven'];
  for (const policy of policies) {
    const ca = policy === 'VerifyClientCertIfGiven' ? '  client_ca_file: test-ca.crt\n' : '';
    const { running, url } = await inProcess(
      `tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: ${policy}\n${ca}`,
    );
    try {
      const attempt = async (options: { cert?: string; key?: string }) => {
        try {
          return (await fetchText(url, { ca: pki.pem(pki.caCert), ...options })).status === 200;
        } catch {
          return false;
        }
      };
      outcomes[policy] = {
        none: await attempt({}),
        trusted: await attempt({ cert: pki.pem(pki.clientCert), key: pki.pem(pki.clientKey) }),
        rogue: await attempt({ cert: pki.pem(pki.rogueClientCert), key: pki.pem(pki.rogueClientKey) }),
      };
    } finally {
      await running.close();
    }
  }
  assert.deepEqual(outcomes, {
    NoClientCert: { none: true, trusted: true, rogue: true },
    RequestClientCert: { none: true, trusted: true, rogue: true },
    RequireAnyClientCert: { none: false, trusted: true, rogue: true },
    VerifyClientCertIfGiven: { none: true, trusted: true, rogue: false },
  });
});

test('min_version TLS13 refuses a TLS 1.2 client and accepts TLS 1.3', async () => {
  const { running, url } = await inProcess('tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  min_version: TLS13\n');
  try {
    const { request } = await import('node:https');
    const handshake = (maxVersion: 'TLSv1.2' | 'TLSv1.3') =>
      new Promise<string>((resolve, reject) => {
        const req = request(url, { ca: pki.pem(pki.caCert), maxVersion, agent: false }, (res) => {
          res.resume();
          resolve(`${res.statusCode}`);
        });
        req.on('error', reject);
        req.end();
      });
    assert.equal(await handshake('TLSv1.3'), '200');
    await assert.rejects(handshake('TLSv1.2'), /protocol version|alert/i);
  } finally {
    await running.close();
  }
});

test('a key that does not match the certificate is refused at start, naming the key', async () => {
  const web = writeWebConfig('mismatch.yml', 'tls_server_config:\n  cert_file: server.crt\n  key_file: client.key\n');
  const result = await runExporter([
    `--config.file=${join(pki.dir, 'config.yml')}`,
    `--web.config.file=${web}`,
    '--web.listen-address=127.0.0.1:0',
  ]);
  assert.equal(result.code, 3, result.stderr);
  assert.match(
    result.stderr,
    /invalid web configuration .*mismatch\.yml:\n {2}tls_server_config\.key_file: does not match the certificate in cert_file/,
  );
  assert.ok(!result.stderr.includes('BEGIN'), 'no key material in the message');
});
