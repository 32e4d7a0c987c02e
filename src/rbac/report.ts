import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { splitServiceAccountUsername } from '../auth/impersonation.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { AuthorizationRecorder } from './decision-log.js';
import type { RbacReportOptions } from './decision-types.js';
import { buildLeastPrivilege, renderRbacReport } from './least-privilege.js';

/** The least-privilege YAML for one user, from every request it made to this server. */
export function rbacReport(recorder: AuthorizationRecorder, options: RbacReportOptions): string {
  return renderRbacReport(buildLeastPrivilege(recorder.requestsOf(options.user), options), options.user);
}

/** The least-privilege YAML of every service account that made a request, one after the other, sorted. */
export function serviceAccountsReport(recorder: AuthorizationRecorder): string {
  const accounts = recorder
    .users()
    .filter((user) => splitServiceAccountUsername(user) !== undefined)
    .sort();
  if (accounts.length === 0) return '# fake-apiserver saw no request from a service account.\n';
  return accounts.map((user) => rbacReport(recorder, { user })).join('---\n');
}

/** Writes `serviceAccountsReport` to `file` (its directory created if need be). */
export async function writeRbacReportFile(recorder: AuthorizationRecorder, file: string): Promise<void> {
  try {
    await mkdir(dirname(file), { recursive: true });
    await writeFile(file, serviceAccountsReport(recorder));
  } catch (error) {
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `cannot write the RBAC report to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'give --rbac-report (rbacReportFile) a writable path',
    );
  }
}
