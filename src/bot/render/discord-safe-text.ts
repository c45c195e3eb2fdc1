/**
 * Text that people typed and the bot shows back (a question as an embed title, a thread name) is made
 * safe first. Discord renders what it is given: a bidirectional override can make a title read backwards
 * or hide a link's real target, control characters garble layouts, and `@everyone` or `<@&role>` would
 * look like a ping even where it cannot ping. `allowedMentions` (empty on every message the bot sends)
 * keeps mentions from pinging; this keeps them from being shown raw.
 */

/**
 * C0 and C1 control characters (tab and line breaks included: callers that keep lines split first),
 * the bidirectional embeddings, overrides and isolates, the marks that change direction, and the
 * invisible characters that let text hide what it says.
 */
// Matching control characters is the point here.
const unsafeCharacters =
  // eslint-disable-next-line no-control-regex
  /[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]/g;

/** A zero-width space, as Discord's own clients use to break a mention: `@\u200beveryone` shows as `@everyone` but means nothing. */
const mentionBreak = '\u200b';

/** Removes the characters above, turning line breaks and tabs into spaces so words stay apart. */
export function stripUnsafeCharacters(text: string): string {
  return text.replace(/[\t\n\v\f\r\u0085\u2028\u2029]+/g, ' ').replace(unsafeCharacters, '');
}

/**
 * `@everyone`, `@here` and Discord's mention syntax (`<@id>`, `<@!id>`, `<@&role>`, `<#channel>`) shown
 * as text that can neither ping nor be taken for a ping.
 */
export function neutralizeMentions(text: string): string {
  return text
    .replace(/@(everyone|here)\b/gi, `@${mentionBreak}$1`)
    .replace(/<(@[!&]?|#)(\d{5,25})>/g, (_, sigil: string, id: string) => `<${sigil}${mentionBreak}${id}>`);
}

/** One line of user text fit to show back: unsafe characters removed, mentions broken, spaces collapsed. */
export function safeUserLine(text: string): string {
  return neutralizeMentions(stripUnsafeCharacters(text)).replace(/ {2,}/g, ' ').trim();
}
