import type { ChatMessage } from '../ports/index.ts';

/** openai: the chat fine-tuning format; sharegpt and alpaca: what open-source trainers (Axolotl, LLaMA-Factory...) read. */
export type ExportFormat = 'openai' | 'sharegpt' | 'alpaca';

export const exportFormats: readonly ExportFormat[] = ['openai', 'sharegpt', 'alpaca'];

/** `{"messages":[{"role":...,"content":...}]}`: exactly the messages, nothing else. */
export function toOpenAiChatLine(messages: ChatMessage[]): string {
  return JSON.stringify({ messages: messages.map(({ role, content }) => ({ role, content })) });
}

const shareGptSpeaker: Record<ChatMessage['role'], string> = {
  system: 'system',
  user: 'human',
  assistant: 'gpt',
};

/** `{"conversations":[{"from":"system|human|gpt","value":...}]}`. */
export function toShareGptLine(messages: ChatMessage[]): string {
  return JSON.stringify({
    conversations: messages.map(({ role, content }) => ({ from: shareGptSpeaker[role], value: content })),
  });
}

/**
 * `{"instruction","input","output"}`: the system prompt is the instruction, the user turn (the numbered
 * sources and the question) the input, the final assistant turn the output. Earlier turns of a longer
 * chat are written into the input with speaker labels, since the format has one input only.
 */
export function toAlpacaLine(messages: ChatMessage[]): string {
  const output = messages.at(-1)?.role === 'assistant' ? (messages.at(-1)?.content ?? '') : '';
  const body = output === '' ? messages : messages.slice(0, -1);
  const instruction = body
    .filter((message) => message.role === 'system')
    .map((message) => message.content)
    .join('\n\n');
  const turns = body.filter((message) => message.role !== 'system');
  const input =
    turns.length === 1
      ? (turns[0]?.content ?? '')
      : turns
          .map((message) => `${message.role === 'user' ? 'User' : 'Assistant'}: ${message.content}`)
          .join('\n\n');
  return JSON.stringify({ instruction, input, output });
}

const lineWriters: Record<ExportFormat, (messages: ChatMessage[]) => string> = {
  openai: toOpenAiChatLine,
  sharegpt: toShareGptLine,
  alpaca: toAlpacaLine,
};

/** One line per example, each ending in a newline ('' for no examples). */
export function exportJsonl(examples: Array<{ messages: ChatMessage[] }>, format: ExportFormat): string {
  const write = lineWriters[format];
  return examples.map((example) => `${write(example.messages)}\n`).join('');
}
