import type { MessageMentionOptions } from 'discord.js';

/**
 * Nobody is pinged by anything the bot sends: answers quote documentation and questions people typed,
 * either of which may hold `@everyone`, a role or a user. The client's default for every message; a
 * message that sets its own `allowedMentions` (a reply, to keep the replied-to person unpinged) sets this,
 * because discord.js then uses the message's value instead of the default.
 */
export const noPings: MessageMentionOptions = { parse: [], repliedUser: false };
