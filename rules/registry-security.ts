import type { Rule } from '../src/engine/rule.js';
import allowedHosts from './allowed-hosts.js';
import appPortPublished from './app-port-published.js';
import forwardedProto from './forwarded-proto.js';
import datastorePortPublished from './datastore-port-published.js';
import debugInProduction from './debug-in-production.js';
import hardcodedSecret from './hardcoded-secret.js';
import nginxAddHeaderMultiline from './nginx-add-header-multiline.js';
import nginxAddHeaderRedefinition from './nginx-add-header-redefinition.js';
import nginxAliasTraversal from './nginx-alias-traversal.js';
import nginxHostSpoofing from './nginx-host-spoofing.js';
import nginxHttpSplitting from './nginx-http-splitting.js';
import nginxIfIsEvil from './nginx-if-is-evil.js';
import nginxOrigins from './nginx-origins.js';
import nginxSsrf from './nginx-ssrf.js';
import nginxValidReferers from './nginx-valid-referers.js';

/** Trust, exposure and secrets rules, and nginx's own security traps (the class gixy checks). */
export const SECURITY_RULES: readonly Rule[] = [
  forwardedProto,
  allowedHosts,
  appPortPublished,
  datastorePortPublished,
  hardcodedSecret,
  debugInProduction,
  nginxAddHeaderRedefinition,
  nginxHostSpoofing,
  nginxAliasTraversal,
  nginxSsrf,
  nginxValidReferers,
  nginxOrigins,
  nginxIfIsEvil,
  nginxHttpSplitting,
  nginxAddHeaderMultiline,
];
