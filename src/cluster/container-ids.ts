import { createHash, randomBytes } from 'node:crypto';

/**
 * An image reference as containerd reports it in a container status: a Docker Hub name gets `docker.io/`
 * and `library/`, a missing tag `:latest` (`nginx:1.27` → `docker.io/library/nginx:1.27`).
 */
export function fullImageName(image: string): string {
  const slash = image.indexOf('/');
  const first = slash < 0 ? '' : image.slice(0, slash);
  const hasRegistry = first.includes('.') || first.includes(':') || first === 'localhost';
  let name = hasRegistry ? image : `docker.io/${slash < 0 ? `library/${image}` : image}`;
  const lastSlash = name.lastIndexOf('/');
  if (!name.slice(lastSlash).includes(':') && !name.includes('@')) name += ':latest';
  return name;
}

/** The image's digest reference, stable for an image name (`docker.io/library/nginx@sha256:...`). */
export function imageIdOf(image: string): string {
  const full = fullImageName(image);
  if (full.includes('@')) return full;
  const repository = full.slice(0, full.lastIndexOf(':'));
  return `${repository}@sha256:${createHash('sha256').update(full).digest('hex')}`;
}

/** A new container ID as containerd's: `containerd://` and 64 hex digits. */
export function newContainerId(): string {
  return `containerd://${randomBytes(32).toString('hex')}`;
}
