import type { TrainingScheduleStatus } from '../../../../core/index.ts';
import { percent, shortModelName, when } from '../../../format/figures.ts';

/** One line on what the learning loop's schedule last did; null when it is off and never ran. */
export function scheduleLine(status: TrainingScheduleStatus | null): string | null {
  if (!status) return null;
  const { lastRetrain, lastEvaluation } = status;
  if (status.everyHours <= 0 && !lastRetrain && !lastEvaluation) return null;
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
        : `${model} ${lastEvaluation.won ? 'won' : 'lost'} (${percent(lastEvaluation.winRate)})${lastEvaluation.promoted ? ', promoted' : lastEvaluation.won ? ', promote it on Models (5)' : ''}`,
    );
  }
  return parts.join(' · ');
}
