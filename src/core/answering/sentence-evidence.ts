/**
 * The sentence vectors of the passages a question retrieved. Ingestion stores them with each passage, so answering
 * embeds only the question: the answerability score and the offline answer read them here. A passage stored before
 * sentence vectors were kept has none: its sentences are embedded now (one batch), and the operator is told once
 * that ingesting again makes the cost go away (`answerloop doctor` says it too).
 */
import { toAnswerloopError } from '../errors/index.ts';
import { passageSentences } from '../knowledge/passage-sentences.ts';
import type { Chunk, Logger, StoredSentence } from '../ports/index.ts';
import type { SearchHit } from '../retrieval/index.ts';

export interface SentenceEvidence {
  /** The sentences of each passage, by chunk id. */
  byChunk: ReadonlyMap<string, StoredSentence[]>;
  /** Every sentence's vector by its text: what the offline answer looks its candidates up in. */
  vectors: ReadonlyMap<string, number[]>;
  /** Passages whose sentences had no stored vectors and were embedded for this question. */
  embeddedNow: number;
}

export interface SentenceEvidenceDependencies {
  getChunks: (ids: string[]) => Promise<Chunk[]>;
  /** Embeds sentences of passages stored without their vectors; without it those passages have no evidence. */
  embed?: (texts: string[]) => Promise<number[][]>;
  logger: Logger;
}

export type SentenceEvidenceLoader = (hits: readonly SearchHit[]) => Promise<SentenceEvidence>;

export function createSentenceEvidenceLoader(
  dependencies: SentenceEvidenceDependencies,
): SentenceEvidenceLoader {
  let warned = false;
  return async (hits) => {
    const byChunk = new Map<string, StoredSentence[]>();
    const ids = hits.map((hit) => hit.chunk.id);
    const stored = ids.length === 0 ? [] : await dependencies.getChunks(ids);
    const storedById = new Map(stored.map((chunk) => [chunk.id, chunk]));
    const missing: Array<{ id: string; texts: string[] }> = [];
    for (const hit of hits) {
      const sentences = storedById.get(hit.chunk.id)?.sentences ?? hit.chunk.sentences;
      if (sentences) byChunk.set(hit.chunk.id, sentences);
      else missing.push({ id: hit.chunk.id, texts: passageSentences(hit.chunk.text) });
    }
    if (missing.length > 0 && dependencies.embed) {
      if (!warned) {
        warned = true;
        dependencies.logger.warn(
          { passages: missing.length },
          'passages stored before sentence vectors were kept: their sentences are embedded at question time, ' +
            'which slows every answer; run `answerloop ingest` on your sources again (or `answerloop sync`) once',
        );
      }
      const texts = missing.flatMap((passage) => passage.texts);
      try {
        const vectors = texts.length === 0 ? [] : await dependencies.embed(texts);
        let offset = 0;
        for (const passage of missing)
          byChunk.set(
            passage.id,
            passage.texts.map((text) => ({ text, vector: vectors[offset++]! })),
          );
      } catch (error) {
        dependencies.logger.warn(
          { err: toAnswerloopError(error) },
          'could not embed the sentences of passages stored without them; answering without their evidence',
        );
      }
    }
    const vectors = new Map<string, number[]>();
    for (const sentences of byChunk.values())
      for (const sentence of sentences)
        if (!vectors.has(sentence.text)) vectors.set(sentence.text, sentence.vector);
    return { byChunk, vectors, embeddedNow: missing.length };
  };
}
