import { splitServiceAccountUsername } from '../auth/impersonation.js';
import { FakeApiServerError } from '../errors/developer-error.js';
import { assertWritableByUs, writeOwnedFile, type OwnedFileRule } from '../files/owned-file.js';
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

const REPORT_RULE: OwnedFileRule = {
  what: 'the RBAC report',
  isOurs: (head) => /^#[^\n]*fake-apiserver/.test(head),
  hint: 'give --rbac-report (rbacReportFile) a new path, an empty file or a report fake-apiserver wrote',
};

/**
 * Checks at start-up that the report may be written to `file` on exit.
 * @throws FakeApiServerError `FILE_NOT_OURS` for a symbolic link or a file fake-apiserver did not write
 */
export function assertRbacReportWritable(file: string): Promise<void> {
  return assertWritableByUs(file, REPORT_RULE);
}

/**
 * Writes `serviceAccountsReport` to `file` (its directory created if need be). Replaces only a report
 * fake-apiserver wrote (its first line is a comment naming fake-apiserver) or an empty file, and never
 * writes through a symbolic link.
 * @throws FakeApiServerError `FILE_NOT_OURS` or `INVALID_OPTION`
 */
export async function writeRbacReportFile(recorder: AuthorizationRecorder, file: string): Promise<void> {
  try {
    await writeOwnedFile(file, serviceAccountsReport(recorder), { ...REPORT_RULE, mode: 0o644 });
  } catch (error) {
    if (error instanceof FakeApiServerError) throw error;
    throw new FakeApiServerError(
      'INVALID_OPTION',
      `cannot write the RBAC report to ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
      'give --rbac-report (rbacReportFile) a writable path',
    );
  }
}
