import type { Rule } from '../src/engine/rule.js';
import dependsOnMissingReplica from './depends-on-missing-replica.js';
import limitZoneUndefined from './limit-zone-undefined.js';
import parseError from './parse-error.js';
import proxyPassUnknownUpstream from './proxy-pass-unknown-upstream.js';
import replicaDrift from './replica-drift.js';
import replicaIdentity from './replica-identity.js';
import unusedSuppression from './unused-suppression.js';
import upstreamKeepaliveHttp11 from './upstream-keepalive-http11.js';
import upstreamMissingReplica from './upstream-missing-replica.js';
import upstreamPortMismatch from './upstream-port-mismatch.js';
import upstreamUnknownServer from './upstream-unknown-server.js';
import configNotLoaded from './config-not-loaded.js';
import websocketToWsgi from './websocket-to-wsgi.js';
import upstreamKeepaliveTimeout from './upstream-keepalive-timeout.js';
import proxyReadTimeout from './proxy-read-timeout.js';
import nginxRefusesConfig from './nginx-refuses-config.js';
import websocketUpgradeHeaders from './websocket-upgrade-headers.js';
import upstreamMaxConns from './upstream-max-conns.js';
import upstreamDnsCached from './upstream-dns-cached.js';
import upstreamProtocolMismatch from './upstream-protocol-mismatch.js';
import networkUnreachable from './network-unreachable.js';
import dependsOnBackend from './depends-on-backend.js';
import collectstaticRace from './collectstatic-race.js';
import staticFiles from './static-files.js';
import sseProxyBuffering from './sse-proxy-buffering.js';
import streamingSyncWorkers from './streaming-sync-workers.js';
import healthcheckMismatch from './healthcheck-mismatch.js';
import { DATA_RULES } from './registry-data.js';
import { HOST_RULES } from './registry-host.js';
import { SECURITY_RULES } from './registry-security.js';

/** Every rule, in the order `arena-lint rules` lists them. */
export const RULES: readonly Rule[] = [
  parseError,
  unusedSuppression,
  // topology
  upstreamMissingReplica,
  dependsOnMissingReplica,
  upstreamUnknownServer,
  configNotLoaded,
  upstreamPortMismatch,
  replicaDrift,
  replicaIdentity,
  proxyPassUnknownUpstream,
  limitZoneUndefined,
  websocketToWsgi,
  upstreamKeepaliveHttp11,
  upstreamKeepaliveTimeout,
  proxyReadTimeout,
  nginxRefusesConfig,
  websocketUpgradeHeaders,
  upstreamMaxConns,
  upstreamDnsCached,
  upstreamProtocolMismatch,
  networkUnreachable,
  dependsOnBackend,
  collectstaticRace,
  staticFiles,
  sseProxyBuffering,
  streamingSyncWorkers,
  healthcheckMismatch,
  ...DATA_RULES,
  ...HOST_RULES,
  ...SECURITY_RULES,
];
