import { createHash } from 'node:crypto';
import type { ChatMessage, ConversationRecord } from '../ports/index.ts';

/**
 * The messages of a training example: the prompt exactly as the model saw it at inference (system prompt,
 * user turn with the numbered sources), then the answer to learn. Training on the inference format is what
 * lets a fine-tuned model answer from retrieved context and cite it. A conversation without a stored prompt
 * (answered before prompts were recorded) falls back to its question alone, and says so.
 */
export function exampleMessagesFromConversation(
  conversation: Pick<ConversationRecord, 'promptMessages' | 'question' | 'standaloneQuestion'>,
  answer: string,
): { messages: ChatMessage[]; warnings: string[] } {
  const prompt = conversation.promptMessages.map(({ role, content }) => ({ role, content }));
  // A stored prompt never ends with an answer; if it does, that answer is not the one being taught.
  while (prompt.at(-1)?.role === 'assistant') prompt.pop();
  if (prompt.length === 0) {
    return {
      messages: [
        { role: 'user', content: conversation.standaloneQuestion || conversation.question },
        { role: 'assistant', content: answer },
      ],
      warnings: ['the conversation has no stored prompt, so the example holds the question without sources'],
    };
  }
  return { messages: [...prompt, { role: 'assistant', content: answer }], warnings: [] };
}

/** Documents behind the numbered sources: a change to one of them makes the example stale. */
export function sourceDocIdsOf(conversation: Pick<ConversationRecord, 'sources'>): string[] {
  return [...new Set(conversation.sources.map((source) => source.docId))];
}

/** One example per conversation and dataset, so approving twice updates the same example. */
export function exampleIdForConversation(dataset: string, conversationId: string): string {
  return `${dataset}:${conversationId}`;
}

/** A hand-written example's id follows from its content, so adding the same one twice is one example. */
export function exampleIdForManual(dataset: string, question: string, answer: string): string {
  const digest = createHash('sha256').update(`${question}\u0000${answer}`).digest('hex').slice(0, 16);
  return `${dataset}:manual-${digest}`;
}

/**
 * The user's question inside an example, for duplicate detection. The prompt's user turn carries the sources
 * too, and two examples sharing sources are not duplicates, so the question is taken from the text after a
 * final "Question:" label when there is one, else from the last paragraph of the last user turn.
 */
export function questionFromMessages(messages: ChatMessage[]): string {
  const userTurn = [...messages].reverse().find((message) => message.role === 'user')?.content ?? '';
  const labelled = userTurn.match(/(?:^|\n)\s*(?:question|user question)\s*:\s*([\s\S]*)$/i);
  if (labelled?.[1]) return labelled[1].trim();
  const paragraphs = userTurn
    .split(/\n\s*\n/)
    .map((paragraph) => paragraph.trim())
    .filter(Boolean);
  return paragraphs.at(-1) ?? '';
}

export function answerFromMessages(messages: ChatMessage[]): string {
  return messages.at(-1)?.role === 'assistant' ? (messages.at(-1)?.content ?? '') : '';
}
