/**
 * The delivery part of Core: which platform events this process handles (exactly once across retries and
 * replicas), and the app's installations into platform workspaces. Depends on the key-value records only.
 */
import type { Clock, KeyValueStore } from '../ports/index.ts';
import type { ClaimService } from './claims.ts';

export interface DeliveryService {
  /** True the first time a platform event id is seen, false on every retry or duplicate (durable). */
  claim(platform: string, eventId: string): Promise<boolean>;
  /**
   * Installations of the app into a platform's workspaces (Slack's OAuth distribution), as the platform SDK's
   * JSON, tokens included: kept in the store, never logged.
   */
  readonly installations: {
    get(platform: string, id: string): Promise<string | undefined>;
    save(platform: string, id: string, json: string): Promise<void>;
    remove(platform: string, id: string): Promise<void>;
  };
}

export function createDeliveryService(dependencies: {
  records: Pick<KeyValueStore, 'putIfAbsent' | 'getValue' | 'setValue'>;
  claims: Pick<ClaimService, 'heldHere'>;
  clock: Clock;
}): DeliveryService {
  const { records, claims, clock } = dependencies;
  return {
    async claim(platform, eventId) {
      // The face's delivery middleware claimed it (or the sweep took it over) for this process: it is ours.
      if (claims.heldHere(platform, eventId)) return true;
      return records.putIfAbsent(`event:${platform}`, eventId, clock.now().toISOString());
    },
    installations: {
      // An uninstalled workspace keeps an empty value: the key-value store has no delete.
      get: async (platform, id) => (await records.getValue(`installation:${platform}`, id)) || undefined,
      save: (platform, id, json) => records.setValue(`installation:${platform}`, id, json),
      remove: (platform, id) => records.setValue(`installation:${platform}`, id, ''),
    },
  };
}
