import { render } from 'ink-testing-library';
import { describe, expect, it } from 'vitest';
import { ConversationDetail } from '../../src/admin-tui/screens/review/components/conversation-detail.tsx';
import { conversationRecord, silentRecord } from '../support/conversation-fixtures.ts';

describe('the review detail of one conversation', () => {
  it('says the bot said nothing when it stayed silent on a question nobody asked it', () => {
    const silent = silentRecord({
      id: 'silent-1',
      question: 'Does anyone know if exports include archived projects?',
      overrides: { confidence: 0.31 },
    });
    const frame = render(
      <ConversationDetail conversation={silent} detail={null} height={16} width={100} />,
    ).lastFrame()!;
    expect(frame).toContain('· silent · confidence 0.31');
    expect(frame).toContain('None: nobody asked the bot here and it was not sure enough to answer');
  });

  it('shows an answer as it was given', () => {
    const answered = conversationRecord({
      id: 'answered-1',
      question: 'How do I reset my password?',
      answer: 'Open Settings, then Security [1].',
      createdAt: '2026-12-01T09:00:00.000Z',
    });
    const frame = render(
      <ConversationDetail conversation={answered} detail={null} height={16} width={100} />,
    ).lastFrame()!;
    expect(frame).toContain('· retrieve · confidence');
    expect(frame).toContain('Open Settings, then Security [1].');
    expect(frame).not.toContain('nobody asked');
  });
});
