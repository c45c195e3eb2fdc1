/**
 * Verified answers as a knowledge source beside folders, websites and git repositories: each usable verified
 * answer is a document of its own (`verified/<id>`, its question as the title, tagged `verified` and with the tags
 * of the pages it rests on); a retired or stale one is gone. The one ingest pipeline chunks, embeds and writes
 * them as it does any document.
 */
import type { ChunkStore } from '../ports/index.ts';
import type { KnowledgeSource, SourceItem } from '../knowledge/index.ts';

export const verifiedTag = 'verified';
const docPrefix = 'verified/';

/** What the source needs of a verified answer (verified-answers.ts holds the whole record). */
export interface VerifiedAnswerDocument {
  id: string;
  question: string;
  answer: string;
  sources: Array<{ chunkId: string }>;
  /** Active and not stale: given as an answer and found by search. */
  usable: boolean;
}

export function verifiedDocId(id: string): string {
  return `${docPrefix}${id}`;
}

/** The verified answer's id behind a document id, or undefined for any other document. */
export function verifiedIdOf(docId: string): string | undefined {
  return docId.startsWith(docPrefix) ? docId.slice(docPrefix.length) : undefined;
}

/** The passage as retrieval sees it: the answer without its markers, which mean nothing out of context. */
export function passageText(answer: string): string {
  return answer.replace(/\s*\[\d+\]/g, '').trim();
}

export function createVerifiedAnswerSource(options: {
  /** The verified answers to write (the usable ones) or withdraw (the others). */
  answers: () => Promise<VerifiedAnswerDocument[]>;
  /** True when `answers` is every verified answer, so a stored one not among them is gone too. */
  complete: boolean;
  /** Reads the passages an answer rests on, for their tags. */
  store: Pick<ChunkStore, 'getChunks'>;
}): KnowledgeSource {
  return {
    kind: 'verified',
    key: 'verified-answers',
    label: 'verified answers',
    owns: (docId) => verifiedIdOf(docId) !== undefined,
    async scan(context) {
      const answers = await options.answers();
      const listed = new Set(answers.map((answer) => verifiedDocId(answer.id)));
      async function* items(): AsyncGenerator<SourceItem> {
        for (const answer of answers) {
          const docId = verifiedDocId(answer.id);
          if (!answer.usable) {
            yield { kind: 'gone', docId, reason: 'the verified answer was retired or is stale' };
            continue;
          }
          const chunks = await options.store.getChunks(answer.sources.map((source) => source.chunkId));
          yield {
            kind: 'document',
            docId,
            source: docId,
            format: 'text/markdown',
            content: { markdown: passageText(answer.answer) },
            fallbackTitle: answer.question,
            tags: [...new Set([verifiedTag, ...chunks.flatMap((chunk) => chunk.tags)])],
          };
        }
        if (!options.complete) return;
        for (const docId of context.stored.keys())
          if (verifiedIdOf(docId) !== undefined && !listed.has(docId))
            yield { kind: 'gone', docId, reason: 'no such verified answer' };
      }
      return { items: items(), phase: 'read', total: () => answers.length, finalState: () => undefined };
    },
  };
}
