// ESLint (typescript-eslint's recommended rules) with Prettier owning the layout, as NestJS projects set it up.
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// The direction of imports (README, "Module map"): panel signals in -> alarms -> escalation -> SMS -> provider, with the shared
// alarm model, privacy and infrastructure below. A relative import of one of these folders, from a folder below it, fails lint.
const importOf = (folders) => `^(\\.\\./)+(${folders.join('|')})/`;
const wrongWay = (folders, message) => ({
  '@typescript-eslint/no-restricted-imports': ['error', { patterns: [{ regex: importOf(folders), message }] }],
});

export default tseslint.config(
  { ignores: ['dist/', 'coverage/', 'node_modules/', 'jest*.config.cjs', 'eslint.config.mjs'] },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: {
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    // The dashboard: plain ES modules run by the browser, not compiled by tsc.
    files: ['dashboard/**/*.js'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/escalation/**/*.ts'],
    rules: wrongWay(
      ['alarms', 'alarm-handling', 'dc09'],
      'escalation sits below alarms: use the shared model in src/alarm-model/, or let alarms call escalation.',
    ),
  },
  {
    files: ['src/sms/**/*.ts'],
    rules: wrongWay(
      ['alarms', 'alarm-handling', 'alarm-model', 'dc09', 'escalation'],
      'SMS knows nothing of alarms: escalation plugs in through the ports in src/sms/ (alarm-contact-gate.ts, reply-code-handler.ts), configured in AppModule.',
    ),
  },
  {
    // The shared alarm model: below alarms and escalation. An alarm's frozen action plan is typed by action-plans (a type only).
    files: ['src/alarm-model/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(?!alarm-model/|common/|database/|config/|privacy/|action-plans/)[a-z0-9-]+/',
              message: 'the shared alarm model sits below the domains: it may import only infrastructure (common, database, config) and privacy.',
            },
            { regex: '^(\\.\\./)+action-plans/', allowTypeImports: true, message: 'the alarm model takes only the action plan type from action-plans.' },
          ],
        },
      ],
    },
  },
  {
    // Shared infrastructure: below every domain. It reads the access and processing decorators' metadata keys, nothing else of theirs.
    files: ['src/common/**/*.ts', 'src/database/**/*.ts'],
    ignores: ['**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(\\.\\./)+(?!common/|database/|config/|auth/access\\.decorator\\.js$|privacy/processing\\.decorator\\.js$)[a-z0-9-]+/',
              message: 'shared infrastructure (src/common/, src/database/) sits below the domains and must not import them.',
            },
          ],
        },
      ],
    },
  },
  {
    // Tests drive a browser (page.evaluate code is typed `any`: the test's tsconfig has no DOM lib) and fake outside systems.
    files: ['test/**/*.ts', 'src/**/*.spec.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
);
