import { describe, expect, it } from 'vitest';
import {
  decodeChannelMessage,
  encodeChannelMessage,
  EXEC_WEBSOCKET_PROTOCOLS,
  negotiateProtocol,
  PORT_FORWARD_WEBSOCKET_PROTOCOLS,
} from './channel-protocol.js';

describe('channel protocols', () => {
  it('negotiates in the client order, as wsstream.handshake does', () => {
    const clientNode = [
      'v5.channel.k8s.io',
      'v4.channel.k8s.io',
      'v3.channel.k8s.io',
      'v2.channel.k8s.io',
      'channel.k8s.io',
    ];
    expect(negotiateProtocol(clientNode, EXEC_WEBSOCKET_PROTOCOLS)).toBe('v5.channel.k8s.io');
    expect(negotiateProtocol(['v4.channel.k8s.io'], EXEC_WEBSOCKET_PROTOCOLS)).toBe('v4.channel.k8s.io');
    expect(negotiateProtocol([], EXEC_WEBSOCKET_PROTOCOLS)).toBe('');
    // v2 and v3 exist only over SPDY; v5 is exec/attach only.
    expect(negotiateProtocol(['v3.channel.k8s.io'], EXEC_WEBSOCKET_PROTOCOLS)).toBeUndefined();
    expect(negotiateProtocol(['v5.channel.k8s.io'], PORT_FORWARD_WEBSOCKET_PROTOCOLS)).toBeUndefined();
  });

  it('encodes binary and base64 messages', () => {
    expect(encodeChannelMessage(1, Buffer.from('hi'), false)).toEqual(Buffer.from([1, 0x68, 0x69]));
    expect(encodeChannelMessage(2, Buffer.from('hi'), true)).toBe('2aGk=');
  });

  it('decodes data, base64 data and the v5 close signal', () => {
    expect(decodeChannelMessage(Buffer.from([0, 0x61]), false, true)).toEqual({
      kind: 'data',
      channel: 0,
      data: Buffer.from('a'),
    });
    expect(decodeChannelMessage(Buffer.from('0aGk='), true, false)).toEqual({
      kind: 'data',
      channel: 0,
      data: Buffer.from('hi'),
    });
    expect(decodeChannelMessage(Buffer.from([255, 0]), false, true)).toEqual({ kind: 'close', channel: 0 });
    expect(decodeChannelMessage(Buffer.from([255, 0, 1]), false, true)).toEqual({ kind: 'invalid' });
    // Without v5, 255 is just a channel number nobody reads.
    expect(decodeChannelMessage(Buffer.from([255, 0]), false, false).kind).toBe('data');
  });
});
