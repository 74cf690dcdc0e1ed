/** Docker image references, as the registry and Docker name them. */

/** The repository part of an image reference, without registry host, tag or digest: `bitnami/pgbouncer`. */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const slash = noDigest.lastIndexOf('/');
  const colon = noDigest.lastIndexOf(':');
  const noTag = colon > slash ? noDigest.slice(0, colon) : noDigest;
  const parts = noTag.toLowerCase().split('/');
  // A first part with a dot or port is a registry host (`docker.io/`, `ghcr.io/`).
  if (parts.length > 1 && /[.:]|^localhost$/.test(parts[0]!)) parts.shift();
  if (parts[0] === 'library') parts.shift();
  return parts.join('/');
}
