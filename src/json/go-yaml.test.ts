import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { GO_YAML } from './go-yaml.js';

describe('YAML read as sigs.k8s.io/yaml reads it (YAML 1.1, go-yaml v2)', () => {
  it('reads octal, 1.1 booleans and underscores as Kubernetes does', () => {
    expect(parse('mode: 0400\nhex: 0x1F\nbig: 1_000\nquoted: "0400"\nnine: 09', GO_YAML)).toEqual({
      mode: 256,
      hex: 31,
      big: 1000,
      quoted: '0400',
      nine: 9,
    });
    expect(parse('a: yes\nb: off\nc: On\nd: "yes"\ne: true', GO_YAML)).toEqual({
      a: true,
      b: false,
      c: true,
      d: 'yes',
      e: true,
    });
  });

  it('keeps an unquoted timestamp and a sexagesimal number as the strings they are', () => {
    expect(parse('date: 2026-01-01\ntime: 2026-01-01T10:00:00Z\nport: 1:20', GO_YAML)).toEqual({
      date: '2026-01-01',
      time: '2026-01-01T10:00:00Z',
      port: '1:20',
    });
  });
});
