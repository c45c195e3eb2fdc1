import OpenAI, { toFile } from 'openai';
import { AnswerloopError } from '../../errors/index.ts';
import type {
  FineTuneJobState,
  FineTuner,
  Logger,
  TrainingEvent,
  TrainingJobStatus,
} from '../../ports/index.ts';
import { createOpenAiClient, fromOpenAiError } from './openai-errors.ts';

export interface OpenAiFineTunerOptions {
  apiKey: string;
  baseUrl?: string;
  timeoutMs: number;
  maxRetries: number;
  logger: Logger;
}

type FineTuningJob = OpenAI.FineTuning.FineTuningJob;
type FineTuningJobEvent = OpenAI.FineTuning.FineTuningJobEvent;

const statuses: readonly TrainingJobStatus[] = [
  'validating_files',
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
];

/** Errors specific to files and jobs first; the rest as every OpenAI call maps them. */
function fromFineTuningError(error: unknown, what: string): AnswerloopError {
  if (error instanceof OpenAI.APIError && error.status === 404) {
    return new AnswerloopError(
      'not_found',
      `${what}: OpenAI does not know it (${error.message.replace(/^\d{3}\s*/, '')}).`,
      { cause: error },
    );
  }
  if (error instanceof OpenAI.APIError && error.status === 400) {
    return new AnswerloopError(
      'input_invalid',
      `${what}: OpenAI refused the request (${error.message.replace(/^\d{3}\s*/, '')}).`,
      {
        cause: error,
        details: { status: 400, code: error.code, param: error.param },
      },
    );
  }
  return fromOpenAiError(error, what);
}

function toJobState(job: FineTuningJob): FineTuneJobState {
  return {
    id: job.id,
    // A status this code does not know yet is reported as still running rather than as an end state.
    status: statuses.includes(job.status) ? job.status : 'running',
    fineTunedModel: job.fine_tuned_model ?? null,
    error: job.error ? [job.error.code, job.error.message].filter(Boolean).join(': ') || null : null,
    trainedTokens: job.trained_tokens ?? null,
  };
}

function numberOrUndefined(value: unknown): number | undefined {
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/** Metrics events carry `data.step`, `data.train_loss` and `data.valid_loss`; message events carry none. */
function toTrainingEvent(event: FineTuningJobEvent): TrainingEvent {
  const data = (typeof event.data === 'object' && event.data !== null ? event.data : {}) as Record<
    string,
    unknown
  >;
  const step = numberOrUndefined(data.step);
  const trainLoss = numberOrUndefined(data.train_loss);
  const validLoss = numberOrUndefined(data.valid_loss) ?? numberOrUndefined(data.full_valid_loss);
  return {
    id: event.id,
    createdAt: new Date(event.created_at * 1000).toISOString(),
    level: event.level,
    message: event.message,
    ...(step === undefined ? {} : { step }),
    ...(trainLoss === undefined ? {} : { trainLoss }),
    ...(validLoss === undefined ? {} : { validLoss }),
  };
}

/** Fine-tuning through the openai SDK: uploads with purpose `fine-tune`, jobs, and their events. */
export function createOpenAiFineTuner(options: OpenAiFineTunerOptions): FineTuner {
  const client = createOpenAiClient(options);
  const { logger } = options;
  return {
    async uploadFile(fileName, jsonl) {
      try {
        const file = await client.files.create({
          file: await toFile(Buffer.from(jsonl, 'utf8'), fileName, { type: 'application/jsonl' }),
          purpose: 'fine-tune',
        });
        logger.info({ fileId: file.id, fileName, bytes: file.bytes }, 'training file uploaded');
        return file.id;
      } catch (error) {
        throw fromFineTuningError(error, `Uploading ${fileName}`);
      }
    },

    async createJob(request) {
      const { nEpochs, batchSize, learningRateMultiplier } = request.hyperparameters;
      const hyperparameters = {
        ...(nEpochs === undefined ? {} : { n_epochs: nEpochs }),
        ...(batchSize === undefined ? {} : { batch_size: batchSize }),
        ...(learningRateMultiplier === undefined ? {} : { learning_rate_multiplier: learningRateMultiplier }),
      };
      try {
        const job = await client.fineTuning.jobs.create({
          model: request.baseModel,
          training_file: request.trainingFileId,
          ...(request.validationFileId ? { validation_file: request.validationFileId } : {}),
          ...(request.suffix ? { suffix: request.suffix } : {}),
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          method: { type: 'supervised', supervised: { hyperparameters } },
        });
        logger.info({ jobId: job.id, model: request.baseModel }, 'fine-tuning job created');
        return toJobState(job);
      } catch (error) {
        throw fromFineTuningError(error, `Creating a fine-tuning job on ${request.baseModel}`);
      }
    },

    async getJob(id) {
      try {
        return toJobState(await client.fineTuning.jobs.retrieve(id));
      } catch (error) {
        throw fromFineTuningError(error, `Reading fine-tuning job ${id}`);
      }
    },

    async cancelJob(id) {
      try {
        return toJobState(await client.fineTuning.jobs.cancel(id));
      } catch (error) {
        throw fromFineTuningError(error, `Cancelling fine-tuning job ${id}`);
      }
    },

    async listEvents(id, afterId) {
      // The API lists events newest first and pages towards older ones, so read back to the last event
      // already seen, then return the new ones oldest first.
      const newest: TrainingEvent[] = [];
      try {
        for await (const event of client.fineTuning.jobs.listEvents(id, { limit: 100 })) {
          if (event.id === afterId) break;
          newest.push(toTrainingEvent(event));
        }
      } catch (error) {
        throw fromFineTuningError(error, `Reading the events of fine-tuning job ${id}`);
      }
      return newest.reverse();
    },
  };
}
