/** Counters every replica exposes; labels are fixed per metric (see the adapter's catalogue). */
export type CounterName =
  | 'questions_total'
  | 'refusals_total'
  | 'feedback_total'
  | 'openai_errors_total'
  | 'duplicate_deliveries_dropped_total'
  | 'claims_taken_over_total'
  | 'rate_limited_total'
  | 'rate_limit_fail_open_total'
  | 'sync_runs_total'
  | 'sync_failures_total'
  | 'background_job_runs_total'
  | 'training_schedule_runs_total'
  | 'face_errors_total'
  | 'handoffs_total'
  | 'human_follow_ups_total'
  | 'platform_rate_limits_total'
  | 'model_rollbacks_total';

export type HistogramName =
  'answer_latency_seconds' | 'retrieval_latency_seconds' | 'claim_takeover_wait_seconds';

export type GaugeName =
  | 'active_model_info'
  | 'questions_last_7_days'
  | 'resolved_without_person_ratio'
  | 'human_follow_up_ratio'
  | 'handed_off_ratio';

export type MetricLabels = Record<string, string | number>;

/**
 * Operational figures for whoever runs the processes. Increments never throw and never wait: a broken metric
 * must not cost a person their answer.
 */
export interface Metrics {
  increment(name: CounterName, labels?: MetricLabels, by?: number): void;
  observe(name: HistogramName, value: number, labels?: MetricLabels): void;
  set(name: GaugeName, value: number, labels?: MetricLabels): void;
  /** Drops every series of a gauge (a new active model replaces the old one). */
  reset(name: GaugeName): void;
  /** The Prometheus text exposition of every metric, process metrics included. */
  render(): Promise<{ contentType: string; text: string }>;
}

export const noMetrics: Metrics = {
  increment: () => {},
  observe: () => {},
  set: () => {},
  reset: () => {},
  render: async () => ({ contentType: 'text/plain; version=0.0.4', text: '' }),
};
