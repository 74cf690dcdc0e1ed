import { docsUrl, type RuleMeta } from '../core/rule-meta.js';
import { RULE_REDIRECTS } from '../core/rule-redirects.js';

/** Where editors and the generated validator know the schema from; also the `$id` users may cite. */
export const CONFIG_SCHEMA_ID = 'https://arena-lint.dev/schemas/arena-lint.schema.json';

const SEVERITIES = ['off', 'info', 'warning', 'error'];

const globs = (description: string) => ({ type: 'array', items: { type: 'string' }, description });

/**
 * The JSON schema of `.arena-lint.yaml`. The rule ids come from the rules' metadata, so a config
 * naming a rule that does not exist is rejected (with a did-you-mean) and editors complete the ids.
 */
export function configSchema(rules: readonly RuleMeta[]): Record<string, unknown> {
  const ids = [...rules.map((m) => m.id), ...RULE_REDIRECTS.map((r) => r.from)];
  const perRule = Object.fromEntries([
    ...rules.map((m) => [m.id, { $ref: '#/definitions/ruleSetting', description: `${m.description} (default: ${m.defaultSeverity}). ${docsUrl(m.id)}` }]),
    // An old id still sets every rule it was split into; editors show it as deprecated.
    ...RULE_REDIRECTS.map((r) => [r.from, {
      $ref: '#/definitions/ruleSetting',
      deprecated: true,
      description: `Since ${r.since}, an alias for ${r.to.join(', ')} (each rule's own id wins over the alias). ${docsUrl(r.from)}`,
    }]),
  ]);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: CONFIG_SCHEMA_ID,
    title: 'arena-lint configuration (.arena-lint.yaml)',
    description: 'Generated from the rules by `npm run generate`; do not edit.',
    type: 'object',
    additionalProperties: false,
    properties: {
      // JSON has no comments to carry the yaml-language-server line; editors read this key instead.
      $schema: { type: 'string', description: 'The schema of this file, for editors.' },
      rules: { $ref: '#/definitions/ruleSettings', description: 'Severity per rule id: off, info, warning or error.' },
      host: {
        description: 'The machine the stack runs on; host-tier rules are silent without it.',
        type: 'object',
        additionalProperties: false,
        properties: {
          cpus: { type: 'number', exclusiveMinimum: 0, description: 'CPUs of the host, e.g. 48' },
          memory: { type: ['string', 'number'], description: 'e.g. 96GiB, 64g, or bytes' },
          instance: { type: 'string', description: 'A built-in instance type, e.g. aws/c5.12xlarge' },
        },
      },
      capacity: {
        description: 'The load the stack is sized for; the capacity rules compare it with the workers.',
        type: 'object',
        additionalProperties: false,
        properties: {
          targetRps: { type: 'number', exclusiveMinimum: 0, default: 500, description: 'Requests per second the stack must serve' },
          latencyMs: { type: 'number', exclusiveMinimum: 0, default: 500, description: 'Mean time a request holds a worker thread' },
          workerMemory: { type: ['string', 'number'], default: '200MiB', description: 'Resident memory of one app worker process' },
        },
      },
      sysctl: {
        description: 'The kernel settings the host must have.',
        type: 'object',
        additionalProperties: false,
        properties: {
          profile: { type: 'string', enum: ['seed'], default: 'seed' },
          require: { type: 'boolean', description: 'Check the profile even when the repository has no sysctl source.' },
          keys: {
            type: 'object',
            description: 'Keys added to or overriding the profile.',
            additionalProperties: {
              type: 'object',
              additionalProperties: false,
              properties: { min: { type: 'number' }, max: { type: 'number' } },
            },
          },
        },
      },
      ignore: globs('gitignore-style globs of files and folders to skip when looking for stacks and the files they use; a file a stack names explicitly (a bind mount, an env_file) is still read.'),
      stacks: {
        description: 'Which compose projects are stacks. A string is a glob choosing discovered projects by their base file (by default every project docker compose would load: the default file with its override, COMPOSE_FILE, -f lists in Makefiles and scripts, and every other docker-compose*.yml and compose*.yml that is not only merged into another). An entry with `files` declares a stack no convention reveals.',
        type: 'array',
        items: {
          anyOf: [
            { type: 'string' },
            {
              type: 'object',
              additionalProperties: false,
              required: ['files'],
              properties: {
                files: { type: 'array', minItems: 1, items: { type: 'string' }, description: 'Compose files in merge order (as `-f a.yml -f b.yml`); the first is the base file and names the stack.' },
                profiles: { type: 'array', items: { type: 'string' }, description: 'Enabled profiles (as `--profile`); default: COMPOSE_PROFILES of the project\'s .env.' },
                env_files: { type: 'array', items: { type: 'string' }, description: 'Env files for interpolation, in order (as `--env-file`); default: the project directory\'s .env.' },
              },
            },
          ],
        },
      },
      overrides: {
        description: 'Rule severities for some files (the file a finding points at) or some stacks (their compose file).',
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['rules'],
          anyOf: [{ required: ['files'] }, { required: ['stacks'] }],
          properties: {
            files: globs('Globs of the files whose findings these settings apply to.'),
            stacks: globs('Globs of the compose files whose stacks these settings apply to.'),
            rules: { $ref: '#/definitions/ruleSettings' },
          },
        },
      },
    },
    definitions: {
      ruleSetting: { enum: SEVERITIES },
      ruleSettings: {
        type: 'object',
        propertyNames: { enum: ids },
        properties: perRule,
      },
    },
  };
}
