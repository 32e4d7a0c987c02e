import type { IncomingMessage, ServerResponse } from 'node:http';
import inject from 'light-my-request';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prepareKeyMaterial } from '../src/pki/key-material.js';
import { buildServer, type BuiltServer } from '../src/server/build-server.js';
import { FaultInjector } from '../src/faults/fault-injector.js';
import { resolveServerLimits } from '../src/server/limits.js';

/**
 * The request pipeline driven in process, without a socket: built apart from listening (`buildServer`), the
 * server answers injected requests through every stage (authentication, RBAC, routing, the write path, the
 * error table) as it answers them over HTTPS.
 */
describe('the pipeline without a socket', () => {
  let built: BuiltServer;
  const admin = { authorization: 'Bearer admin-token' };
  const nobody = { authorization: 'Bearer nobody-token' };

  beforeAll(async () => {
    const { material } = prepareKeyMaterial({ host: '127.0.0.1' });
    built = await buildServer(
      {
        users: [
          { name: 'admin', groups: ['system:masters'], token: 'admin-token' },
          { name: 'nobody', token: 'nobody-token' },
        ],
      },
      material,
      {
        host: '127.0.0.1',
        port: 6443,
        limits: resolveServerLimits({}),
        faults: new FaultInjector(),
        log: () => {},
      },
    );
  });
  afterAll(() => built?.stop());

  /**
   * light-my-request's request is a Readable with `headers` and `rawHeaders`, not an `IncomingMessage`: the
   * getter `headersDistinct` (read by impersonation) is given from its raw headers, as Node computes it.
   */
  const dispatch = (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const distinct: Record<string, string[]> = {};
    for (let i = 0; i < req.rawHeaders.length; i += 2) {
      (distinct[req.rawHeaders[i]!.toLowerCase()] ??= []).push(req.rawHeaders[i + 1]!);
    }
    Object.defineProperty(req, 'headersDistinct', { value: distinct });
    return built.pipeline(req, res);
  };

  it('creates and reads an object, with the write path and the store', async () => {
    const created = await inject(dispatch, {
      method: 'POST',
      url: '/api/v1/namespaces/default/configmaps?fieldManager=in-process',
      headers: { ...admin, 'content-type': 'application/json' },
      payload: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'settings' },
        data: { mode: 'fast' },
      },
    });
    expect(created.statusCode).toBe(201);
    const body = created.json<{
      metadata: { resourceVersion: string; managedFields: { manager: string }[] };
    }>();
    expect(body.metadata.managedFields[0]!.manager).toBe('in-process');
    const read = await inject(dispatch, {
      url: '/api/v1/namespaces/default/configmaps/settings',
      headers: admin,
    });
    expect(read.statusCode).toBe(200);
    expect(read.json()).toMatchObject({
      data: { mode: 'fast' },
      metadata: { resourceVersion: body.metadata.resourceVersion },
    });
  });

  it('authenticates, authorizes and answers with the error table', async () => {
    const denied = await inject(dispatch, {
      url: '/api/v1/namespaces/default/secrets',
      headers: nobody,
    });
    expect(denied.statusCode).toBe(403);
    expect(denied.json()).toMatchObject({
      kind: 'Status',
      reason: 'Forbidden',
      message:
        'secrets is forbidden: User "nobody" cannot list resource "secrets" in API group "" in the namespace "default"',
    });
    const unauthorized = await inject(dispatch, {
      url: '/api/v1/namespaces',
      headers: { authorization: 'Bearer wrong' },
    });
    expect(unauthorized.statusCode).toBe(401);
    const missing = await inject(dispatch, {
      url: '/api/v1/namespaces/default/pods/absent',
      headers: admin,
    });
    expect(missing.json()).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'pods "absent" not found',
    });
  });

  it('serves discovery with the address it was told', async () => {
    const api = await inject(dispatch, { url: '/api', headers: admin });
    expect(api.json()).toMatchObject({ serverAddressByClientCIDRs: [{ serverAddress: '127.0.0.1:6443' }] });
  });
});
