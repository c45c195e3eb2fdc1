/**
 * Discord's documented message limits (https://discord.com/developers/docs/resources/message and
 * .../interactions/message-components). A message over any of them is refused with 400 Invalid Form Body.
 */
export const discordLimits = {
  content: 2000,
  embedTitle: 256,
  embedDescription: 4096,
  embedFieldName: 256,
  embedFieldValue: 1024,
  embedFooter: 2048,
  /** Sum of titles, descriptions, field names and values, footers and author names of all embeds in one message. */
  embedTotal: 6000,
  customId: 100,
  buttonLabel: 80,
  modalTitle: 45,
  textInputValue: 4000,
  threadName: 100,
} as const;

export interface DiscordEmbedField {
  name: string;
  value: string;
  inline?: boolean;
}

/** An embed as Discord's API takes it: discord.js accepts this JSON as is. */
export interface DiscordEmbed {
  title?: string;
  description?: string;
  url?: string;
  color?: number;
  fields?: DiscordEmbedField[];
  footer?: { text: string };
}

export interface DiscordButton {
  type: 2;
  /** 1 primary, 2 secondary, 3 success, 4 danger. */
  style: 1 | 2 | 3 | 4;
  label: string;
  custom_id: string;
  emoji?: { name: string };
  disabled?: boolean;
}

export interface DiscordActionRow {
  type: 1;
  components: DiscordButton[];
}

/** One message to send or edit. */
export interface DiscordMessage {
  content?: string;
  embeds: DiscordEmbed[];
  components: DiscordActionRow[];
}

/** Characters an embed counts toward the 6000 per message. */
export function embedLength(embed: DiscordEmbed): number {
  return (
    (embed.title?.length ?? 0) +
    (embed.description?.length ?? 0) +
    (embed.footer?.text.length ?? 0) +
    (embed.fields ?? []).reduce((sum, field) => sum + field.name.length + field.value.length, 0)
  );
}
