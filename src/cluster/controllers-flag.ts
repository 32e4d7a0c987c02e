import { FakeApiServerError } from '../errors/developer-error.js';

/**
 * kube-controller-manager 1.33's controller names, by the alias this server's components go by (the names before
 * 1.28): `--controllers` accepts either.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.4/cmd/kube-controller-manager/names/controller_names.go
 */
const CONTROLLER_ALIASES: Readonly<Record<string, string>> = {
  'endpoints-controller': 'endpoint',
  'endpointslice-controller': 'endpointslice',
  'replicationcontroller-controller': 'replicationcontroller',
  'serviceaccount-controller': 'serviceaccount',
  'daemonset-controller': 'daemonset',
  'job-controller': 'job',
  'deployment-controller': 'deployment',
  'replicaset-controller': 'replicaset',
  'statefulset-controller': 'statefulset',
  'cronjob-controller': 'cronjob',
  'node-lifecycle-controller': 'nodelifecycle',
  'ttl-after-finished-controller': 'ttl-after-finished',
  'root-ca-certificate-publisher-controller': 'root-ca-cert-publisher',
};

/**
 * Which controllers run, read as kube-controller-manager reads its `--controllers` flag: a list of names, `*`
 * for every controller on by default, `-name` to turn one off, `name` to turn one on; the first mention of a
 * name wins, then `*`. A controller is named by its 1.33 name (`deployment-controller`) or its alias (`deployment`). An
 * unknown name is refused, as kube-controller-manager refuses it.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/cmd/kube-controller-manager/app/options/generic.go
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/cmd/kube-controller-manager/app/controllermanager.go (IsControllerEnabled)
 */
export function enabledControllers(
  given: readonly string[],
  known: readonly string[],
  offByDefault: readonly string[] = [],
): Set<string> {
  const flag = given.map((entry) => {
    const off = entry.startsWith('-');
    const name = off ? entry.slice(1) : entry;
    return `${off ? '-' : ''}${CONTROLLER_ALIASES[name] ?? name}`;
  });
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
