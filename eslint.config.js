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

const faces = ['**/bot/**', '**/admin-tui/**', '**/cli/**'];

/**
 * Inside core, each folder imports only folders below it (docs/architecture.md, "Where a change goes"): a sideways
 * or upward import fails the lint. Listed: what a folder must not import, besides adapters, faces and SDKs.
 */
const coreOrder = {
  math: [
    'errors',
    'config',
    'ports',
    'logging',
    'knowledge',
    'retrieval',
    'answering',
    'curation',
    'training',
    'evaluation',
    'insights',
    'coordination',
    'threads',
    'handoff',
    'metrics',
  ],
  retrieval: [
    'knowledge',
    'answering',
    'curation',
    'training',
    'evaluation',
    'insights',
    'coordination',
    'threads',
    'handoff',
  ],
  knowledge: ['answering', 'curation', 'training', 'evaluation', 'insights', 'threads', 'handoff'],
  answering: ['curation', 'training', 'evaluation', 'insights', 'coordination', 'threads', 'handoff'],
  curation: ['training', 'evaluation', 'insights', 'coordination', 'threads', 'handoff'],
  evaluation: ['curation', 'training', 'insights', 'coordination', 'threads', 'handoff'],
  training: ['evaluation', 'insights', 'threads', 'handoff'],
  coordination: [
    'knowledge',
    'retrieval',
    'answering',
    'curation',
    'training',
    'evaluation',
    'insights',
    'threads',
    'handoff',
  ],
};

function coreRestrictions(forbiddenFolders = []) {
  return [
    'error',
    {
      paths: sdks
        .filter((name) => !name.includes('*'))
        .map((name) => ({ name, message: 'Only adapters import SDKs.' })),
      patterns: [
        { group: ['**/adapters/**'], message: 'Only create-core.ts imports adapters.' },
        { group: faces, message: 'Core never imports a face.' },
        ...(forbiddenFolders.length > 0
          ? [
              {
                group: forbiddenFolders
                  .map((folder) => `**/core/${folder}/**`)
                  .concat(
                    forbiddenFolders.map((folder) => `../${folder}/**`),
                    forbiddenFolders.map((folder) => `../../${folder}/**`),
                  ),
                message:
                  'Imports inside core point down the order in docs/architecture.md: move the shared piece down, or take it as a dependency.',
              },
            ]
          : []),
      ],
    },
  ];
}

function coreZones() {
  return [
    {
      files: ['src/core/**/*.ts'],
      ignores: ['src/core/adapters/**', 'src/core/create-core.ts'],
      rules: { 'no-restricted-imports': coreRestrictions() },
    },
    ...Object.entries(coreOrder).map(([folder, forbidden]) => ({
      files: [`src/core/${folder}/**/*.ts`],
      rules: { 'no-restricted-imports': coreRestrictions(forbidden) },
    })),
  ];
}

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
  // A promise is awaited, returned, or handled (`.catch`, or `void` where fire-and-forget is meant and its errors are
  // handled); a function that returns one is not passed where nothing waits for it. Needs types: typed linting.
  {
    files: ['**/*.{ts,tsx}'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
    },
  },
  // Imports point inward: see DESIGN.md.
  ...coreZones(),
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
