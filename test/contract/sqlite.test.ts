import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll } from 'vitest';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { silentLogger } from '../../src/core/ports/index.ts';
import { defineStoreContract } from './store-contract.ts';

// One temporary folder per run, one database file per test: the suite sees a fresh store every time.
const folder = mkdtempSync(path.join(tmpdir(), 'answerloop-sqlite-contract-'));
let opened = 0;

afterAll(() => {
  rmSync(folder, { recursive: true, force: true });
});

defineStoreContract('sqlite', async () => {
  opened += 1;
  const file = path.join(folder, `store-${opened}`, 'answerloop.db');
  return {
    store: createSqliteStore({ file, logger: silentLogger }),
    cleanup: async () => rmSync(path.dirname(file), { recursive: true, force: true }),
  };
});
