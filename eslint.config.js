import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', '.nines/', '.tools/', 'runs/', 'dashboards/web/vendor/', '.scratch/', 'dist/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', setImmediate: 'readonly' } },
    rules: {
      // Services log through pino; console is for CLI output only (harness/cli, scripts, bench).
      'no-console': 'off',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // The harness is read by SREs who did not write it: each function fits on a screen.
    files: ['harness/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  {
    // The k6 script runs in k6, not Node: open() and __ENV are k6's init-context globals.
    files: ['harness/k6/script/**/*.js'],
    languageOptions: { globals: { open: 'readonly', __ENV: 'readonly' } },
  },
);
