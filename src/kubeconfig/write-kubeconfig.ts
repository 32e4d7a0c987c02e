import { assertWritableByUs, writeOwnedFile, type OwnedFileRule } from '../files/owned-file.js';

/**
 * The first line of every kubeconfig file fake-apiserver writes: how it knows the file is its own, and may
 * be rewritten on the next start. kubectl keeps no comments when it edits a kubeconfig, so a file that
 * kubectl changed since is no longer taken for ours.
 */
export const KUBECONFIG_MARKER =
  '# Admin kubeconfig written by fake-apiserver; it rewrites this file on every start.';

const KUBECONFIG_RULE: OwnedFileRule = {
  what: 'the kubeconfig',
  isOurs: (head) => head.startsWith(KUBECONFIG_MARKER),
  hint: 'give --kubeconfig (kubeconfig) a new path, an empty file or one fake-apiserver wrote; it overwrites no other file',
};

/**
 * Checks, before anything is written, that `writeKubeconfigFile` may write `path`.
 * @throws FakeApiServerError `FILE_NOT_OURS` for a symbolic link or a file fake-apiserver did not write
 */
export function assertKubeconfigWritable(path: string): Promise<void> {
  return assertWritableByUs(path, KUBECONFIG_RULE);
}

/**
 * Writes the admin kubeconfig as kubectl writes one (mode 0600), with `KUBECONFIG_MARKER` first. Replaces
 * only a file fake-apiserver wrote (or an empty one), never writes through a symbolic link.
 * @throws FakeApiServerError `FILE_NOT_OURS`
 */
export function writeKubeconfigFile(path: string, kubeconfig: string): Promise<void> {
  return writeOwnedFile(path, `${KUBECONFIG_MARKER}\n${kubeconfig}`, { ...KUBECONFIG_RULE, mode: 0o600 });
}
