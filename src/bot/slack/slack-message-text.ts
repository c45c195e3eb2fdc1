/** Reading what people write in Slack: mentions, links and entities in the message text. */

/** Slack's entity escapes, undone. */
function unescapeEntities(text: string): string {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

export function mentionsUser(text: string | undefined, userId: string | undefined): boolean {
  return Boolean(text && userId && text.includes(`<@${userId}`));
}

/**
 * Slack markup to plain Markdown: `<url|label>` becomes `[label](url)`, `<#C1|general>` `#general`,
 * `<!here>` `@here`, and the entities are decoded. Other users' mentions stay as `<@U…>`.
 */
export function slackTextToMarkdown(text: string): string {
  return unescapeEntities(
    text
      .replace(/<((?:https?|mailto):[^|>]+)\|([^>]+)>/g, '[$2]($1)')
      .replace(/<((?:https?|mailto):[^|>]+)>/g, '$1')
      .replace(/<#[A-Z0-9]+\|([^>]+)>/g, '#$1')
      .replace(/<!(here|channel|everyone)(?:\|[^>]*)?>/g, '@$1')
      .replace(/<!subteam\^[A-Z0-9]+\|([^>]+)>/g, '$1'),
  ).trim();
}

/** The question in a message: the bot's own mention removed, the markup made plain. */
export function questionFromMessage(text: string | undefined, botUserId: string | undefined): string {
  const withoutMention = botUserId
    ? (text ?? '').replace(new RegExp(`<@${botUserId}(?:\\|[^>]*)?>`, 'g'), ' ')
    : (text ?? '');
  return slackTextToMarkdown(withoutMention)
    .replace(/[ \t]+/g, ' ')
    .replace(/ *\n */g, '\n')
    .trim();
}
