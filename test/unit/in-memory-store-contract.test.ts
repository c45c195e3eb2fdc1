// The in-memory store of the unit tests passes the same conformance suite as the real stores, so it cannot drift.
import { defineStoreContract } from '../contract/store-contract.ts';
import { createInMemoryStore } from '../fakes/in-memory-store.ts';

defineStoreContract('in-memory', async () => ({ store: createInMemoryStore() }));
