import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'coverage/**', 'scratch/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
      'no-console': ['error', { allow: ['error'] }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // Units a reader can hold in mind: no source file over 450 lines, no function over 80.
    files: ['src/**/*.ts'],
    rules: {
      'max-lines': ['error', { max: 450 }],
      'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }],
    },
  },
  {
    // Data, not logic: each function returns one dashboard or one list of alert rules as literal
    // panels and rules; cutting them up would scatter one dashboard over several places.
    files: ['src/mixin/dashboards*.ts', 'src/mixin/rules-*.ts', 'src/mixin/exporter-process.ts'],
    rules: { 'max-lines-per-function': 'off' },
  },
  {
    files: ['test/**', 'bench/**', 'scripts/**', 'src/cli/**', 'src/demo/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // CommonJS tool configuration (dependency-cruiser reads .cjs).
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
