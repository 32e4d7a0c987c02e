import { FakeApiServerError } from './developer-error.js';
import { ApiError, badRequest, notFoundMessage } from './status.js';

/**
 * A developer error met while serving fake-apiserver's control API, as the `Status` its caller gets: 404 for a
 * service account, pod or pod file that does not exist, 400 for the rest, the message without its prefix and with the
 * hint on the same line. Any other error is returned as it is.
 */
export function developerErrorAsStatus(error: unknown): unknown {
  if (!(error instanceof FakeApiServerError)) return error;
  const message = error.message.replace(/^\[fake-apiserver\] /, '').replace(/\n {2}hint: /, '; ');
  return error.code === 'SERVICE_ACCOUNT_NOT_FOUND' ||
    error.code === 'POD_NOT_FOUND' ||
    error.code === 'POD_FILE_NOT_FOUND'
    ? notFoundMessage(message)
    : badRequest(message);
}

/**
 * A Status error met while seeding a document (a fixture, `server.apply()`), as the developer error that names
 * the document: `fixtures/app.yaml, document 2: Pod "x" is invalid: ...`. Other errors pass unchanged.
 */
export function asFixtureError(where: string, error: unknown): unknown {
  return error instanceof ApiError
    ? new FakeApiServerError('FIXTURE_INVALID', `${where}: ${error.message}`)
    : error;
}
