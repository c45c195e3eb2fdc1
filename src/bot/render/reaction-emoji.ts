/**
 * A channel's `reaction` (auto mode: the emoji added to a question the bot looked at but did not answer) is one
 * setting for Slack and Discord, written either way: a name as Slack writes it (`eyes`, `:eyes:`) or the emoji
 * itself (`👀`). Each platform gets the form it takes; a Discord server emoji (`name:id`) is Discord's own.
 */
import { get as emojiByName, which as nameOfEmoji } from 'node-emoji';

const serverEmoji = /^(?:<a?:\w+:\d+>|\w+:\d+)$/;
const notAscii = /[^\x20-\x7e]/;

const bareName = (value: string) => value.replace(/^:|:$/g, '');

/** The emoji Discord's reaction endpoint takes (Unicode, or a server emoji as given); undefined for an unknown name. */
export function discordReaction(reaction: string): string | undefined {
  const value = reaction.trim();
  if (value.length === 0) return undefined;
  if (serverEmoji.test(value) || notAscii.test(value)) return value;
  return emojiByName(bareName(value));
}

/** The emoji name Slack's `reactions.add` takes; an emoji given as itself becomes its name. */
export function slackReaction(reaction: string): string | undefined {
  const value = reaction.trim();
  if (value.length === 0) return undefined;
  if (notAscii.test(value)) return nameOfEmoji(value) ?? undefined;
  return bareName(value);
}
