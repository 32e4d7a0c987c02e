import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UserInfo } from '../auth/user-info.js';
import { PlainTextError } from '../errors/plain-text-error.js';
import { ApiError } from '../errors/status.js';
import type { RbacDecision } from '../rbac/authorizer.js';
import type { AuthorizationAttributes } from '../rbac/types.js';
import {
  capabilityCookie,
  capabilityCookieName,
  cookieValues,
  TOKEN_PARAMETER,
  type InspectorCapability,
} from './capability.js';
import { isAllowedHost, type ListenAddress } from './host-check.js';

/** Where the web inspector is served, next to the control API under fake-apiserver's own prefix. */
export const UI_PREFIX = '/fake-apiserver/ui';

/** Whether a URL path belongs to the web inspector. */
export function isInspectorPath(path: string): boolean {
  return path === UI_PREFIX || path.startsWith(`${UI_PREFIX}/`);
}

/** How the pipeline identifies a client that brings a credential instead of the inspector's token. */
export interface InspectorCredentials {
  /**
   * The pipeline's authentication and impersonation: throws the 401 `Status`, or returns undefined once it
   * has answered an impersonation failure itself.
   */
  authenticate(): UserInfo | undefined;
  /** The pipeline's RBAC authorizer (nothing is recorded in the decision log). */
  decide(attributes: AuthorizationAttributes): RbacDecision;
}

/** What the inspector's access rule needs of the server. */
export interface InspectorAccess {
  capability: InspectorCapability;
  listenAddress(): ListenAddress;
}

/**
 * What a credential's user must be allowed to do to open the inspector: `list` every resource of every
 * API group, cluster-wide (`kubectl auth can-i list '*.*' -A`), as cluster-admin may. The inspector shows
 * every object, Secrets included, and everyone's requests: only a user who could read all of that through
 * the API may read it there.
 */
function readEverything(user: UserInfo): AuthorizationAttributes {
  return {
    user,
    verb: 'list',
    isResourceRequest: true,
    path: '',
    namespace: '',
    apiGroup: '*',
    apiVersion: '*',
    resource: '*',
    subresource: '',
    name: '',
  };
}

const NEEDS_TOKEN =
  '[fake-apiserver] the web inspector needs its token: open the URL fake-apiserver printed at start ("web inspector at https://…/fake-apiserver/ui/?token=…", or server.uiUrl), or send a credential of a user RBAC allows to list every resource. If you opened that URL and still see this, reload the page.\n';
const WRONG_TOKEN =
  "[fake-apiserver] that is not this web inspector's token: open the URL this server printed at start (server.uiUrl); a restarted server has a new token.\n";

function refusal(code: 401 | 403, text: string): PlainTextError {
  return new PlainTextError(code, code === 401 ? 'Unauthorized' : 'Forbidden', text);
}

function isAnonymous(user: UserInfo): boolean {
  return user.groups.includes('system:unauthenticated');
}

/**
 * The inspector's access rule, which stands in for RBAC on its paths. The `Host` header must name this
 * server (`isAllowedHost`), or 403. Then either the token: in its cookie (`capabilityCookie`), or in the URL
 * printed at start, which is answered with the cookie and a redirect to the same page without the token (so
 * that it does not stay in the address bar and history); or a credential (client certificate, bearer token)
 * of a user RBAC allows to list every resource (`readEverything`). No credential, a failed one or a wrong
 * token get 401, a user RBAC does not allow 403: plain text saying what to do, and nothing of the store.
 *
 * Returns whether to serve; throws the refusal (`PlainTextError`), or returns false once it has answered.
 */
export function admitToInspector(
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  access: InspectorAccess,
  credentials: InspectorCredentials,
): boolean {
  const listen = access.listenAddress();
  if (!isAllowedHost(req.headers.host, listen, req.socket.localAddress)) {
    const host = JSON.stringify((req.headers.host ?? '').slice(0, 200));
    throw refusal(
      403,
      `[fake-apiserver] the web inspector does not answer to Host ${host}: only to localhost, 127.0.0.1, [::1] or the address it listens on, with its port ${listen.port} (a defence against DNS rebinding). Open the URL it printed at start.\n`,
    );
  }
  const cookieName = capabilityCookieName(listen.port);
  if (cookieValues(req.headers.cookie, cookieName).some((value) => access.capability.matches(value))) {
    return true;
  }
  const method = req.method ?? 'GET';
  const offered = url.searchParams.get(TOKEN_PARAMETER);
  if (offered !== null && (method === 'GET' || method === 'HEAD')) {
    if (!access.capability.matches(offered)) throw refusal(401, WRONG_TOKEN);
    const rest = new URLSearchParams(url.searchParams);
    rest.delete(TOKEN_PARAMETER);
    const query = rest.toString();
    res.statusCode = 303;
    res.setHeader('Set-Cookie', capabilityCookie(cookieName, access.capability.token, UI_PREFIX));
    res.setHeader('Location', `${url.pathname}${query ? `?${query}` : ''}`);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.end();
    return false;
  }

  let user: UserInfo | undefined;
  try {
    user = credentials.authenticate();
  } catch (error) {
    if (error instanceof ApiError && error.code === 401) throw refusal(401, NEEDS_TOKEN);
    throw error;
  }
  if (!user) return false;
  if (credentials.decide(readEverything(user)).allowed) return true;
  if (isAnonymous(user)) throw refusal(401, NEEDS_TOKEN);
  throw refusal(
    403,
    `[fake-apiserver] User ${JSON.stringify(user.username)} may not open the web inspector: it shows every object, Secrets included, so RBAC must allow the user to list every resource of every API group (apiGroups ["*"], resources ["*"], as cluster-admin), or open the URL with its token (server.uiUrl).\n`,
  );
}
