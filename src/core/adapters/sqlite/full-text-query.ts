/**
 * Turning text into what FTS5 indexes and matches. Pure functions, shared by writes and queries so
 * both sides see the same tokens.
 */

/**
 * Chinese and Japanese write words without spaces, and FTS5's unicode61 tokenizer would take a whole
 * sentence as one token. Putting a space around each Han and Hiragana character indexes them one by one,
 * as Elasticsearch's standard tokenizer does, so a query for any word of the sentence matches.
 */
const ideograph = /([\p{Script=Han}\p{Script=Hiragana}])/gu;

export function separateIdeographs(text: string): string {
  return text.replace(ideograph, ' $1 ');
}

/** Words as unicode61 sees them: runs of letters, marks and digits. */
const word = /[\p{L}\p{M}\p{N}]+/gu;

/**
 * English words too common to help ranking: Lucene's English stop set (what Elasticsearch's english
 * analyzer drops) plus the question words and pronouns support questions are made of ("how do I ... my").
 * Each of those matches most chunks, which costs time and only adds noise to the ranking. Dropped from
 * queries only, and only when other words remain, so "to be or not to be" still searches.
 */
const stopWords = new Set([
  'a',
  'an',
  'and',
  'are',
  'as',
  'at',
  'be',
  'but',
  'by',
  'for',
  'if',
  'in',
  'into',
  'is',
  'it',
  'no',
  'not',
  'of',
  'on',
  'or',
  'such',
  'that',
  'the',
  'their',
  'then',
  'there',
  'these',
  'they',
  'this',
  'to',
  'was',
  'will',
  'with',
  'how',
  'what',
  'when',
  'where',
  'which',
  'who',
  'why',
  'do',
  'does',
  'did',
  'can',
  'could',
  'should',
  'would',
  'i',
  'me',
  'my',
  'we',
  'our',
  'you',
  'your',
  'he',
  'she',
  'its',
  'am',
  'have',
  'has',
  'there',
  'from',
  'about',
]);

/** A cap on query terms keeps a pasted page from turning into a very slow OR of hundreds of terms. */
const maxQueryTerms = 64;

/**
 * Builds an FTS5 MATCH expression from user text: each distinct word becomes a quoted string, joined
 * with OR, so no character of the text is ever read as query syntax (quotes, *, NEAR, column:...).
 * Returns undefined when the text holds no word at all: the caller skips the search.
 */
export function buildFullTextQuery(text: string): string | undefined {
  const words = separateIdeographs(text.toLowerCase()).match(word) ?? [];
  const distinct = [...new Set(words)];
  const meaningful = distinct.filter((term) => !stopWords.has(term));
  const terms = (meaningful.length > 0 ? meaningful : distinct).slice(0, maxQueryTerms);
  if (terms.length === 0) return undefined;
  // Words hold only letters, marks and digits, so no quote can appear inside one.
  return terms.map((term) => `"${term}"`).join(' OR ');
}
