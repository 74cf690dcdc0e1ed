import type { Known, Span } from '../../src/core/value.js';
import type { ComposeService } from '../../src/inputs/compose.js';
import type { Stack } from '../../src/stack/stack.js';

/**
 * The timeouts of the app server in a service, in the shape of the container model's `AppServerFacts`
 * (`keepAliveSeconds`, `requestTimeoutSeconds`, `timeoutKills`), so the timeout rules read one shape
 * whichever server runs. Today's model knows gunicorn's command line; uvicorn, daphne and uWSGI come
 * with the app-server facts of the container view, and this is the one place to read them from.
 */
export interface AppTimeouts {
  readonly server: string;
  /** How the setting is spelled where a user changes it (`--keep-alive`). */
  readonly keepAliveFlag: string;
  /** Undefined when the server keeps no idle connections (gunicorn sync workers close after each response). */
  readonly keepAlive?: Known<number>;
  readonly timeoutFlag: string;
  readonly requestTimeout?: Known<number>;
  /**
   * True when the timeout ends a request that runs longer (gunicorn sync: the arbiter kills the worker);
   * false when it is only a heartbeat (gthread and async workers keep notifying while a request runs).
   */
  readonly timeoutKills?: boolean;
  /** The worker class, as gunicorn names it, for messages. */
  readonly workerClass?: Known<string>;
}

export function appTimeouts(stack: Stack, service: ComposeService): AppTimeouts | undefined {
  const g = stack.app(service)?.gunicorn;
  if (!g) return undefined;
  const workerClass = g.workerClass.kind === 'known' ? g.workerClass : undefined;
  const sync = workerClass?.value === 'sync';
  return {
    server: 'gunicorn',
    keepAliveFlag: '--keep-alive',
    ...(workerClass && !sync && g.keepAlive.kind === 'known' ? { keepAlive: g.keepAlive } : {}),
    timeoutFlag: '--timeout',
    ...(g.timeout.kind === 'known' ? { requestTimeout: g.timeout } : {}),
    ...(workerClass ? { timeoutKills: sync, workerClass } : {}),
  };
}

/** `--keep-alive 2 (default)`: a setting as the user would look for it. */
export function describeSetting(flag: string, v: Known<number>): string {
  return `${flag} ${v.value}s${v.isDefault ? ' (default)' : ''}`;
}

export type { Span };
