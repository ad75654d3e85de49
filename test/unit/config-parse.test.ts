import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatFromPath, nestDottedKeys, parseConfigText, parseProperties, SourceParseError } from '../../src/connectors/sources.js';

test('format from the file name', () => {
  const table: Array<[string, string | undefined]> = [
    ['/etc/app.json', 'json'],
    ['app.YAML', 'yaml'],
    ['app.yml', 'yaml'],
    ['Cargo.toml', 'toml'],
    ['php.ini', 'ini'],
    ['my.cnf', undefined],
    ['.env', 'env'],
    ['.env.production', 'env'],
    ['prod.env', 'env'],
    ['application.properties', 'properties'],
    ['README', undefined],
  ];
  for (const [path, format] of table) assert.equal(formatFromPath(path), format, path);
});

// ini and smol-toml return null-prototype objects (no prototype pollution): compare their JSON.
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('every format parses to the same tree shape', () => {
  assert.deepEqual(parseConfigText('{"server":{"port":8080}}', 'json'), { server: { port: 8080 } });
  assert.deepEqual(parseConfigText('server:\n  port: 8080\n', 'yaml'), { server: { port: 8080 } });
  assert.deepEqual(plain(parseConfigText('[server]\nport = 8080\n', 'toml')), { server: { port: 8080 } });
  assert.deepEqual(plain(parseConfigText('[server]\nport = 8080\n', 'ini')), { server: { port: '8080' } });
  assert.deepEqual(parseConfigText('SERVER_PORT=8080\nexport NAME="a b" # comment\n', 'env'), { SERVER_PORT: '8080', NAME: 'a b' });
  assert.deepEqual(parseConfigText('server.port=8080\n', 'properties'), { server: { port: '8080' } });
  assert.deepEqual(parseConfigText('\ufeff{"a":1}', 'json'), { a: 1 }, 'a byte order mark is skipped');
});

test('.properties: separators, comments, continuations and escapes', () => {
  const text = [
    '# comment',
    '! another',
    'a=1',
    'b : 2',
    'c 3',
    '  d=with \\',
    '     continuation',
    'e=tab\\there',
    'f=\\u0041\\u00e9',
    'key\\ with\\ spaces=x',
    'g=',
    'h=ends with backslash\\\\',
    'i=after',
  ].join('\n');
  assert.deepEqual(parseProperties(text), [
    ['a', '1'],
    ['b', '2'],
    ['c', '3'],
    ['d', 'with continuation'],
    ['e', 'tab\there'],
    ['f', 'Aé'],
    ['key with spaces', 'x'],
    ['g', ''],
    ['h', 'ends with backslash\\'],
    ['i', 'after'],
  ]);
  assert.throws(() => parseProperties('a=\\u12'), /malformed \\uXXXX escape at line 1/);
});

test('dotted keys nest unless they clash', () => {
  assert.deepEqual(
    nestDottedKeys([
      ['a.b', '1'],
      ['a.c', '2'],
      ['d', '3'],
    ]),
    { a: { b: '1', c: '2' }, d: '3' },
  );
  assert.deepEqual(
    nestDottedKeys([
      ['a', '1'],
      ['a.b', '2'],
    ]),
    { a: '1', 'a.b': '2' },
  );
  assert.deepEqual(
    nestDottedKeys([
      ['a.b', '2'],
      ['a', '1'],
    ]),
    { 'a.b': '2', a: '1' },
  );
});

test('parse errors give a position and never quote the document', () => {
  const secret = 'hunter2-planted';
  const cases: Array<[string, 'json' | 'yaml' | 'toml' | 'properties', RegExp]> = [
    [`{"password": ${secret}}`, 'json', /^invalid JSON/],
    [`{"password": "${secret}"`, 'json', /^(unexpected end of input|invalid JSON)/],
    [`password: "${secret}\nother: [`, 'yaml', /^YAML error \w+ at line \d+, column \d+$/],
    [`password = ${secret}`, 'toml', /^TOML syntax error at line 1, column \d+$/],
    [`password=${secret}\\u12`, 'properties', /malformed/],
  ];
  for (const [text, format, expected] of cases) {
    assert.throws(
      () => parseConfigText(text, format),
      (error: unknown) => {
        assert.ok(error instanceof SourceParseError, format);
        assert.match(error.message, expected);
        assert.equal(error.message.includes(secret), false, `${format} error quotes the document: ${error.message}`);
        return true;
      },
    );
  }
});
