import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import YAML from 'yaml';

const manifest = YAML.parse(
  readFileSync(new URL('../../config/slack-manifest.yaml', import.meta.url), 'utf8'),
) as {
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { bot_events: string[] };
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
  };
  features: {
    app_home: { messages_tab_enabled: boolean; messages_tab_read_only_enabled: boolean };
    slash_commands: Array<{ command: string }>;
    shortcuts: Array<{ type: string; callback_id: string }>;
  };
};

describe('config/slack-manifest.yaml', () => {
  it('asks for exactly the scopes the bot uses', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual(
      [
        'app_mentions:read',
        'channels:history',
        'channels:read',
        'chat:write',
        'commands',
        'groups:history',
        'groups:read',
        'im:history',
        'reactions:read',
        'reactions:write',
      ].sort(),
    );
  });

  it('subscribes to the events the listeners handle, with interactivity for buttons and the modal', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([
      'app_home_opened',
      'app_mention',
      'message.channels',
      'message.groups',
      'message.im',
      'reaction_added',
    ]);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    expect(manifest.settings.socket_mode_enabled).toBe(true);
    expect(manifest.features.app_home).toMatchObject({
      messages_tab_enabled: true,
      messages_tab_read_only_enabled: false,
    });
  });

  it('declares the slash command and the message shortcut the listeners answer', async () => {
    const { askCommand } = await import('../../src/bot/slack/listeners/commands/index.ts');
    const { answerMessageShortcut } = await import('../../src/bot/slack/listeners/shortcuts/index.ts');
    expect(manifest.features.slash_commands.map((command) => command.command)).toEqual([askCommand]);
    expect(manifest.features.shortcuts).toEqual([
      expect.objectContaining({ type: 'message', callback_id: answerMessageShortcut }),
    ]);
  });
});
