/**
 * The layers of src/, from the top down (docs/architecture.md, "Layers"). A file may import only
 * from its own folder and from folders in layers below its own; no import cycle between files.
 * Type-only imports count. `npm run lint` runs this; test/unit/layers.test.ts shows it fails on a
 * fixture tree that breaks each rule.
 */
const layers = [
  ['main.ts', 'mixin'],
  ['cli'],
  ['server'],
  ['runtime'],
  ['scheduler'],
  ['scoring'],
  ['results'],
  ['checks'],
  ['metrics'],
  ['connectors'],
  ['compare'],
  ['events'],
  ['config'],
  ['demo'],
  ['core', 'log.ts', 'version.ts'],
];

const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const pathOf = (members) => `^src/(${members.map((member) => escapeRegExp(member) + (member.endsWith('.ts') ? '$' : '/')).join('|')})`;

/** For each layer: no import of a member of a layer above it, nor of another member of its own layer. */
const layerRules = layers.map((members, index) => {
  const higher = layers.slice(0, index).flat();
  return {
    name: `layer-${members.join('+')}`,
    comment: `${members.join(', ')} may import only layers below: ${layers
      .slice(index + 1)
      .map((layer) => layer.join('+'))
      .join(', ')} (docs/architecture.md)`,
    severity: 'error',
    from: { path: `${pathOf(members)}` },
    to: { path: pathOf([...higher, ...members]), pathNot: '^src/$1' },
  };
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle between files (type-only imports included).',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    ...layerRules,
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    tsPreCompilationDeps: true,
    // The fixture tree of test/unit/layers.test.ts has no tsconfig.json of its own.
    ...(require('node:fs').existsSync('tsconfig.json') ? { tsConfig: { fileName: 'tsconfig.json' } } : {}),
    reporterOptions: { text: { highlightFocused: true } },
  },
};
