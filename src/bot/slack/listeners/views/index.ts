import type { App } from '@slack/bolt';
import {
  correctionInput,
  correctionModalCallbackId,
  parseCorrectionMetadata,
} from '../../../render/slack-correction-modal.ts';
import { correctionStoredNotice } from '../../../render/slack-notices.ts';
import { hashUserId } from '../../../../core/index.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';

/** The "suggest a correction" modal, submitted: the text is stored on the conversation for review. */
export function register(app: App, dependencies: SlackBotDependencies): void {
  app.view(correctionModalCallbackId, async ({ ack, view, body, client }) => {
    const answer =
      view.state.values[correctionInput.blockId]?.[correctionInput.actionId]?.value?.trim() ?? '';
    const metadata = parseCorrectionMetadata(view.private_metadata);
    if (!answer) {
      await ack({
        response_action: 'errors',
        errors: { [correctionInput.blockId]: 'Write the answer you would have expected.' },
      });
      return;
    }
    // Closing the modal at once: storing happens after, within Slack's three seconds or not.
    await ack();
    if (!metadata) {
      dependencies.logger.warn(
        { callbackId: view.callback_id },
        'A correction modal came back without its metadata',
      );
      return;
    }
    await dependencies.core.suggestCorrection(metadata.conversationId, {
      answer,
      by: hashUserId('slack', body.user.id),
      source: 'user',
    });
    await client.chat.postEphemeral({
      channel: metadata.channel,
      user: body.user.id,
      text: correctionStoredNotice(),
      ...(metadata.threadTs ? { thread_ts: metadata.threadTs } : {}),
    });
  });
}
