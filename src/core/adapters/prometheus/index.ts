import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { CounterName, GaugeName, HistogramName, MetricLabels, Metrics } from '../../ports/index.ts';

const prefix = 'answerloop_';
const latencyBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16, 32];

const counters: Record<CounterName, { help: string; labels: string[] }> = {
  questions_total: {
    help: 'Questions handled, by platform and route (retrieve, direct, help, refused; silent: nobody asked and the bot was not sure enough, so it said nothing).',
    labels: ['platform', 'route'],
  },
  refusals_total: { help: 'Answers that said the bot does not know.', labels: ['platform'] },
  feedback_total: { help: 'Feedback given on answers.', labels: ['verdict'] },
  openai_errors_total: { help: 'Failed chat model calls, by error code.', labels: ['code'] },
  duplicate_deliveries_dropped_total: {
    help: 'Deliveries dropped because another delivery of the same event was claimed.',
    labels: ['platform', 'reason'],
  },
  claims_taken_over_total: {
    help: 'Deliveries answered after taking over the claim of a replica that stopped.',
    labels: ['platform'],
  },
  rate_limited_total: { help: 'Questions refused by the per-user rate limit.', labels: ['platform'] },
  rate_limit_fail_open_total: {
    help: 'Questions let through because the shared rate limit could not reach the store.',
    labels: ['platform'],
  },
  sync_runs_total: { help: 'Knowledge source sync runs.', labels: ['source'] },
  sync_failures_total: { help: 'Knowledge source sync runs that failed.', labels: ['source'] },
  background_job_runs_total: {
    help: 'Runs of background work held on a lease, by job and outcome.',
    labels: ['job', 'outcome'],
  },
  training_schedule_runs_total: {
    help: 'Steps of the learning loop run by the schedule: retrain (started, not_needed, failed), evaluate (won, lost, failed), promote (promoted, failed).',
    labels: ['step', 'outcome'],
  },
  face_errors_total: {
    help: 'Errors caught by a face or the process guard instead of ending the process.',
    labels: ['face', 'kind'],
  },
  handoffs_total: {
    help: 'Clicks on "Ask a person": handed_off, already (a second click), not_found, or why the escalation post failed.',
    labels: ['platform', 'outcome'],
  },
  human_follow_ups_total: {
    help: "Answers a person followed up on: a reply in the bot's thread, or the post marked solved.",
    labels: ['platform', 'kind'],
  },
  platform_rate_limits_total: {
    help: 'Calls the platform answered 429 (rate limited), by method or route: queued and retried, or a history read skipped.',
    labels: ['platform', 'method'],
  },
  model_rollbacks_total: {
    help: 'Promotions rolled back by training.guard because live answers got worse (reason: not_helpful, refusal).',
    labels: ['reason'],
  },
};

const histograms: Record<HistogramName, { help: string; labels: string[]; buckets: number[] }> = {
  answer_latency_seconds: {
    help: 'Time to answer a question, from question to answer.',
    labels: ['platform'],
    buckets: latencyBuckets,
  },
  retrieval_latency_seconds: {
    help: 'Time to retrieve passages for a question.',
    labels: [],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 4],
  },
  claim_takeover_wait_seconds: {
    help: 'How long a taken-over delivery waited, from its first claim to the takeover.',
    labels: ['platform'],
    buckets: [1, 5, 10, 20, 30, 45, 60, 120, 300],
  },
};

const gauges: Record<GaugeName, { help: string; labels: string[] }> = {
  active_model_info: {
    help: 'The chat model answering now (value 1, the model in the label).',
    labels: ['model'],
  },
  questions_last_7_days: {
    help: 'Questions asked over the last seven days, by platform (from the store, so every replica agrees).',
    labels: ['platform'],
  },
  resolved_without_person_ratio: {
    help: "Share of the last seven days' questions answered, not marked unhelpful, without human follow-up or hand-off.",
    labels: ['platform'],
  },
  human_follow_up_ratio: {
    help: "Share of the last seven days' questions a person followed up in the thread (insights.humanFollowUpHours).",
    labels: ['platform'],
  },
  handed_off_ratio: {
    help: "Share of the last seven days' questions handed to a person.",
    labels: ['platform'],
  },
};

/** Only the catalogue's labels, each present: prom-client refuses a label it was not told of. */
function pick(labels: MetricLabels | undefined, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((name) => [name, String(labels?.[name] ?? '')]));
}

/** The metrics of one process in a registry of its own, in Prometheus' text format (prom-client). */
export function createPrometheusMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  const counterOf = Object.fromEntries(
    Object.entries(counters).map(([name, spec]) => [
      name,
      new Counter({ name: prefix + name, help: spec.help, labelNames: spec.labels, registers: [registry] }),
    ]),
  ) as Record<CounterName, Counter>;
  const histogramOf = Object.fromEntries(
    Object.entries(histograms).map(([name, spec]) => [
      name,
      new Histogram({
        name: prefix + name,
        help: spec.help,
        labelNames: spec.labels,
        buckets: spec.buckets,
        registers: [registry],
      }),
    ]),
  ) as Record<HistogramName, Histogram>;
  const gaugeOf = Object.fromEntries(
    Object.entries(gauges).map(([name, spec]) => [
      name,
      new Gauge({ name: prefix + name, help: spec.help, labelNames: spec.labels, registers: [registry] }),
    ]),
  ) as Record<GaugeName, Gauge>;
  return {
    increment(name, labels, by = 1) {
      counterOf[name].inc(pick(labels, counters[name].labels), by);
    },
    observe(name, value, labels) {
      if (Number.isFinite(value)) histogramOf[name].observe(pick(labels, histograms[name].labels), value);
    },
    set(name, value, labels) {
      gaugeOf[name].set(pick(labels, gauges[name].labels), value);
    },
    reset(name) {
      gaugeOf[name].reset();
    },
    async render() {
      return { contentType: registry.contentType, text: await registry.metrics() };
    },
  };
}
