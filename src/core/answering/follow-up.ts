import type { ChatMessage } from '../ports/index.ts';
import type { ThreadTurn } from './types.ts';

/** Words that suggest the question leans on the earlier conversation. */
const referringWords =
  /\b(it|its|that|this|those|these|they|them|there|same|also|else|instead|more|another|again|one)\b/i;

/**
 * Without a chat model: a follow-up that is short or refers back ("what about on Windows?", "does it work
 * there too?") is joined with the last user question, so retrieval sees the topic; others stand alone.
 */
export function condenseWithoutModel(history: ThreadTurn[], question: string): string {
  const lastUserTurn = [...history].reverse().find((turn) => turn.role === 'user');
  if (!lastUserTurn) return question;
  const words = question.split(/\s+/).filter(Boolean).length;
  if (words <= 6 || referringWords.test(question)) return `${lastUserTurn.text} ${question}`;
  return question;
}

/** Messages asking a chat model to rewrite a follow-up as a standalone question. */
export function condensePrompt(history: ThreadTurn[], question: string): ChatMessage[] {
  const transcript = history
    .map((turn) => `${turn.role === 'user' ? 'User' : 'Assistant'}: ${turn.text}`)
    .join('\n');
  return [
    {
      role: 'system',
      content:
        'Rewrite the last user message as one standalone question that can be understood without the conversation. ' +
        'Keep product names and specifics. Reply with the question only.',
    },
    { role: 'user', content: `Conversation:\n${transcript}\n\nLast user message: ${question}` },
  ];
}
