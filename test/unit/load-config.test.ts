import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, describeConfig, environmentNameFor, loadConfig } from '../../src/core/index.ts';

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  const cwd = mkdtempSync(path.join(tmpdir(), 'answerloop-config-'));

  it('loads the defaults: embedded store, offline-capable, frozen', () => {
    const config = loadConfig({ env: {}, cwd });
    expect(config.store.kind).toBe('embedded');
    expect(config.sources['store.kind']).toBe('default');
    expect(Object.isFrozen(config.retrieval)).toBe(true);
  });

  it('names environment variables by the documented rule', () => {
    expect(environmentNameFor('store.kind')).toBe('ANSWERLOOP_STORE__KIND');
    expect(environmentNameFor('store.elasticsearch.requestTimeoutMs')).toBe(
      'ANSWERLOOP_STORE__ELASTICSEARCH__REQUEST_TIMEOUT_MS',
    );
  });

  it('applies environment overrides, short names and typed values, recording their source', () => {
    const config = loadConfig({
      cwd,
      env: {
        ANSWERLOOP_STORE: 'elasticsearch',
        ANSWERLOOP_RETRIEVAL__WEIGHTS__VECTOR: '2.5',
        ANSWERLOOP_SLACK__ALLOWED_CHANNELS: '[C1, C2]',
      },
    });
    expect(config.store.kind).toBe('elasticsearch');
    expect(config.retrieval.weights.vector).toBe(2.5);
    expect(config.slack.allowedChannels).toEqual(['C1', 'C2']);
    expect(config.sources['retrieval.weights.vector']).toBe('ANSWERLOOP_RETRIEVAL__WEIGHTS__VECTOR');
  });

  it('reports every bad setting at once with its path, value, source and expectation', () => {
    const problems = problemsOf(() =>
      loadConfig({
        cwd,
        env: { ANSWERLOOP_STORE__KIND: 'mongo', ANSWERLOOP_RETRIEVAL__K: '0', ANSWERLOOP_RETRIVAL__K: '3' },
      }),
    );
    expect(problems).toHaveLength(3);
    expect(problems.join('\n')).toMatch(
      /store\.kind: got "mongo" \(from ANSWERLOOP_STORE__KIND\); expected .*embedded/,
    );
    expect(problems.join('\n')).toMatch(/retrieval\.k: got 0/);
    expect(problems.join('\n')).toMatch(/ANSWERLOOP_RETRIVAL__K: no such setting/);
  });

  it('rejects unknown keys and malformed YAML in override files, naming the file', () => {
    const unknown = path.join(cwd, 'unknown.yaml');
    writeFileSync(unknown, 'retrieval:\n  kk: 3\n');
    expect(problemsOf(() => loadConfig({ cwd, env: {}, files: [unknown] })).join()).toMatch(
      /retrieval: unknown setting "kk" \(in .*unknown\.yaml; check the spelling/,
    );
    const broken = path.join(cwd, 'broken.yaml');
    writeFileSync(broken, 'retrieval: [\n');
    expect(problemsOf(() => loadConfig({ cwd, env: {}, files: [broken] })).join()).toContain('broken.yaml');
    expect(problemsOf(() => loadConfig({ cwd, env: {}, files: ['missing.yaml'] })).join()).toMatch(
      /missing\.yaml: config file not found/,
    );
  });

  it('takes secrets from the environment only and masks them when described', () => {
    const config = loadConfig({ cwd, env: { OPENAI_API_KEY: 'sk-test-1234567890abcdef' } });
    expect(config.secrets.openaiApiKey).toBe('sk-test-1234567890abcdef');
    const described = JSON.stringify(describeConfig(config));
    expect(described).not.toContain('1234567890');
    expect(described).toContain('sk-t****ef');
    const file = path.join(cwd, 'secret.yaml');
    writeFileSync(file, 'secrets:\n  openaiApiKey: nope\n');
    expect(problemsOf(() => loadConfig({ cwd, env: {}, files: [file] })).join()).toMatch(
      /unknown setting "secrets"/,
    );
  });

  it('masks the credentials of a URL in a bad value it shows', () => {
    const file = path.join(cwd, 'duplicate-sources.yaml');
    writeFileSync(
      file,
      'knowledge:\n  sources:\n    - name: a\n      location: git+https://x-access-token:tok3nInTheUrl@github.com/acme/docs.git\n    - name: a\n      location: ./notes\n',
    );
    const problems = problemsOf(() => loadConfig({ cwd, env: {}, files: [file] })).join('\n');
    expect(problems).toContain('git+https://x-access-token:****@github.com/acme/docs.git');
    expect(problems).not.toContain('tok3nInTheUrl');
  });
});
