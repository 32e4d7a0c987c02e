/**
 * The Table printer of apiregistration.k8s.io APIServices, kube-aggregator's own `ConvertToTable`: Name, Service
 * (`Local` or `<namespace>/<name>`), Available (the condition's status, with its reason in parentheses unless
 * True; `Unknown` without the condition) and Age.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/registry/apiservice/etcd/etcd.go
 */
import {
  ageColumn,
  ageOf,
  asList,
  asObj,
  asString,
  column,
  nameColumn,
  nameOf,
  type KindPrinter,
  type Obj,
} from './common.js';

function apiServiceCells(apiService: Obj, now: Date): unknown[] {
  const service = asObj(apiService.spec).service;
  const reference = service
    ? `${asString(asObj(service).namespace)}/${asString(asObj(service).name)}`
    : 'Local';
  const condition = asList(asObj(apiService.status).conditions).find((c) => c.type === 'Available');
  let available = 'Unknown';
  if (condition) {
    const status = asString(condition.status);
    const reason = asString(condition.reason);
    available = status === 'True' || !reason ? status : `${status} (${reason})`;
  }
  return [nameOf(apiService), reference, available, ageOf(apiService, now)];
}

export const apiRegistrationPrinters: Readonly<Record<string, KindPrinter>> = {
  APIService: {
    columns: [
      nameColumn,
      column('Service', 'The reference to the service that hosts this API endpoint.'),
      column('Available', 'Whether this service is available.'),
      ageColumn,
    ],
    cells: apiServiceCells,
    emptyRows: [],
  },
};
