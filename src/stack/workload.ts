import type { Span, Value } from '../core/value.js';
import { known } from '../core/value.js';
import type { ComposeService, DependsOnEntry, PortEntry, ServiceNetwork, ServiceResources } from '../inputs/compose.js';
import type { ContainerView } from '../container/types.js';

/**
 * A format-neutral workload: N identical containers of one spec. A compose service gives one today
 * (`deploy.replicas`/`scale:` as its replica count); a Kubernetes Deployment or StatefulSet (HPA
 * `maxReplicas` for the capacity sums) will give one without any rule changing.
 */
export interface Workload {
  readonly name: string;
  /** The orchestrator format it came from, for messages that name the file to edit. */
  readonly format: 'compose';
  /** Containers it runs; a default of 1 is marked `isDefault` at the service's name. */
  readonly replicas: Value<number>;
  readonly container: ContainerView;
  readonly resources?: ServiceResources;
  readonly networks: readonly ServiceNetwork[];
  /** Ports the container listens on for others (compose `expose:` and the target side of `ports:`). */
  readonly ports: readonly PortEntry[];
  readonly dependsOn: readonly DependsOnEntry[];
  /** Where the health check is declared, when it is. */
  readonly healthcheck?: Span;
  /** Every name the network resolves to this workload: its name, container_name, hostname, aliases. */
  readonly hostnames: readonly Value<string>[];
  readonly span: Span;
}

export function workloadOf(svc: ComposeService, container: ContainerView): Workload {
  const hostnames: Value<string>[] = [known(svc.name, svc.nameSpan)];
  for (const v of [svc.containerName, svc.hostname, ...svc.networks.flatMap((n) => n.aliases)]) if (v) hostnames.push(v);
  return {
    name: svc.name,
    format: 'compose',
    replicas: svc.replicas ?? known(1, svc.nameSpan, { isDefault: true }),
    container,
    ...(svc.resources ? { resources: svc.resources } : {}),
    networks: svc.networks,
    ports: [...svc.expose, ...svc.ports],
    dependsOn: svc.dependsOn,
    ...(svc.healthcheckSpan ? { healthcheck: svc.healthcheckSpan } : {}),
    hostnames,
    span: svc.nameSpan,
  };
}
