import { Text } from 'ink';
import type { AskResult } from '../../../../core/index.ts';

/** Offline answers: no model read the passages, and what an operator can do about it. */
export const offlineJudgementHint =
  'offline: a model that reads the passages refuses far better: answering.mode local (npm run model:fetch -- --llm) or OPENAI_API_KEY';

/** Who decided that the documentation answers the question, and why, or null when there is nothing to say. */
export function judgementLine(result: AskResult): { text: string; color?: string; lines: number } | null {
  const verdict = result.sufficiency;
  if (verdict) {
    if (verdict.gate !== 'grey') return { text: verdict.reason, lines: 1 };
    const said =
      verdict.sufficient === null
        ? 'no verdict'
        : verdict.sufficient
          ? 'the passages answer it'
          : 'the passages do not answer it';
    return {
      text: `${verdict.model || 'model'} checked: ${said}${verdict.reason ? ` (${verdict.reason})` : ''}`,
      lines: 1,
      ...(verdict.decision === 'refuse' ? { color: 'yellow' } : {}),
    };
  }
  if (result.extractive && (result.route === 'retrieve' || result.route === 'refused'))
    return { text: offlineJudgementHint, color: 'cyan', lines: 2 };
  return null;
}

export function AnswerJudgement({ result }: { result: AskResult }) {
  const line = judgementLine(result);
  if (!line) return null;
  return (
    <Text
      wrap={line.lines > 1 ? 'wrap' : 'truncate-end'}
      dimColor={!line.color}
      {...(line.color ? { color: line.color } : {})}
    >
      {line.text}
    </Text>
  );
}
