import { describe, expect, it } from 'vitest';
import { websocketHandlerRefusal } from './watch-stream.js';

const request = {
  connection: 'keep-alive, Upgrade',
  upgrade: 'websocket',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
  'sec-websocket-version': '13',
  origin: 'http://example.com',
};

describe("websocketHandlerRefusal: what x/net/websocket's Handler refuses, as it writes it", () => {
  it('accepts a GET with a key, version 13, an Origin and one subprotocol at most', () => {
    expect(websocketHandlerRefusal('GET', request)).toBeUndefined();
    expect(websocketHandlerRefusal('GET', { ...request, origin: '/relative' })).toBeUndefined();
    expect(
      websocketHandlerRefusal('GET', { ...request, 'sec-websocket-protocol': ' chat ' }),
    ).toBeUndefined();
  });

  it('refuses with its status lines and texts', () => {
    const { origin: _origin, ...noOrigin } = request;
    expect(websocketHandlerRefusal('POST', request)).toBe(
      'HTTP/1.1 405 Method Not Allowed\r\n\r\nbad method',
    );
    expect(websocketHandlerRefusal('GET', { ...request, 'sec-websocket-key': '' })).toBe(
      'HTTP/1.1 400 Bad Request\r\n\r\nmismatch challenge/response',
    );
    expect(websocketHandlerRefusal('GET', { ...request, 'sec-websocket-version': '8' })).toBe(
      'HTTP/1.1 400 Bad Request\r\nSec-WebSocket-Version: 13\r\n\r\nmissing or bad WebSocket Version',
    );
    expect(websocketHandlerRefusal('GET', noOrigin)).toBe('HTTP/1.1 403 Forbidden\r\n\r\n');
    expect(websocketHandlerRefusal('GET', { ...request, origin: 'not a uri' })).toBe(
      'HTTP/1.1 403 Forbidden\r\n\r\n',
    );
    // "a," is two protocols for Go (one empty): AcceptHandshake fails.
    expect(websocketHandlerRefusal('GET', { ...request, 'sec-websocket-protocol': 'a,' })).toBe(
      'HTTP/1.1 400 Bad Request\r\n\r\n',
    );
  });
});
