// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const APPS = ['edge', 'auth', 'publishing', 'inbox', 'listening', 'analytics', 'audit', 'ai'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.data/**', 'coverage/**', '**/*.js', '**/*.mjs', 'apps/*/src/migrations/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        { selector: "MemberExpression[object.name='process'][property.name='env']", message: 'Read the environment only in config/ (or tools).' },
      ],
    },
  },
  // Config, tools, tests and benchmarks may read the environment.
  {
    files: ['**/config/**/*.ts', 'libs/config/**/*.ts', 'tools/**/*.ts', 'test/**/*.ts', '**/test/**/*.ts', 'bench/**/*.ts', '**/*.spec.ts', 'libs/testing/**/*.ts', 'libs/persistence/src/migrate.ts'],
    rules: { 'no-restricted-syntax': 'off' },
  },
  // No app imports another app; libs import no app.
  ...APPS.map((app) => ({
    files: [`apps/${app}/**/*.ts`],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: APPS.filter((a) => a !== app).map((a) => `**/apps/${a}/**`), message: 'Apps never import another app: use events or its HTTP API.' },
            { group: ['**/libs/*/src/**', '!**/libs/*/src'], message: "Import libs through '@lib/<name>' only." },
          ],
        },
      ],
    },
  })),
  {
    files: ['libs/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/apps/**'], message: 'Libs never import apps.' }] }],
    },
  },
);
