/** Common English words that carry no topic: BM25 analyzers drop or barely weigh them, and so do our heuristics. */
export const fillerWords: ReadonlySet<string> = new Set(
  'a about an and are as at be but by can could do does for from had has have how i if in into is it its me my no not of on or our should so than that the their then there these they this to was we were what when where which who why will with would you your'.split(
    ' ',
  ),
);
