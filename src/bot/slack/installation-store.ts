import type { Installation, InstallationQuery, InstallationStore } from '@slack/bolt';
import { AnswerloopError, type Core } from '../../core/index.ts';

/** An organisation-wide install answers for every workspace of the organisation; otherwise the workspace's own. */
function installationKey(query: {
  isEnterpriseInstall?: boolean;
  enterpriseId?: string | undefined;
  teamId?: string | undefined;
}): string {
  if (query.isEnterpriseInstall && query.enterpriseId) return `enterprise:${query.enterpriseId}`;
  if (query.teamId) return `team:${query.teamId}`;
  throw new AnswerloopError('input_invalid', 'A Slack installation without a workspace or organisation id.');
}

/**
 * Bolt's installation store over core's store (SQLite or Elasticsearch alike), so every replica sees every
 * workspace that installed the app. Tokens stay in the store: nothing here logs an installation.
 */
export function createInstallationStore(core: Core): InstallationStore {
  return {
    async storeInstallation(installation) {
      const key = installationKey({
        isEnterpriseInstall: installation.isEnterpriseInstall,
        enterpriseId: installation.enterprise?.id,
        teamId: installation.team?.id,
      });
      await core.installations.save('slack', key, JSON.stringify(installation));
      core.logger.info({ installation: key }, 'Slack app installed');
    },
    async fetchInstallation(query: InstallationQuery<boolean>) {
      const organisation = query.enterpriseId
        ? await core.installations.get(
            'slack',
            installationKey({ isEnterpriseInstall: true, enterpriseId: query.enterpriseId }),
          )
        : undefined;
      const stored =
        (query.isEnterpriseInstall ? organisation : undefined) ??
        (query.teamId
          ? await core.installations.get('slack', installationKey({ teamId: query.teamId }))
          : undefined) ??
        organisation;
      if (!stored)
        throw new AnswerloopError(
          'not_found',
          `answerloop is not installed in Slack workspace ${query.teamId ?? query.enterpriseId}: install it through /slack/install.`,
        );
      return JSON.parse(stored) as Installation;
    },
    async deleteInstallation(query: InstallationQuery<boolean>) {
      await core.installations.remove('slack', installationKey(query));
      core.logger.info({ installation: installationKey(query) }, 'Slack app uninstalled');
    },
  };
}
