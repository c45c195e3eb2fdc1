import { buildAnswerPrompt, type PromptSource } from '../answering/prompt.ts';
import type { ChatMessage, Chunk, ConversationRecord } from '../ports/index.ts';
import type { SearchResult } from '../retrieval/index.ts';

/** Where a passage is, written exactly as ask() writes it into the prompt. */
function locationOf(source: { source: string; headingPath: string[] }): string {
  return [source.source, ...source.headingPath].join(' › ');
}

/**
 * The inference prompt for a conversation that has none stored (a refusal below the relevance threshold never
 * reached the model), rebuilt from the passages it retrieved, so its example still teaches answering from sources.
 * Returns null when none of those passages is in the store any more.
 */
export function promptFromStoredSources(
  conversation: Pick<ConversationRecord, 'sources' | 'question' | 'standaloneQuestion'>,
  chunks: Chunk[],
  contextTokens: number,
): ChatMessage[] | null {
  const byId = new Map(chunks.map((chunk) => [chunk.id, chunk]));
  const sources: PromptSource[] = [];
  for (const used of [...conversation.sources].sort((left, right) => left.number - right.number)) {
    const chunk = byId.get(used.chunkId);
    if (chunk)
      sources.push({
        number: sources.length + 1,
        title: chunk.title,
        location: locationOf(chunk),
        text: chunk.text,
      });
  }
  if (sources.length === 0) return null;
  return buildAnswerPrompt(conversation.standaloneQuestion || conversation.question, sources, contextTokens)
    .messages;
}

/** The inference prompt for a new question: retrieval as ask() runs it, then the same prompt builder. */
export function promptFromSearch(
  question: string,
  result: SearchResult,
  contextTokens: number,
): { messages: ChatMessage[]; sourceDocIds: string[] } {
  const sources: PromptSource[] = result.hits.map((hit, index) => ({
    number: index + 1,
    title: hit.chunk.title,
    location: locationOf(hit.chunk),
    text: hit.chunk.text,
  }));
  const prompt = buildAnswerPrompt(question, sources, contextTokens);
  const included = prompt.included
    .map((number) => result.hits[number - 1]?.chunk.docId)
    .filter((docId): docId is string => Boolean(docId));
  return { messages: prompt.messages, sourceDocIds: [...new Set(included)] };
}
