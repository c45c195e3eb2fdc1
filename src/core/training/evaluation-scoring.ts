import { isRefusal, parseCitations } from '../answering/citations.ts';
import { parseAnswerPrompt } from '../answering/prompt.ts';
import type { ChatMessage } from '../ports/index.ts';

/** Scores of one answer. Similarity and refusal correctness need a reference answer; without one they are null. */
export interface AnswerScores {
  /** Cosine similarity of the answer's embedding to the reference's, in [-1, 1]. */
  similarity: number | null;
  /** Share of the answer's citations that point at a source in the prompt (1 when it cites none). */
  citationValidity: number;
  refused: boolean;
  /** The answer refuses exactly when the reference does. */
  refusalCorrect: boolean | null;
}

export type Verdict = 'candidate' | 'baseline' | 'tie';

/** How many numbered sources the prompt gave the model: the last user turn's `<source id="n">` blocks. */
export function sourceCountOfPrompt(messages: ChatMessage[]): number {
  const user = [...messages].reverse().find((message) => message.role === 'user');
  return user ? parseAnswerPrompt(user.content).sources.length : 0;
}

export function citationValidity(answer: string, sourceCount: number): number {
  const { citations, dropped } = parseCitations(answer, sourceCount);
  const total = citations.length + dropped.length;
  return total === 0 ? 1 : citations.length / total;
}

/** A refusal in the model's words, or the bot's hand-off text. */
export function answerRefuses(answer: string, handoff: string): boolean {
  return isRefusal(answer) || (handoff.trim() !== '' && answer.includes(handoff.trim()));
}

export function scoreAnswer(input: {
  answer: string;
  sourceCount: number;
  handoff: string;
  /** Null when there is no reference answer. */
  reference: { refused: boolean; similarity: number } | null;
}): AnswerScores {
  const refused = answerRefuses(input.answer, input.handoff);
  return {
    similarity: input.reference ? input.reference.similarity : null,
    citationValidity: citationValidity(input.answer, input.sourceCount),
    refused,
    refusalCorrect: input.reference ? refused === input.reference.refused : null,
  };
}

/** One number per answer for the comparison without a judge: each score counts equally. */
export function compositeScore(scores: AnswerScores): number {
  return (
    (scores.similarity ?? 0) +
    scores.citationValidity +
    (scores.refusalCorrect === null ? 0 : scores.refusalCorrect ? 1 : 0)
  );
}

/** Scores closer than this are a tie: embedding noise is not a win. */
const tieMargin = 0.02;

export function compareScores(candidate: AnswerScores, baseline: AnswerScores): Verdict {
  const difference = compositeScore(candidate) - compositeScore(baseline);
  if (Math.abs(difference) < tieMargin) return 'tie';
  return difference > 0 ? 'candidate' : 'baseline';
}

/** A win counts 1, a tie half: 0.5 means no better and no worse. */
export function winRate(verdicts: Verdict[]): number {
  if (verdicts.length === 0) return 0.5;
  const points = verdicts.reduce(
    (sum, verdict) => sum + (verdict === 'candidate' ? 1 : verdict === 'tie' ? 0.5 : 0),
    0,
  );
  return points / verdicts.length;
}

export interface ScoreMeans {
  similarity: number;
  citationValidity: number;
  refusalAccuracy: number;
  judgeWins?: number;
}

function mean(values: number[]): number {
  return values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
}

const rounded = (value: number) => Number(value.toFixed(4));

/** Means over the rows; scores that need a reference average over the rows that have one. */
export function meanScores(scores: AnswerScores[], judgeWins?: number): ScoreMeans {
  const similarities = scores.flatMap((score) => (score.similarity === null ? [] : [score.similarity]));
  const refusals = scores.flatMap((score) =>
    score.refusalCorrect === null ? [] : [score.refusalCorrect ? 1 : 0],
  );
  return {
    similarity: rounded(mean(similarities)),
    citationValidity: rounded(mean(scores.map((score) => score.citationValidity))),
    refusalAccuracy: rounded(mean(refusals)),
    ...(judgeWins === undefined ? {} : { judgeWins }),
  };
}

export const judgeSystemPrompt = [
  'You compare two answers to a question a user asked a documentation support bot.',
  'Prefer the answer that is correct and complete according to the reference answer and the sources, cites the sources it uses,',
  'and says it does not know when the sources do not answer the question. Ignore length and style otherwise.',
  'Reply with exactly one word: A, B, or TIE.',
].join(' ');

/** The judge sees the question, what the bot was given, the reference if any, and two anonymous answers. */
export function judgeMessages(input: {
  context: string;
  reference: string | null;
  answerA: string;
  answerB: string;
}): ChatMessage[] {
  const parts = [`What the bot was given:\n${input.context.slice(0, 12000)}`];
  if (input.reference)
    parts.push(`Reference answer (written or approved by the support team):\n${input.reference}`);
  parts.push(
    `Answer A:\n${input.answerA}`,
    `Answer B:\n${input.answerB}`,
    'Which answer is better? Reply A, B or TIE.',
  );
  return [
    { role: 'system', content: judgeSystemPrompt },
    { role: 'user', content: parts.join('\n\n') },
  ];
}

export function parseJudgeVerdict(text: string): 'A' | 'B' | 'tie' | null {
  const word = text
    .trim()
    .toUpperCase()
    .match(/^[*"'`\s]*(A|B|TIE)\b/);
  if (!word) return null;
  return word[1] === 'TIE' ? 'tie' : (word[1] as 'A' | 'B');
}
