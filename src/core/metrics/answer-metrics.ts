import type { AskInput, AskResult } from '../answering/types.ts';
import { AnswerloopError } from '../errors/index.ts';
import type { ChatModel, Metrics } from '../ports/index.ts';

/** The gauge of the model answering now: one series, replaced when the model changes. */
export function createActiveModelGauge(metrics: Metrics): (model: string) => void {
  let shown: string | undefined;
  return (model) => {
    if (!model || model === shown) return;
    shown = model;
    metrics.reset('active_model_info');
    metrics.set('active_model_info', 1, { model });
  };
}

/** Questions by platform and route, refusals, answer latency, and the model answering now. */
export function createAskMetrics(
  metrics: Metrics,
  showActiveModel: (model: string) => void = createActiveModelGauge(metrics),
) {
  return async (input: AskInput, ask: () => Promise<AskResult>): Promise<AskResult> => {
    const platform = input.context.platform || 'cli';
    const result = await ask();
    // A question nobody asked the bot, left silent below its channel's bar, is neither answered nor refused.
    metrics.increment('questions_total', { platform, route: result.skipped ? 'silent' : result.route });
    if (result.refused && !result.skipped) metrics.increment('refusals_total', { platform });
    metrics.observe('answer_latency_seconds', result.latencyMs / 1000, { platform });
    // 'none': nothing was generated (a help reply, a silent question); the answering model is unchanged.
    if (result.model && result.model !== 'none') showActiveModel(result.model);
    return result;
  };
}

export async function timeRetrieval<T>(metrics: Metrics, search: () => Promise<T>): Promise<T> {
  const started = performance.now();
  try {
    return await search();
  } finally {
    metrics.observe('retrieval_latency_seconds', (performance.now() - started) / 1000);
  }
}

/** The chat model, counting its failures by error code. */
export function countChatModelErrors(model: ChatModel, metrics: Metrics): ChatModel {
  // Object.create keeps whatever else the model offers, own or inherited.
  const counted = Object.create(model) as ChatModel;
  counted.complete = async (request) => {
    try {
      return await model.complete(request);
    } catch (error) {
      metrics.increment('openai_errors_total', { code: AnswerloopError.is(error) ? error.code : 'unknown' });
      throw error;
    }
  };
  return counted;
}
