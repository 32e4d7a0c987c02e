import { FakeApiServerError } from '../errors/developer-error.js';

/**
 * Which controllers run, read as kube-controller-manager reads its `--controllers` flag: a list of names, `*`
 * for every controller on by default, `-name` to turn one off, `name` to turn one on; the first mention of a
 * name wins, then `*`. An unknown name is refused, as kube-controller-manager refuses it.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/cmd/kube-controller-manager/app/options/generic.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/cmd/kube-controller-manager/app/controllermanager.go (IsControllerEnabled)
 */
export function enabledControllers(
  flag: readonly string[],
  known: readonly string[],
  offByDefault: readonly string[] = [],
): Set<string> {
  for (const entry of flag) {
    const name = entry.startsWith('-') ? entry.slice(1) : entry;
    if (name === '*' && !entry.startsWith('-')) continue;
    if (!known.includes(name)) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `"${name}" is not in the list of known controllers`,
        `known controllers: ${[...known].sort().join(', ')}`,
      );
    }
  }
  const enabled = new Set<string>();
  for (const name of known) {
    if (flag.includes(name)) enabled.add(name);
    else if (flag.includes(`-${name}`)) continue;
    else if (flag.includes('*') && !offByDefault.includes(name)) enabled.add(name);
  }
  return enabled;
}
