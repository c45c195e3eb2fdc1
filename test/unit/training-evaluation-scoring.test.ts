import { describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../../src/core/math/vector-math.ts';
import {
  answerRefuses,
  citationValidity,
  compareScores,
  judgeMessages,
  meanScores,
  parseJudgeVerdict,
  scoreAnswer,
  sourceCountOfPrompt,
  winRate,
} from '../../src/core/training/index.ts';
import { buildAnswerPrompt } from '../../src/core/answering/prompt.ts';

const handoff = 'A teammate from support will follow up.';

describe('evaluation scores', () => {
  it('computes cosine similarity', () => {
    expect(cosineSimilarity([1, 0], [1, 0])).toBe(1);
    expect(cosineSimilarity([1, 0], [0, 1])).toBe(0);
    expect(cosineSimilarity([1, 1], [2, 2])).toBeCloseTo(1);
    expect(cosineSimilarity([0, 0], [1, 0])).toBe(0);
  });

  it('counts the numbered sources of a real prompt', () => {
    const prompt = buildAnswerPrompt(
      'q?',
      [1, 2, 3].map((number) => ({
        number,
        title: `t${number}`,
        location: `l${number}`,
        text: `text ${number}`,
      })),
      3000,
    );
    expect(sourceCountOfPrompt(prompt.messages)).toBe(3);
    expect(sourceCountOfPrompt([{ role: 'user', content: 'just a question' }])).toBe(0);
  });

  it('scores citation validity as the share of citations that exist', () => {
    expect(citationValidity('Reset it [1][2].', 2)).toBe(1);
    expect(citationValidity('Reset it [1] and [4].', 2)).toBe(0.5);
    expect(citationValidity('No citations at all.', 2)).toBe(1);
    expect(citationValidity('Made up [1].', 0)).toBe(0);
  });

  it("recognises refusals in the model's words and the hand-off", () => {
    expect(answerRefuses("I don't know.", handoff)).toBe(true);
    expect(answerRefuses(`Sorry. ${handoff}`, handoff)).toBe(true);
    expect(answerRefuses('Open Settings [1].', handoff)).toBe(false);
  });

  it('scores refusals as correct only when the reference agrees', () => {
    const refusing = scoreAnswer({
      answer: "I don't know.",
      sourceCount: 1,
      handoff,
      reference: { refused: true, similarity: 0.9 },
    });
    expect(refusing).toEqual({ similarity: 0.9, citationValidity: 1, refused: true, refusalCorrect: true });
    const wrongRefusal = scoreAnswer({
      answer: "I don't know.",
      sourceCount: 1,
      handoff,
      reference: { refused: false, similarity: 0.1 },
    });
    expect(wrongRefusal.refusalCorrect).toBe(false);
    expect(scoreAnswer({ answer: 'x', sourceCount: 1, handoff, reference: null })).toMatchObject({
      similarity: null,
      refusalCorrect: null,
    });
  });

  it('declares a winner by the composite score, with a tie margin', () => {
    const good = { similarity: 0.9, citationValidity: 1, refused: false, refusalCorrect: true };
    const bad = { similarity: 0.4, citationValidity: 0.5, refused: false, refusalCorrect: true };
    expect(compareScores(good, bad)).toBe('candidate');
    expect(compareScores(bad, good)).toBe('baseline');
    expect(compareScores(good, { ...good, similarity: 0.895 })).toBe('tie');
  });

  it('counts ties as half a win', () => {
    expect(winRate(['candidate', 'baseline', 'tie', 'tie'])).toBe(0.5);
    expect(winRate(['candidate', 'candidate', 'tie', 'baseline'])).toBe(0.625);
    expect(winRate([])).toBe(0.5);
  });

  it('averages scores over the rows that have them', () => {
    const means = meanScores([
      { similarity: 0.8, citationValidity: 1, refused: false, refusalCorrect: true },
      { similarity: null, citationValidity: 0.5, refused: true, refusalCorrect: null },
    ]);
    expect(means).toEqual({ similarity: 0.8, citationValidity: 0.75, refusalAccuracy: 1 });
  });

  it("reads the judge's verdict and gives it both answers and the reference", () => {
    expect(parseJudgeVerdict('A')).toBe('A');
    expect(parseJudgeVerdict(' **B** because...')).toBe('B');
    expect(parseJudgeVerdict('tie')).toBe('tie');
    expect(parseJudgeVerdict('Both are fine')).toBeNull();
    const messages = judgeMessages({
      context: 'Sources...',
      reference: 'REF',
      answerA: 'AAA',
      answerB: 'BBB',
    });
    expect(messages[1]?.content).toMatch(/REF[\s\S]*Answer A:\nAAA[\s\S]*Answer B:\nBBB/);
  });
});
