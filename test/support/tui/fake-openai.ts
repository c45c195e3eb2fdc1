import nock from 'nock';

export const openAiApi = 'https://api.openai.com';

function jobBody(id: string, status: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    object: 'fine_tuning.job',
    created_at: 1_760_000_000,
    model: 'gpt-4o-mini-2024-07-18',
    fine_tuned_model: null,
    organization_id: 'org-test',
    result_files: [],
    status,
    validation_file: 'file-2',
    training_file: 'file-1',
    hyperparameters: { n_epochs: 3 },
    trained_tokens: null,
    error: null,
    finished_at: null,
    seed: 1,
    ...extra,
  };
}

function event(id: string, createdAt: number, message: string, data?: Record<string, unknown>) {
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

export interface FineTuningStage {
  status: string;
  events?: ReturnType<typeof event>[];
  extra?: Record<string, unknown>;
}

/** A job that validates, queues, runs three steps with falling losses and succeeds with `model`. */
export function succeedingJob(model: string): FineTuningStage[] {
  return [
    {
      status: 'validating_files',
      events: [event('ev-1', 1_760_000_010, 'Validating training file: file-1')],
    },
    {
      status: 'queued',
      events: [event('ev-2', 1_760_000_020, 'Files validated, moving job to queued state')],
    },
    {
      status: 'running',
      events: [
        event('ev-3', 1_760_000_030, 'Fine-tuning job started'),
        event('ev-4', 1_760_000_040, 'Step 1/3: training loss=1.20', {
          step: 1,
          train_loss: 1.2,
          valid_loss: 1.31,
        }),
        event('ev-5', 1_760_000_050, 'Step 2/3: training loss=0.80', {
          step: 2,
          train_loss: 0.8,
          valid_loss: 0.9,
        }),
      ],
    },
    {
      status: 'succeeded',
      events: [
        event('ev-6', 1_760_000_060, 'Step 3/3: training loss=0.45', {
          step: 3,
          train_loss: 0.45,
          valid_loss: 0.58,
        }),
        event('ev-7', 1_760_000_070, 'The job has successfully completed'),
      ],
      extra: { fine_tuned_model: model, trained_tokens: 5120 },
    },
  ];
}

/** A job that keeps running until it is cancelled. */
export function runningJob(): FineTuningStage[] {
  return [
    {
      status: 'queued',
      events: [event('ev-1', 1_760_000_010, 'Files validated, moving job to queued state')],
    },
    {
      status: 'running',
      events: [event('ev-2', 1_760_000_020, 'Step 1/100: training loss=2.00', { step: 1, train_loss: 2 })],
    },
  ];
}

/**
 * The files and fine-tuning endpoints for one job, behind nock: uploads, job creation, then each poll of the job
 * moves it one stage along; events are served newest first as OpenAI does; cancel ends it.
 */
export function fakeFineTuningApi(options: { jobId: string; stages: FineTuningStage[] }) {
  const released: ReturnType<typeof event>[] = [];
  const sent = { uploads: [] as string[], job: null as Record<string, unknown> | null, cancelled: false };
  let stage = 0;
  let fileNumber = 0;
  const current = () => options.stages[Math.min(stage, options.stages.length - 1)]!;
  const scope = nock(openAiApi)
    .persist()
    .post('/v1/files', (body) => {
      sent.uploads.push(String(body));
      return true;
    })
    .reply(() => {
      fileNumber += 1;
      return [
        200,
        {
          id: `file-${fileNumber}`,
          object: 'file',
          bytes: 1,
          created_at: 1,
          filename: 'x.jsonl',
          purpose: 'fine-tune',
          status: 'processed',
        },
      ];
    })
    .post('/v1/fine_tuning/jobs', (body) => {
      sent.job = body;
      return true;
    })
    .reply(() => [200, jobBody(options.jobId, 'validating_files')])
    .get(`/v1/fine_tuning/jobs/${options.jobId}`)
    .reply(() => {
      if (sent.cancelled) return [200, jobBody(options.jobId, 'cancelled')];
      const state = current();
      released.push(
        ...(state.events ?? []).filter((candidate) => !released.some((seen) => seen.id === candidate.id)),
      );
      stage += 1;
      return [200, jobBody(options.jobId, state.status, state.extra)];
    })
    .get(`/v1/fine_tuning/jobs/${options.jobId}/events`)
    .query(true)
    .reply(() => [200, { object: 'list', data: [...released].reverse(), has_more: false }])
    .post(`/v1/fine_tuning/jobs/${options.jobId}/cancel`)
    .reply(() => {
      sent.cancelled = true;
      return [200, jobBody(options.jobId, 'cancelled')];
    });
  return { scope, sent };
}

/** Chat completions answered by `reply(model, messages)`, counting calls per model. */
export function fakeChatCompletions(
  reply: (model: string, messages: Array<{ role: string; content: string }>) => string,
) {
  const calls: Record<string, number> = {};
  const scope = nock(openAiApi)
    .persist()
    .post('/v1/chat/completions')
    .reply((_uri, body) => {
      const request = body as { model: string; messages: Array<{ role: string; content: string }> };
      calls[request.model] = (calls[request.model] ?? 0) + 1;
      return [
        200,
        {
          id: 'chatcmpl-test',
          object: 'chat.completion',
          created: 1,
          model: request.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: reply(request.model, request.messages) },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 50, completion_tokens: 10, total_tokens: 60 },
        },
      ];
    });
  return { scope, calls };
}
