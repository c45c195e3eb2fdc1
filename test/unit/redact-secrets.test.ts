import { describe, expect, it } from 'vitest';
import { redactSecrets } from '../../src/core/index.ts';
import { redactSecretsWithReport } from '../../src/core/logging/redact-secrets.ts';

describe('redactSecrets', () => {
  it.each([
    ['my key is sk-proj-abcdefghijklmnopqrstuvwx', 'sk-proj-abcdefghijklmnopqrstuvwx'],
    ['token xoxb-1234567890-abcdefghij', 'xoxb-1234567890-abcdefghij'],
    ['Authorization: Bearer abcdefghijklmnop.qrstuv', 'abcdefghijklmnop.qrstuv'],
    ['password: hunter22', 'hunter22'],
    ['my password is Hunter!x', 'Hunter!x'],
    ['password=letmein', 'letmein'],
    ["token: 'swordfish'", 'swordfish'],
    ['secret: abcdefghijklmnopqrstuv', 'abcdefghijklmnopqrstuv'],
    ['token is aBcDeFgH', 'aBcDeFgH'],
    ['api_key="AbC123xyz987"', 'AbC123xyz987'],
    ['AKIAABCDEFGHIJKLMNOP is the access key', 'AKIAABCDEFGHIJKLMNOP'],
    ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
    ['fetching https://x-access-token:s3cretT0k@github.com/acme/docs.git', 's3cretT0k'],
    ['git fetch https://s3cretT0k@gitlab.example/acme/docs.git failed', 's3cretT0k'],
    ['-----BEGIN RSA PRIVATE KEY-----\nMIIEabc\n-----END RSA PRIVATE KEY-----', 'MIIEabc'],
  ])('masks %s', (text, secret) => {
    const redacted = redactSecrets(text);
    expect(redacted).not.toContain(secret);
    expect(redacted).toContain('[REDACTED');
  });

  it.each([
    'Treat it like a password: anyone with it can act as your bot.',
    'The token is valid for 30 days.',
    'The auth token is hex.',
    'Masks `password=...` style secrets.',
    'Set secret: true in the config, then the password is required at login.',
  ])('leaves prose after a secret-sounding word alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecretsWithReport(text).found).toEqual({});
  });

  it.each([
    'What do I do if my password is forgotten?',
    'The token is shown once in the app settings [1].',
    'The secret is stored in .env, never in config/local.yaml.',
  ])('leaves a sentence saying what a password or token is alone: %s', (text) => {
    expect(redactSecrets(text)).toBe(text);
  });

  it.each([
    ['my password is hunter22', 'hunter22'],
    ['the token is "s3cr3t-value"', 's3cr3t-value'],
    ['my password is p@ssw0rd!', 'p@ssw0rd'],
  ])('still masks a password or token given with "is": %s', (text, secret) => {
    expect(redactSecrets(text)).not.toContain(secret);
  });

  it('leaves ordinary support text alone and reports what it found', () => {
    const text = 'How do I reset my password? The token field in settings is empty.';
    expect(redactSecrets(text)).toBe(text);
    expect(redactSecretsWithReport('password=abcd1234 and sk-abcdefghijklmnopqrstuv').found).toEqual({
      'openai key': 1,
      assignment: 1,
    });
  });
});
