import { describe, expect, it } from 'vitest';
import {
  buildSufficiencyPrompt,
  checkSufficiency,
  combineVerdict,
  parseSufficiencyReply,
  sufficiencyGate,
  sufficiencyJudge,
  sufficiencySchemas,
} from '../../src/core/answering/sufficiency.ts';
import { AnswerloopError, type ChatModel, type DecisionRequest, silentLogger } from '../../src/core/index.ts';
import { createRecordingChatModel } from '../fakes/recording-chat-model.ts';

const band = { low: 0.05, high: 0.85 };

describe('the grey band of the sufficiency check', () => {
  it('refuses below low, asks from low to high, answers above high', () => {
    expect(sufficiencyGate(0, band)).toBe('below');
    expect(sufficiencyGate(0.049, band)).toBe('below');
    expect(sufficiencyGate(0.05, band)).toBe('grey');
    expect(sufficiencyGate(0.5, band)).toBe('grey');
    expect(sufficiencyGate(0.85, band)).toBe('grey');
    expect(sufficiencyGate(0.851, band)).toBe('above');
    expect(sufficiencyGate(1, band)).toBe('above');
  });

  it('0 to 1 asks about every question', () => {
    expect(sufficiencyGate(0, { low: 0, high: 1 })).toBe('grey');
    expect(sufficiencyGate(1, { low: 0, high: 1 })).toBe('grey');
  });

  it("follows the model's verdict in the band and the score outside it", () => {
    expect(combineVerdict(0.01, { gate: 'below', sufficient: null }, 0.24)).toBe('refuse');
    expect(combineVerdict(0.9, { gate: 'above', sufficient: null }, 0.24)).toBe('answer');
    expect(combineVerdict(0.6, { gate: 'grey', sufficient: false }, 0.24)).toBe('refuse');
    expect(combineVerdict(0.1, { gate: 'grey', sufficient: true }, 0.24)).toBe('answer');
  });

  it('falls back to the refusal threshold when the check failed', () => {
    expect(combineVerdict(0.3, { gate: 'grey', sufficient: null }, 0.24)).toBe('answer');
    expect(combineVerdict(0.2, { gate: 'grey', sufficient: null }, 0.24)).toBe('refuse');
  });
});

describe('reading the verdict', () => {
  it('reads the JSON object, also inside prose or a code fence', () => {
    expect(parseSufficiencyReply('{"answerable": true, "reason": "Passage 1 lists the steps."}')).toEqual({
      sufficient: true,
      reason: 'Passage 1 lists the steps.',
    });
    expect(
      parseSufficiencyReply('```json\n{"answerable": false, "reason": "No word on PayPal."}\n```'),
    ).toEqual({ sufficient: false, reason: 'No word on PayPal.' });
  });

  it('reads a reply cut off in the middle of its reason', () => {
    expect(parseSufficiencyReply('{"answerable": false, "reason": "The passages only talk ab')).toEqual({
      sufficient: false,
      reason: 'The passages only talk ab',
    });
  });

  it('reads the quote-first form: the quoted sentence becomes the reason, "none" says none answers', () => {
    expect(parseSufficiencyReply('{"evidence": "Click Reset to get a link.", "answerable": true}')).toEqual({
      sufficient: true,
      reason: 'evidence: "Click Reset to get a link."',
    });
    expect(parseSufficiencyReply('{"evidence": "none", "answerable": false}')).toEqual({
      sufficient: false,
      reason: 'no sentence of the passages answers it',
    });
    // Cut off after the verdict, in prose: the first verdict still counts.
    expect(parseSufficiencyReply('Sure: {"evidence": "We accept cards.", "answerable": false, "x')).toEqual({
      sufficient: false,
      reason: 'evidence: "We accept cards."',
    });
  });

  it('reads a plain yes or no, and gives null for anything else', () => {
    expect(parseSufficiencyReply('YES.')).toEqual({ sufficient: true, reason: '' });
    expect(parseSufficiencyReply('no')).toEqual({ sufficient: false, reason: '' });
    expect(parseSufficiencyReply('The passages describe backups.')).toBeNull();
    expect(parseSufficiencyReply('{"answerable": "maybe"}')).toBeNull();
  });
});

describe('the sufficiency prompt', () => {
  it('gives the best passages only, within the token budget, and the question last', () => {
    const long = 'Backups run nightly. '.repeat(400);
    const messages = buildSufficiencyPrompt(
      'Can I pay with PayPal?',
      [
        { title: 'Backups', text: long },
        { title: 'Billing', text: 'We accept cards.' },
        { title: 'Plans', text: 'Three plans.' },
        { title: 'Unseen', text: 'Never shown.' },
      ],
      { passages: 3, contextTokens: 300 },
    );
    expect(messages[0]?.role).toBe('system');
    const user = messages[1]?.content ?? '';
    expect(user).toContain('[1] Backups');
    expect(user).toContain('[3] Plans\nThree plans.');
    expect(user).not.toContain('Unseen');
    expect(user.length).toBeLessThan(long.length / 5);
    expect(user.endsWith('Question: Can I pay with PayPal?')).toBe(true);
  });

  it('shows each passage under its title and headings, and asks for the quote before the verdict', () => {
    const passages = [
      { title: 'Billing', headingPath: ['Billing', 'Payment methods'], text: 'We accept cards.' },
      { title: 'Plans', headingPath: [], text: 'Three plans.' },
    ];
    const [system, user] = buildSufficiencyPrompt(
      'Can I pay with PayPal?',
      passages,
      { passages: 3, contextTokens: 300 },
      'quote',
    );
    expect(user?.content).toContain('[1] Billing > Payment methods\nWe accept cards.');
    expect(user?.content).toContain('[2] Plans\nThree plans.');
    expect(user?.content.startsWith('Question: Can I pay with PayPal?')).toBe(true);
    expect(system?.content).toMatch(/"evidence".*"answerable"/);
    expect(Object.keys(sufficiencySchemas.quote.properties)).toEqual(['evidence', 'answerable']);
  });

  it('has a verdict-first prompt that shows the titles', () => {
    const [system, user] = buildSufficiencyPrompt(
      'Can I pay with PayPal?',
      [{ title: 'Billing', headingPath: ['Payment methods'], text: 'We accept cards.' }],
      { passages: 3, contextTokens: 300 },
      'verdict',
    );
    expect(user?.content).toBe(
      'Passages:\n[1] Billing\nWe accept cards.\n\nQuestion: Can I pay with PayPal?',
    );
    expect(system?.content).toMatch(/answerable is true only when/);
  });
});

describe('choosing the judge', () => {
  const model: ChatModel = { complete: () => Promise.reject(new Error('unused')) };
  const judge = () => ({ model, name: 'gpt-4o-mini-2024-07-18' });

  it('is the answering model when a model answers, none offline or when off', () => {
    expect(sufficiencyJudge('auto', 'openai', judge)?.()).toEqual({
      model,
      name: 'gpt-4o-mini-2024-07-18',
    });
    expect(sufficiencyJudge('auto', 'offline', judge)).toBeUndefined();
    expect(sufficiencyJudge('off', 'openai', judge)).toBeUndefined();
  });

  it('says how to get a model when the check is on but answers are offline', () => {
    expect(() => sufficiencyJudge('on', 'offline', judge)).toThrow(AnswerloopError);
    expect(() => sufficiencyJudge('on', 'offline', judge)).toThrow(/model:fetch -- --llm/);
  });
});

describe('asking the judge', () => {
  const settings = {
    enabled: 'on' as const,
    low: 0.05,
    high: 0.85,
    passages: 3,
    contextTokens: 1000,
    judge: 'verdict' as const,
    yesAbove: 0.6,
  };
  const passages = [{ title: 'Plans', text: 'Three plans: free, team and business.' }];

  it('sends the question and passages as structured output and returns the verdict', async () => {
    const model = createRecordingChatModel('{"answerable": true, "reason": "the plans page lists them"}');
    const verdict = await checkSufficiency(
      { model, name: 'judge-model' },
      'Which plans are there?',
      passages,
      settings,
      silentLogger,
    );
    expect(verdict).toMatchObject({
      sufficient: true,
      reason: 'the plans page lists them',
      model: 'judge-model',
    });
    expect(model.requests).toHaveLength(1);
    expect(model.requests[0]).toMatchObject({ model: 'judge-model', temperature: 0 });
    expect(model.requests[0]?.responseFormat?.name).toBe('sufficiency');
    expect(model.requests[0]?.responseFormat?.schema).toEqual(sufficiencySchemas.verdict);
    expect(model.requests[0]?.messages.at(-1)?.content).toContain('Which plans are there?');
  });

  it('never throws: a failing model leaves the decision to the score', async () => {
    const model = createRecordingChatModel(new AnswerloopError('timeout', 'the model did not answer'));
    const verdict = await checkSufficiency(
      { model, name: 'judge-model' },
      'Which plans are there?',
      passages,
      settings,
      silentLogger,
    );
    expect(verdict.sufficient).toBeNull();
    expect(model.requests).toHaveLength(1);
  });

  /** A model that gives probabilities: each decision's is given, or it fails. */
  function decidingModel(probability: number | Error) {
    const decisions: DecisionRequest[] = [];
    const written = createRecordingChatModel('{"answerable": true, "reason": "written"}');
    const model: ChatModel = {
      complete: (request) => written.complete(request),
      decide(request) {
        decisions.push(request);
        if (probability instanceof Error) return Promise.reject(probability);
        return Promise.resolve({
          probability,
          model: 'judge-model-v2',
          usage: { promptTokens: 10, completionTokens: 0, totalTokens: 10 },
          modelMs: 1,
        });
      },
    };
    return { model, decisions, written };
  }

  it("decision: reads the model's probability of yes for the verdict prompt and holds it to yesAbove", async () => {
    const decision = { ...settings, judge: 'decision' as const };
    for (const [probability, sufficient] of [
      [0.59, false],
      [0.6, true],
      [0.93, true],
    ] as const) {
      const { model, decisions, written } = decidingModel(probability);
      const verdict = await checkSufficiency(
        { model, name: 'judge-model' },
        'Which plans are there?',
        passages,
        decision,
        silentLogger,
      );
      expect(verdict).toMatchObject({ sufficient, probability, model: 'judge-model-v2' });
      expect(verdict.reason).toContain(probability.toFixed(2));
      expect(written.requests).toHaveLength(0);
      expect(decisions).toHaveLength(1);
      expect(decisions[0]).toMatchObject({ model: 'judge-model', field: 'answerable' });
      expect(decisions[0]?.messages).toEqual(
        buildSufficiencyPrompt('Which plans are there?', passages, decision, 'verdict'),
      );
    }
  });

  it('decision: a model that gives no probabilities writes its verdict; a failed decision leaves it to the score', async () => {
    const writes = createRecordingChatModel('{"answerable": false, "reason": "not in the passages"}');
    const verdict = await checkSufficiency(
      { model: writes, name: 'judge-model' },
      'Which plans are there?',
      passages,
      { ...settings, judge: 'decision' },
      silentLogger,
    );
    expect(verdict).toMatchObject({ sufficient: false, reason: 'not in the passages' });
    expect(verdict.probability).toBeUndefined();
    expect(writes.requests[0]?.responseFormat?.name).toBe('sufficiency');

    const { model } = decidingModel(new AnswerloopError('upstream_failed', 'no log probabilities'));
    const failed = await checkSufficiency(
      { model, name: 'judge-model' },
      'Which plans are there?',
      passages,
      { ...settings, judge: 'decision' },
      silentLogger,
    );
    expect(failed.sufficient).toBeNull();
    expect(failed.reason).toMatch(/the check failed \(upstream_failed\)/);
  });
});
