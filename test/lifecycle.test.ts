import { request } from 'node:https';
import { describe, expect, it } from 'vitest';
import { startFakeApiServer } from '../src/index.js';
import { adminCredentials } from './support/admin.js';
import { send } from './support/https-client.js';

describe('server lifecycle', () => {
  it('ends open watches on close, and closing twice is harmless', async () => {
    const server = await startFakeApiServer();
    const admin = adminCredentials(server.kubeconfig);
    const ended = new Promise<string>((resolve, reject) => {
      request(`${server.url}/api/v1/pods?watch=true`, { ca: server.caCert, ...admin }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk));
        res.on('end', () => resolve(text));
        res.on('error', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    await new Promise((r) => setTimeout(r, 200));
    await server.close();
    await server.close();
    const text = await ended;
    expect(
      text
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line).type),
    ).toEqual(['ADDED', 'ADDED', 'ADDED']);
  });

  it('supports await using', async () => {
    let url: string;
    {
      await using server = await startFakeApiServer();
      url = server.url;
      expect((await send(url, server.caCert, { path: '/version' })).status).toBe(200);
    }
    await expect(send(url, '', { path: '/version' })).rejects.toThrow();
  });

  it('serves on IPv6 loopback with a certificate valid for [::1]', async () => {
    await using server = await startFakeApiServer({ host: '::1' });
    expect(server.url).toMatch(/^https:\/\/\[::1\]:\d+$/);
    expect(server.env.KUBERNETES_SERVICE_HOST).toBe('::1');
    const response = await send(server.url, server.caCert, { path: '/version' });
    expect(response.json().gitVersion).toBe('v1.33.1');
  });

  it('refuses a fixture error before serving, naming the file and document', async () => {
    await expect(startFakeApiServer({ fixtures: 'test/fixtures/bad' })).rejects.toMatchObject({
      code: 'FIXTURE_INVALID',
      message: '[fake-apiserver] test/fixtures/bad/broken.yaml, document 2: metadata is missing',
    });
  });
});
