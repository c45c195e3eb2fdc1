import type { App } from '@slack/bolt';
import { createInstallationStore } from '../../installation-store.ts';
import type { SlackBotDependencies } from '../../slack-bot-dependencies.ts';

/** OAuth distribution: a workspace that removes the app has its installation, and so its token, deleted. */
export function registerAppUninstalled(app: App, dependencies: SlackBotDependencies): void {
  if (dependencies.settings.distribution !== 'oauth') return;
  const store = createInstallationStore(dependencies.core);
  app.event('app_uninstalled', async ({ body }) => {
    const enterpriseId = typeof body.enterprise_id === 'string' ? body.enterprise_id : undefined;
    await store.deleteInstallation!({
      teamId: body.team_id,
      enterpriseId,
      isEnterpriseInstall: Boolean((body as { is_enterprise_install?: boolean }).is_enterprise_install),
    } as never);
  });
}
