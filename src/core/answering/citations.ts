export interface ParsedCitations {
  /** The answer with markers that point at no source removed. */
  answer: string;
  /** Valid source numbers in order of first use. */
  citations: number[];
  /** Numbers the model cited that do not exist. */
  dropped: number[];
}

/** Matches `[1]`, `[1, 3]` and `[2-4]`. */
const markerPattern = /\[(\d+(?:\s*[-–,]\s*\d+)*)\]/g;

function expand(list: string): number[] {
  return list.split(',').flatMap((part) => {
    const [from, to] = part.split(/[-–]/).map((value) => Number.parseInt(value.trim(), 10));
    if (from === undefined || Number.isNaN(from)) return [];
    if (to === undefined || Number.isNaN(to) || to < from || to - from > 20) return [from];
    return Array.from({ length: to - from + 1 }, (_, offset) => from + offset);
  });
}

/** Keeps citations that point at one of `sourceCount` sources, drops the rest from the text. */
export function parseCitations(text: string, sourceCount: number): ParsedCitations {
  const citations: number[] = [];
  const dropped: number[] = [];
  const answer = text
    .replace(markerPattern, (_marker, list: string) => {
      const numbers = expand(list);
      const valid = numbers.filter((number) => number >= 1 && number <= sourceCount);
      for (const number of numbers) {
        if (valid.includes(number)) {
          if (!citations.includes(number)) citations.push(number);
        } else if (!dropped.includes(number)) dropped.push(number);
      }
      return valid.map((number) => `[${number}]`).join('');
    })
    .replace(/[ \t]+([.,;:!?])/g, '$1')
    .replace(/[ \t]{2,}/g, ' ')
    .trim();
  return { answer, citations, dropped };
}

/** Does the model say the sources do not answer the question? */
export function isRefusal(text: string): boolean {
  const start = text.trim().slice(0, 160).toLowerCase().replace(/[’`]/g, "'");
  return /^(i (do not|don't) know|i('m| am) not sure|i (cannot|can't|could not|couldn't) (find|answer)|the (provided )?sources (do not|don't))/.test(
    start,
  );
}
