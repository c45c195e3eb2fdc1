import type { TrainingScheduleStatus } from '../../../../core/index.ts';
import { percent, shortModelName, when } from '../../../format/figures.ts';

/** One line on what the learning loop's schedule last did; null when it is off and never ran. */
export function scheduleLine(status: TrainingScheduleStatus | null): string | null {
  if (!status) return null;
  const { lastRetrain, lastEvaluation } = status;
  const guard = status.guard?.last ?? null;
  if (status.everyHours <= 0 && !lastRetrain && !lastEvaluation && !guard) return null;
  const parts = [
    status.everyHours > 0
      ? `Schedule: every ${status.everyHours} h${status.nextRetrainAt ? `, next ${when(status.nextRetrainAt)}` : ''}`
      : 'Schedule: off',
  ];
  if (lastRetrain)
    parts.push(
      `last ${when(lastRetrain.at)}: ${lastRetrain.ok ? (lastRetrain.started ? `started ${lastRetrain.jobId ?? 'a job'}` : lastRetrain.reason) : `failed: ${lastRetrain.error ?? 'see the log'}`}`,
    );
  if (lastEvaluation) {
    const model = shortModelName(lastEvaluation.model);
    parts.push(
      lastEvaluation.winRate === null
        ? `evaluation of ${model} failed: ${lastEvaluation.error ?? 'see the log'}`
        : `${model} ${lastEvaluation.won ? 'won' : 'lost'} (${percent(lastEvaluation.winRate)})${lastEvaluation.promoted ? ', promoted' : lastEvaluation.won && lastEvaluation.gate && !lastEvaluation.gate.passed ? `, worse on ${lastEvaluation.gate.worseOn.map((entry) => entry.measure).join(', ')}: not promoted` : lastEvaluation.won ? ', promote it on Models (5)' : ''}`,
    );
  }
  // The guard's word on the newest promotion: a rollback must not go unnoticed.
  if (guard)
    parts.push(
      guard.decision === 'rolled_back'
        ? `⚠ guard rolled back ${shortModelName(guard.model)} ${when(guard.at)}: ${guard.reason}`
        : `guard: ${shortModelName(guard.model)} ${guard.decision.replace(/_/g, ' ')}`,
    );
  return parts.join(' · ');
}
