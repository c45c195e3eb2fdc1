import nock from 'nock';
import { createSqliteStore } from '../../src/core/adapters/sqlite/index.ts';
import { silentLogger, type Store } from '../../src/core/ports/index.ts';

/** Shared set-up of the learning-loop tests: a real embedded store, real prompts, scripted models. */
export * from './conversation-fixtures.ts';

export async function openMemoryStore(): Promise<Store> {
  const store = createSqliteStore({ file: ':memory:', logger: silentLogger });
  await store.init({ embedderId: 'test-hash-64', dimensions: 64 });
  return store;
}

export const openAiApi = 'https://api.openai.com';

export function fineTuningJobBody(id: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: 'fine_tuning.job',
    created_at: 1_740_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    fine_tuned_model: null,
    organization_id: 'org-test',
    result_files: [],
    status,
    validation_file: 'file-validation',
    training_file: 'file-train',
    hyperparameters: { n_epochs: 3 },
    trained_tokens: null,
    error: null,
    finished_at: null,
    seed: 1,
    ...extra,
  };
}

export function fineTuningEvent(
  id: string,
  createdAt: number,
  message: string,
  data?: Record<string, unknown>,
) {
  return {
    object: 'fine_tuning.job.event',
    id,
    created_at: createdAt,
    level: 'info',
    message,
    type: data ? 'metrics' : 'message',
    ...(data ? { data } : {}),
  };
}

/**
 * The fine-tuning API for one job as a little state machine behind nock: each poll of the job moves it one step
 * along `statuses`, and the events endpoint serves the events released so far, newest first, as OpenAI does.
 */
export function simulateFineTuningJob(options: {
  jobId: string;
  statuses: Array<{
    status: string;
    events?: ReturnType<typeof fineTuningEvent>[];
    extra?: Record<string, unknown>;
  }>;
  baseUrl?: string;
}) {
  const released: ReturnType<typeof fineTuningEvent>[] = [];
  let step = 0;
  const polls = { job: 0, events: 0, cancel: 0 };
  const current = () => options.statuses[Math.min(step, options.statuses.length - 1)]!;
  const scope = nock(options.baseUrl ?? openAiApi)
    .persist()
    .get(`/v1/fine_tuning/jobs/${options.jobId}`)
    .reply(() => {
      polls.job += 1;
      const state = current();
      released.push(
        ...(state.events ?? []).filter((event) => !released.some((seen) => seen.id === event.id)),
      );
      step += 1;
      return [200, fineTuningJobBody(options.jobId, state.status, state.extra)];
    })
    .get(`/v1/fine_tuning/jobs/${options.jobId}/events`)
    .query(true)
    .reply(() => {
      polls.events += 1;
      return [200, { object: 'list', data: [...released].reverse(), has_more: false }];
    })
    .post(`/v1/fine_tuning/jobs/${options.jobId}/cancel`)
    .reply(() => {
      polls.cancel += 1;
      return [200, fineTuningJobBody(options.jobId, 'cancelled')];
    });
  return { scope, polls };
}
