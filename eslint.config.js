import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'bench-results/**', 'coverage/**', 'docs/api/**', '.tmp/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': ['error'],
    },
  },
  {
    files: ['examples/**', 'test/**', 'scripts/**', 'src/cli/**', 'src/cli.ts', 'bench/**'],
    rules: { 'no-console': 'off' },
  },
  {
    // The layer rule's configuration (dependency-cruiser reads CommonJS).
    files: ['.dependency-cruiser.cjs'],
    languageOptions: { sourceType: 'commonjs', globals: { module: 'writable' } },
  },
  {
    // The consumer project's probes: plain Node.js scripts, ESM and CommonJS.
    files: ['test/fixtures/consumer/probes/**'],
    languageOptions: { globals: { console: 'readonly', require: 'readonly', process: 'readonly' } },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
