/*
 * Cloud machine sizes, so a config can say `host: aws/c5.12xlarge` instead of counting CPUs and RAM.
 * Numbers are the vendors' published vCPU and memory figures. Memory is stored in bytes, from GiB:
 * AWS and Azure publish GiB, and Google's machine-type "GB" is 2^30 bytes (its API's memoryMb for
 * c2-standard-60 is 245760, i.e. 240 GiB).
 */
import { editDistance } from '../core/suggest.js';
import { own } from '../core/own.js';

export type CloudProvider = 'aws' | 'gcp' | 'azure';

export interface InstanceType {
  /** Canonical name with the provider: `aws/c5.12xlarge`, `gcp/c2-standard-60`, `azure/Standard_F48s_v2`. */
  readonly name: string;
  readonly provider: CloudProvider;
  readonly cpus: number;
  readonly memoryBytes: number;
}

const GiB = 1024 ** 3;

/** [size suffix, vCPUs] of an EC2 family; memory is vCPUs x the family's GiB per vCPU. */
const AWS_FAMILIES: readonly { family: string; gibPerCpu: number; sizes: readonly (readonly [string, number])[] }[] = [
  // c5: no 8xlarge/16xlarge; 9xlarge and 18xlarge instead.
  { family: 'c5', gibPerCpu: 2, sizes: [['large', 2], ['xlarge', 4], ['2xlarge', 8], ['4xlarge', 16], ['9xlarge', 36], ['12xlarge', 48], ['18xlarge', 72], ['24xlarge', 96], ['metal', 96]] },
  { family: 'm5', gibPerCpu: 4, sizes: [['large', 2], ['xlarge', 4], ['2xlarge', 8], ['4xlarge', 16], ['8xlarge', 32], ['12xlarge', 48], ['16xlarge', 64], ['24xlarge', 96], ['metal', 96]] },
  { family: 'r5', gibPerCpu: 8, sizes: [['large', 2], ['xlarge', 4], ['2xlarge', 8], ['4xlarge', 16], ['8xlarge', 32], ['12xlarge', 48], ['16xlarge', 64], ['24xlarge', 96], ['metal', 96]] },
];

const GCP_FAMILIES: readonly { family: string; gibPerCpu: number; cpus: readonly number[] }[] = [
  { family: 'c2-standard', gibPerCpu: 4, cpus: [4, 8, 16, 30, 60] },
  { family: 'n2-standard', gibPerCpu: 4, cpus: [2, 4, 8, 16, 32, 48, 64, 80, 96, 128] },
];

/** Azure size names are `Standard_<letter><vCPUs><features>_<version>`. */
const AZURE_FAMILIES: readonly { prefix: string; features: readonly string[]; version: string; gibPerCpu: number; cpus: readonly number[] }[] = [
  { prefix: 'F', features: ['s'], version: 'v2', gibPerCpu: 2, cpus: [2, 4, 8, 16, 32, 48, 64, 72] },
  // Dv5 and its siblings (premium storage s, local disk d, AMD a) share vCPU and memory per size.
  { prefix: 'D', features: ['', 's', 'd', 'ds', 'as', 'ads'], version: 'v5', gibPerCpu: 4, cpus: [2, 4, 8, 16, 32, 48, 64, 96] },
];

function buildTable(): InstanceType[] {
  const out: InstanceType[] = [];
  for (const f of AWS_FAMILIES) {
    for (const [size, cpus] of f.sizes) out.push({ name: `aws/${f.family}.${size}`, provider: 'aws', cpus, memoryBytes: cpus * f.gibPerCpu * GiB });
  }
  for (const f of GCP_FAMILIES) {
    for (const cpus of f.cpus) out.push({ name: `gcp/${f.family}-${cpus}`, provider: 'gcp', cpus, memoryBytes: cpus * f.gibPerCpu * GiB });
  }
  for (const f of AZURE_FAMILIES) {
    for (const feature of f.features) {
      for (const cpus of f.cpus) {
        out.push({ name: `azure/Standard_${f.prefix}${cpus}${feature}_${f.version}`, provider: 'azure', cpus, memoryBytes: cpus * f.gibPerCpu * GiB });
      }
    }
  }
  return out;
}

export const INSTANCE_TYPES: readonly InstanceType[] = buildTable();

const PROVIDER_ALIASES: Readonly<Record<string, CloudProvider>> = {
  aws: 'aws', ec2: 'aws', amazon: 'aws',
  gcp: 'gcp', gce: 'gcp', google: 'gcp',
  azure: 'azure', az: 'azure',
};

interface NormalizedName {
  readonly provider?: CloudProvider;
  readonly key: string;
}

/**
 * Folds the spellings people use into one key: `Standard_F48s_v2`, `F48s v2` and `f48sv2` are the
 * same Azure size; the provider prefix is optional.
 */
function normalize(name: string): NormalizedName {
  let rest = name.trim().toLowerCase();
  let provider: CloudProvider | undefined;
  const slash = rest.indexOf('/');
  if (slash > 0) {
    provider = own(PROVIDER_ALIASES, rest.slice(0, slash));
    if (provider !== undefined) rest = rest.slice(slash + 1);
  }
  rest = rest.replace(/^standard_/, '').replace(/[\s_]+/g, '');
  return provider === undefined ? { key: rest } : { provider, key: rest };
}

const BY_KEY: ReadonlyMap<string, InstanceType> = new Map(INSTANCE_TYPES.map((t) => [normalize(t.name).key, t]));

/** The instance a name denotes, with or without a provider prefix; undefined when it is not in the table. */
export function lookupInstance(name: string): InstanceType | undefined {
  const n = normalize(name);
  const hit = BY_KEY.get(n.key);
  if (hit === undefined || (n.provider !== undefined && hit.provider !== n.provider)) return undefined;
  return hit;
}

/** Names in the table close to a name that was not found, best first (did you mean ...?). */
export function suggestInstances(name: string, limit = 3): string[] {
  const n = normalize(name);
  if (n.key.length === 0) return [];
  const budget = Math.max(2, Math.floor(n.key.length / 4));
  const scored: { name: string; distance: number }[] = [];
  for (const [key, t] of BY_KEY) {
    const distance = editDistance(n.key, key);
    if (distance <= budget) scored.push({ name: t.name, distance });
  }
  scored.sort((a, b) => a.distance - b.distance || (a.name < b.name ? -1 : 1));
  return scored.slice(0, limit).map((s) => s.name);
}

export { editDistance };
