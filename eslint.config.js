import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const sdks = [
  '@elastic/elasticsearch',
  'openai',
  'openai/*',
  'better-sqlite3',
  '@huggingface/transformers',
  '@slack/bolt',
  'discord.js',
  'prom-client',
];

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'data/',
      'models/',
      '.elasticsearch/',
      'bench/results/',
      'scripts/elasticsearch-launcher/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-throw-literal': 'error',
    },
  },
  // Imports point inward: see DESIGN.md.
  {
    files: ['src/core/**/*.ts'],
    ignores: ['src/core/adapters/**', 'src/core/create-core.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: sdks
            .filter((name) => !name.includes('*'))
            .map((name) => ({ name, message: 'Only adapters import SDKs.' })),
          patterns: [
            { group: ['**/adapters/**'], message: 'Only create-core.ts imports adapters.' },
            { group: ['**/bot/**', '**/admin-tui/**', '**/cli/**'], message: 'Core never imports a face.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/adapters/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/bot/**', '**/admin-tui/**', '**/cli/**'], message: 'Core never imports a face.' },
          ],
        },
      ],
    },
  },
  {
    files: [
      'src/bot/**/*.{ts,tsx}',
      'src/admin-tui/**/*.{ts,tsx}',
      'src/cli/**/*.{ts,tsx}',
      'src/ops/**/*.ts',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['@elastic/elasticsearch', 'openai', 'better-sqlite3', '@huggingface/transformers'].map(
            (name) => ({
              name,
              message: 'Faces reach these only through core.',
            }),
          ),
          patterns: [
            {
              group: ['**/core/*', '**/core/**', '!**/core/index.ts'],
              message: 'Faces import core from src/core/index.ts only.',
            },
          ],
        },
      ],
    },
  },
);
