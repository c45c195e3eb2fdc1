import type { estypes } from '@elastic/elasticsearch';
import type { ConversationQuery, ConversationRecord, ConversationStore } from '../../ports/index.ts';
import { createRecordIndex } from './record-index.ts';
import type { StoreContext } from './store-context.ts';

type FeedbackState = 'helpful' | 'not_helpful' | 'none';

export function feedbackState(record: ConversationRecord): FeedbackState {
  if (record.feedback?.helpful === true) return 'helpful';
  if (record.feedback?.helpful === false) return 'not_helpful';
  return 'none';
}

/** The review queue shows what went wrong first: not helpful, then unrated, then helpful. */
const reviewRank: Record<FeedbackState, number> = { not_helpful: 0, none: 1, helpful: 2 };

const orders: Record<NonNullable<ConversationQuery['order']>, estypes.SortCombinations[]> = {
  review: [{ review_rank: 'asc' }, { created_at: 'desc' }, { record_id: 'desc' }],
  newest: [{ created_at: 'desc' }, { record_id: 'desc' }],
  oldest: [{ created_at: 'asc' }, { record_id: 'asc' }],
};

/** Every ConversationQuery field as a filter clause; an absent field does not filter. */
export function conversationFilters(query: ConversationQuery): estypes.QueryDslQueryContainer[] {
  const filter: estypes.QueryDslQueryContainer[] = [];
  // 'any' means a verdict either way; 'none' covers no feedback and a comment without a verdict.
  if (query.feedback === 'any') filter.push({ terms: { feedback: ['helpful', 'not_helpful'] } });
  else if (query.feedback) filter.push({ term: { feedback: query.feedback } });
  if (query.reviewStatus && query.reviewStatus.length > 0)
    filter.push({ terms: { review_status: query.reviewStatus } });
  if (query.platform !== undefined) filter.push({ term: { platform: query.platform } });
  if (query.channel !== undefined) filter.push({ term: { channel: query.channel } });
  if (query.thread !== undefined) filter.push({ term: { thread: query.thread } });
  if (query.refused !== undefined) filter.push({ term: { refused: query.refused } });
  // Records written before the field existed have none: they count as not silent.
  if (query.silent === true) filter.push({ term: { silent: true } });
  if (query.silent === false) filter.push({ bool: { must_not: { term: { silent: true } } } });
  if (query.stale !== undefined) filter.push({ term: { stale: query.stale } });
  if (query.citedDocId !== undefined) filter.push({ term: { cited_doc_ids: query.citedDocId } });
  if (query.minConfidence !== undefined || query.maxConfidence !== undefined) {
    filter.push({ range: { confidence: { gte: query.minConfidence, lte: query.maxConfidence } } });
  }
  if (query.since !== undefined || query.until !== undefined) {
    filter.push({ range: { created_at: { gte: query.since, lte: query.until } } });
  }
  return filter;
}

export function createConversationRecords(context: StoreContext): ConversationStore {
  const conversations = createRecordIndex<ConversationRecord>(context, 'conversations', {
    idOf: (record) => record.id,
    fieldsOf: (record) => {
      const feedback = feedbackState(record);
      return {
        platform: record.platform,
        channel: record.channel,
        thread: record.thread,
        feedback,
        review_rank: reviewRank[feedback],
        review_status: record.reviewStatus,
        refused: record.refused,
        silent: record.silent === true,
        confidence: record.confidence,
        stale: record.stale,
        cited_doc_ids: [...new Set(record.sources.map((source) => source.docId))],
        created_at: record.createdAt,
      };
    },
  });

  return {
    saveConversation: (record) => conversations.put(record),
    getConversation: (id) => conversations.get(id),
    listConversations: (query) =>
      conversations.search({
        filter: conversationFilters(query),
        sort: orders[query.order ?? 'newest'],
        offset: query.offset,
        limit: query.limit,
      }),
  };
}
