import { FakeApiServerError } from '../errors/developer-error.js';
import type { KubeObject } from '../registry/resource-kind.js';
import {
  absolutePath,
  ERRNO_MESSAGES,
  FileSystemError,
  type ContainerFileSystem,
  type FileNode,
} from './container-filesystem.js';
import type { PodFileSystems } from './pod-filesystems.js';
import type { PodFileInfo, PodFiles, PodFilesSelector } from './types.js';

/** The annotation kubectl reads to pick a pod's container when none is named (`podcmd.go`). */
const DEFAULT_CONTAINER_ANNOTATION = 'kubectl.kubernetes.io/default-container';

/** What a handle needs of the server. */
export interface PodFilesDeps {
  podFiles: PodFileSystems;
  findPod(namespace: string, name: string): KubeObject | undefined;
  now(): Date;
}

/** The container kubectl picks when none is named: the default-container annotation, else the first one. */
function defaultContainer(pod: KubeObject): string | undefined {
  const annotated = pod.metadata?.annotations?.[DEFAULT_CONTAINER_ANNOTATION];
  if (annotated) return annotated;
  const containers = ((pod.spec as { containers?: { name?: string }[] } | undefined)?.containers ?? []).map(
    (c) => c.name,
  );
  return containers[0];
}

/** Describes a node at a path, for the public API and the control API. */
export function fileInfo(path: string, node: FileNode): PodFileInfo {
  const absolute = absolutePath(path);
  return {
    path: absolute,
    name: absolute === '/' ? '/' : absolute.slice(absolute.lastIndexOf('/') + 1),
    type: node.type,
    mode: node.mode,
    size: node.type === 'file' ? node.content.length : 0,
    modified: node.mtime,
    ...(node.type === 'symlink' ? { target: node.target } : {}),
  };
}

/** Resolves the selector to one container; throws `POD_NOT_FOUND` when the pod is needed and missing. */
export function resolvePodFilesTarget(
  deps: Pick<PodFilesDeps, 'findPod'>,
  selector: PodFilesSelector,
): { namespace: string; pod: string; container: string } {
  const namespace = selector.namespace ?? 'default';
  const { pod } = selector;
  if (selector.container !== undefined) return { namespace, pod, container: selector.container };
  const object = deps.findPod(namespace, pod);
  if (!object)
    throw new FakeApiServerError(
      'POD_NOT_FOUND',
      `pod ${namespace}/${pod} does not exist, so its default container is not known`,
      'create the pod first, or name the container',
    );
  const container = defaultContainer(object);
  if (container === undefined)
    throw new FakeApiServerError('POD_FILE_ERROR', `pod ${namespace}/${pod} has no container`);
  return { namespace, pod, container };
}

/** Runs a filesystem call, turning its errno into a developer error that names the container. */
export function podFileCall<T>(where: string, call: () => T): T {
  try {
    return call();
  } catch (error) {
    if (!(error instanceof FileSystemError)) throw error;
    throw new FakeApiServerError(
      error.errno === 'ENOENT' ? 'POD_FILE_NOT_FOUND' : 'POD_FILE_ERROR',
      `${where}: ${error.path}: ${ERRNO_MESSAGES[error.errno]}`,
    );
  }
}

/** The files of one pod container, for `server.podFiles()`. */
export function podFilesHandle(deps: PodFilesDeps, selector: PodFilesSelector): PodFiles {
  const { namespace, pod, container } = resolvePodFilesTarget(deps, selector);
  const where = `pod ${namespace}/${pod} container ${container}`;
  // Looked up on each call: the pod's files are dropped when it is deleted, a new pod's start empty.
  const files = (): ContainerFileSystem => deps.podFiles.of(namespace, pod, container);
  const call = <T>(run: (fs: ContainerFileSystem) => T): T => podFileCall(where, () => run(files()));
  const write = (path: string, content: string | Uint8Array, options: { mode?: number } = {}) =>
    call((fs) => {
      const now = deps.now();
      fs.makeDirectories(absolutePath('..', absolutePath(path)), undefined, now);
      const data = typeof content === 'string' ? Buffer.from(content, 'utf8') : Buffer.from(content);
      return fileInfo(path, fs.writeFile(absolutePath(path), data, options.mode, now));
    });
  const read = (path: string): Buffer => call((fs) => fs.readFile(absolutePath(path)));
  return {
    namespace,
    pod,
    container,
    write,
    mkdir: (path, options = {}) =>
      call((fs) => {
        const directory = fs.makeDirectories(absolutePath(path), options.mode, deps.now());
        if (options.mode !== undefined) directory.mode = options.mode;
        return fileInfo(path, directory);
      }),
    symlink: (path, target) =>
      call((fs) => {
        fs.makeDirectories(absolutePath('..', absolutePath(path)), undefined, deps.now());
        return fileInfo(path, fs.symlink(absolutePath(path), target, deps.now()));
      }),
    read,
    readText: (path) => read(path).toString('utf8'),
    stat: (path) => {
      const node = files().find(absolutePath(path));
      return node && fileInfo(path, node);
    },
    list: (path) =>
      call((fs) =>
        fs.list(absolutePath(path)).map(([name, node]) => fileInfo(`${absolutePath(path)}/${name}`, node)),
      ),
    remove: (path) => {
      const fs = files();
      if (absolutePath(path) === '/' || !fs.find(absolutePath(path))) return false;
      fs.remove(absolutePath(path), deps.now());
      return true;
    },
  };
}
