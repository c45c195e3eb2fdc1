import { beforeEach, describe, expect, it } from 'vitest';
import { createDatasetsService } from '../../src/core/curation/index.ts';
import { createTrainingService, type TrainingService } from '../../src/core/training/index.ts';
import { silentLogger, type ModelRecord, type Store } from '../../src/core/ports/index.ts';
import { AnswerloopError } from '../../src/core/errors/index.ts';
import { createDeterministicEmbedder } from '../fakes/deterministic-embedder.ts';
import {
  learningLoopConfig,
  manualClock,
  openMemoryStore,
  scriptedChatModel,
} from '../support/learning-loop-fixtures.ts';

let store: Store;
let clock: ReturnType<typeof manualClock>;

function service(): TrainingService {
  return createTrainingService({
    config: learningLoopConfig(),
    store,
    fineTuner: () => {
      throw new AnswerloopError('config_invalid', 'no fine-tuning in these tests');
    },
    chatModel: () => scriptedChatModel(() => 'unused'),
    embedder: createDeterministicEmbedder(),
    datasets: createDatasetsService({ config: learningLoopConfig(), store, logger: silentLogger, clock }),
    logger: silentLogger,
    clock,
  });
}

function candidate(name: string, winRate: number | null = null): ModelRecord {
  return {
    name,
    baseModel: 'gpt-4o-mini-2024-07-18',
    jobId: `job-${name}`,
    datasetVersion: 'support@1',
    status: 'candidate',
    evaluation:
      winRate === null
        ? null
        : {
            id: `eval-${name}`,
            candidate: name,
            baseline: 'gpt-4o-mini-2024-07-18',
            winRate,
            scores: {},
            examples: 10,
            createdAt: '2025-03-01T08:00:00.000Z',
          },
    promotedAt: null,
    previousActive: null,
    createdAt: '2025-03-01T07:00:00.000Z',
  };
}

beforeEach(async () => {
  store = await openMemoryStore();
  clock = manualClock();
});

describe('promotion and rollback', () => {
  it('answers with the base model until a model is promoted', async () => {
    expect(await service().activeModel()).toBe('gpt-4o-mini-2024-07-18');
  });

  it('promotes a winner, retires the previous active model and rolls back to it', async () => {
    const training = service();
    await store.saveModel(candidate('ft:a', 0.7));
    await store.saveModel(candidate('ft:b', 0.6));
    const first = await training.promote({ model: 'ft:a' });
    expect(first).toMatchObject({ changed: true, previous: null, warnings: [] });
    expect(first.active).toMatchObject({ status: 'active', promotedAt: clock.now().toISOString() });
    expect(await training.activeModel()).toBe('ft:a');

    const second = await training.promote({ model: 'ft:b' });
    expect(second.previous).toBe('ft:a');
    expect((await store.getModel('ft:a'))?.status).toBe('retired');
    expect(await training.activeModel()).toBe('ft:b');
    expect((await training.promote({ model: 'ft:b' })).changed).toBe(false);

    expect(await training.rollback()).toEqual({ from: 'ft:b', to: 'ft:a' });
    expect((await store.getModel('ft:b'))?.status).toBe('retired');
    expect(await training.activeModel()).toBe('ft:a');
    expect(await training.rollback()).toEqual({ from: 'ft:a', to: 'gpt-4o-mini-2024-07-18' });
    expect(await training.activeModel()).toBe('gpt-4o-mini-2024-07-18');
    await expect(training.rollback()).rejects.toMatchObject({ code: 'conflict' });
  });

  it('asks for --force to promote a model that lost its latest evaluation', async () => {
    const training = service();
    await store.saveModel(candidate('ft:loser', 0.3));
    await expect(training.promote({ model: 'ft:loser' })).rejects.toThrow(/win rate 30%.*--force/);
    expect(await training.activeModel()).toBe('gpt-4o-mini-2024-07-18');
    const forced = await training.promote({ model: 'ft:loser', force: true });
    expect(forced.warnings[0]).toMatch(/promoted with --force/);
    expect(await training.activeModel()).toBe('ft:loser');
  });

  it('uses the newest stored evaluation, and warns when there is none', async () => {
    const training = service();
    await store.saveModel(candidate('ft:x', 0.8));
    await store.saveEvaluation({
      id: 'eval-new',
      candidate: 'ft:x',
      baseline: 'base',
      winRate: 0.2,
      scores: {},
      examples: 5,
      createdAt: '2025-03-01T08:30:00.000Z',
      rows: [],
    });
    await expect(training.promote({ model: 'ft:x' })).rejects.toMatchObject({ code: 'conflict' });
    await store.saveModel(candidate('ft:y'));
    expect((await training.promote({ model: 'ft:y' })).warnings[0]).toMatch(/has not been evaluated/);
    await expect(training.promote({ model: 'ft:unknown' })).rejects.toMatchObject({ code: 'not_found' });
  });

  it('sees a promotion made by another process within two seconds', async () => {
    const bot = service();
    const operator = service();
    await store.saveModel(candidate('ft:new', 0.9));
    expect(await bot.activeModel()).toBe('gpt-4o-mini-2024-07-18');
    await operator.promote({ model: 'ft:new' });
    // Cached for at most two seconds...
    expect(await bot.activeModel()).toBe('gpt-4o-mini-2024-07-18');
    clock.advance(2000);
    expect(await bot.activeModel()).toBe('ft:new');
    await operator.rollback();
    clock.advance(2000);
    expect(await bot.activeModel()).toBe('gpt-4o-mini-2024-07-18');
  });

  it('lists models with the active one and the base model', async () => {
    const training = service();
    await store.saveModel(candidate('ft:a', 0.7));
    await training.promote({ model: 'ft:a' });
    const listing = await training.listModels();
    expect(listing).toMatchObject({ active: 'ft:a', baseModel: 'gpt-4o-mini-2024-07-18' });
    expect(listing.models.map((model) => [model.name, model.status])).toEqual([['ft:a', 'active']]);
  });
});
