import { describe, expect, it } from 'vitest';
import { canMatchNewline, captureGroups, isFixedWords, variablesIn } from '../../src/security/nginx-levels.js';
import { hostAllowed, headerOfMetaKey, validHostSyntax } from '../../src/security/edge.js';
import { attackerValue, exampleAttack, sampleMatches, siteHost } from '../../src/security/regex-sample.js';
import { commandLineSecrets, isSecretName, redacted } from '../../src/security/secrets.js';

describe('regex captures of a location', () => {
  it('numbers groups the way PCRE does, named ones included, skipping classes and non-capturing groups', () => {
    const groups = captureGroups('^/a/(?:x|y)/(?<host>[^/()]+)/(\\(lit\\))(.*)$');
    expect(groups.map((g) => [g.index, g.name ?? null, g.source])).toEqual([[1, 'host', '[^/()]+'], [2, null, '\\(lit\\)'], [3, null, '.*']]);
    expect(captureGroups('/proxy/(?P<proxy>.*)$')[0]).toMatchObject({ index: 1, name: 'proxy' });
  });
  it('knows which groups can hold a line feed and which are fixed words', () => {
    expect(canMatchNewline('.*')).toBe(false);
    expect(canMatchNewline('\\W*')).toBe(true);
    expect(canMatchNewline('[^/]+')).toBe(true);
    expect(canMatchNewline('[^/\\r\\n]+')).toBe(false);
    expect(isFixedWords('https?')).toBe(true);
    expect(isFixedWords('a|b')).toBe(true);
    expect(isFixedWords('.*?')).toBe(false);
  });
  it('finds $var, ${var} and $1 in a value', () => {
    expect(variablesIn('http://${h}x/$1$request_uri').map((v) => v.name)).toEqual(['h', '1', 'request_uri']);
  });
});

describe('origin regex samples (gixy origins)', () => {
  it('puts a / wherever the pattern accepts one and expands alternatives and optional parts', () => {
    expect(sampleMatches('^https?://a\\.com/').map((s) => s.text)).toEqual(['http://a.com/', 'https://a.com/']);
    expect(sampleMatches('^https://a.com/')[0]!.text).toBe('https://a/com/');
  });
  it('adds an attacker prefix to unanchored samples and a suffix to open-ended ones', () => {
    expect(attackerValue({ text: 'a.com/', anchoredStart: false, anchoredEnd: false })).toBe('http://evil.com/a.com/');
    expect(attackerValue({ text: 'https://a.com', anchoredStart: true, anchoredEnd: false })).toBe('https://a.com.evil.com');
    expect(siteHost('https://a.com.evil.com')).toBeUndefined();
    expect(siteHost('https://www.a.com/')).toEqual({ scheme: 'https', domain: 'a.com' });
  });
  it('shows a realistic attacker value, and none for a sound check', () => {
    expect(exampleAttack('^https://example\\.com', false)).toBe('https://example.com.evil.com');
    expect(exampleAttack('^https://(www\\.)?example\\.com$', false)).toBeUndefined();
  });
});

describe('Django host matching', () => {
  it('matches ALLOWED_HOSTS as django.http.request.validate_host does', () => {
    expect(hostAllowed('www.example.com', ['.example.com'])).toBe(true);
    expect(hostAllowed('example.com', ['.example.com'])).toBe(true);
    expect(hostAllowed('evil-example.com', ['.example.com'])).toBe(false);
    expect(hostAllowed('Example.COM:8000', ['example.com'])).toBe(true);
    expect(hostAllowed('anything', ['*'])).toBe(true);
  });
  it('rejects an upstream name with an underscore as Django does', () => {
    expect(validHostSyntax('django_backend')).toBe(false);
    expect(validHostSyntax('web:8000')).toBe(true);
    expect(headerOfMetaKey('HTTP_X_FORWARDED_PROTO')).toBe('X-Forwarded-Proto');
  });
});

describe('secrets', () => {
  it('tells secret names from names of where a secret is', () => {
    for (const n of ['POSTGRES_PASSWORD', 'PGPASSWORD', 'SECRET_KEY', 'DJANGO_SECRET_KEY', 'GITHUB_TOKEN', 'STRIPE_API_KEY', 'AWS_SECRET_ACCESS_KEY', 'DB_PASS']) expect(isSecretName(n), n).toBe(true);
    for (const n of ['POSTGRES_PASSWORD_FILE', 'SECRET_KEY_PATH', 'AWS_ACCESS_KEY_ID', 'PWD', 'PASSWORD_RESET_TIMEOUT', 'BYPASS', 'TOKEN_HEADER']) expect(isSecretName(n), n).toBe(false);
  });
  it('finds secrets on command lines and leaves variable references alone', () => {
    const text = 'redis-server --requirepass s3cret-1 && redis-cli -a "s3cret-2" ping; PGPASSWORD=s3cret-3 psql postgres://u:s3cret-4@db/x --password $$P';
    expect(commandLineSecrets(text).map((s) => text.slice(s.start, s.end))).toEqual(['s3cret-1', 's3cret-2', 's3cret-3', 's3cret-4']);
  });
  it('redacts to stars and a length only', () => {
    expect(redacted('hunter2')).toBe('******** (7 characters)');
  });
});
