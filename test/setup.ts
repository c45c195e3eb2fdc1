import nock from 'nock';
import { afterAll, afterEach } from 'vitest';

// No test may reach the internet: only loopback addresses (our fakes, the local Elasticsearch) are allowed.
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/.test(host));

afterEach(() => {
  nock.cleanAll();
});

afterAll(() => {
  nock.restore();
});
