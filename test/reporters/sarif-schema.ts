import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import AjvDraft04 from 'ajv-draft-04';

const require = createRequire(import.meta.url);
// The official SARIF 2.1.0 schema (JSON Schema draft-04), shipped in @microsoft/jest-sarif.
const schema = JSON.parse(readFileSync(require.resolve('@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json'), 'utf8')) as object;
// RFC 3986 characters, with `%` only as the start of an escape: enough to catch an unencoded path
// (ajv-formats is not installed, and without these formats ajv skips the `uri` checks).
const URI_REFERENCE = /^(?:[A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*$/;
const SCHEME = /^[A-Za-z][A-Za-z0-9+.-]*:/;
// A CommonJS package: under NodeNext its class is `.default` of the default import (it sets both).
// The schema's language-tag pattern is not valid with the `u` flag ajv adds by default.
const ajv = new AjvDraft04.default({ allErrors: true, strict: false, unicodeRegExp: false });
ajv.addFormat('uri-reference', URI_REFERENCE);
ajv.addFormat('uri', (s: string) => SCHEME.test(s) && URI_REFERENCE.test(s));
ajv.addFormat('date-time', /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)$/);
export const validateSarif = ajv.compile(schema);
