import type { ConversationRecord, SourceUsed } from '../ports/index.ts';

/** Below this cosine the best passage is rarely about the question (all-MiniLM-class models). */
const weakCosine = 0.3;

export interface DiagnosisHint {
  /** What the evidence suggests went wrong; the operator decides. */
  suggested: 'retrieval' | 'generation' | 'unknown';
  reasons: string[];
  /** The sources given to the model with their scores, best first, as the review screen shows them. */
  sources: Array<
    Pick<
      SourceUsed,
      'number' | 'source' | 'title' | 'score' | 'bm25Score' | 'vectorScore' | 'bm25Rank' | 'vectorRank'
    >
  >;
}

function matchesExpected(source: Pick<SourceUsed, 'docId' | 'source'>, expected: string): boolean {
  const want = expected.replace(/^\.\//, '').replace(/#.*$/, '');
  return (
    source.docId === want ||
    source.source === want ||
    source.source.endsWith(`/${want}`) ||
    source.docId.endsWith(`/${want}`)
  );
}

/** A hint for the operator: did retrieval miss the right page, or did the model misuse good sources? */
export function diagnosisHint(
  conversation: Pick<
    ConversationRecord,
    'sources' | 'refused' | 'expectedSources' | 'feedback' | 'confidence'
  >,
): DiagnosisHint {
  const sources = [...conversation.sources]
    .sort((left, right) => right.score - left.score)
    .map(({ number, source, title, score, bm25Score, vectorScore, bm25Rank, vectorRank }) => ({
      number,
      source,
      title,
      score,
      bm25Score,
      vectorScore,
      bm25Rank,
      vectorRank,
    }));
  const reasons: string[] = [];
  if (conversation.sources.length === 0) {
    return { suggested: 'retrieval', reasons: ['no passage was retrieved for this question'], sources };
  }
  if (conversation.expectedSources.length > 0) {
    const missing = conversation.expectedSources.filter(
      (expected) => !conversation.sources.some((source) => matchesExpected(source, expected)),
    );
    if (missing.length === conversation.expectedSources.length) {
      return {
        suggested: 'retrieval',
        reasons: [`none of the expected sources was among the ones given: ${missing.join(', ')}`],
        sources,
      };
    }
    reasons.push('an expected source was among the ones given to the model');
  }
  const bestCosine = Math.max(
    ...conversation.sources.map((source) => source.vectorScore ?? Number.NEGATIVE_INFINITY),
  );
  const bestBm25 = Math.max(
    ...conversation.sources.map((source) => source.bm25Score ?? Number.NEGATIVE_INFINITY),
  );
  const describe = `best cosine ${Number.isFinite(bestCosine) ? bestCosine.toFixed(2) : 'n/a'}, best BM25 ${Number.isFinite(bestBm25) ? bestBm25.toFixed(2) : 'n/a'}, confidence ${conversation.confidence.toFixed(2)}`;
  if (Number.isFinite(bestCosine) && bestCosine < weakCosine && reasons.length === 0) {
    return { suggested: 'retrieval', reasons: [`the passages were weak matches (${describe})`], sources };
  }
  if (conversation.refused && reasons.length === 0) {
    return {
      suggested: 'retrieval',
      reasons: [`the bot refused for lack of evidence (${describe})`],
      sources,
    };
  }
  if (conversation.feedback?.helpful === false || reasons.length > 0) {
    return {
      suggested: 'generation',
      reasons: [
        ...reasons,
        `the passages looked relevant (${describe}), so the answer is the likelier fault`,
      ],
      sources,
    };
  }
  return { suggested: 'unknown', reasons: [describe], sources };
}

/** A line of the retrieval QA set: a question and the documents that answer it. */
export interface RetrievalQaCase {
  question: string;
  relevant: string[];
  conversationId: string;
}

export function retrievalQaCase(conversation: ConversationRecord): RetrievalQaCase | null {
  if (conversation.expectedSources.length === 0) return null;
  return {
    question: conversation.standaloneQuestion || conversation.question,
    relevant: [...conversation.expectedSources],
    conversationId: conversation.id,
  };
}

/** JSONL of `{"question": ..., "relevant": [...]}` lines, the format `answerloop eval retrieval` reads. */
export function retrievalQaJsonl(cases: RetrievalQaCase[]): string {
  return cases.map(({ question, relevant }) => `${JSON.stringify({ question, relevant })}\n`).join('');
}
