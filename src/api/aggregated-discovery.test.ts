import { describe, expect, it } from 'vitest';
import { negotiateDiscovery } from './aggregated-discovery.js';

const V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
const V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

describe('negotiateDiscovery', () => {
  it("takes client-go's first aggregated clause, kubectl 1.27's v2beta1 too", () => {
    expect(negotiateDiscovery(`${V2},${V2BETA1},application/json`)).toEqual({ aggregated: 'v2' });
    expect(negotiateDiscovery(`${V2BETA1},application/json`)).toEqual({ aggregated: 'v2beta1' });
  });

  it('answers legacy without an aggregated clause, or for unknown versions and a server version', () => {
    expect(negotiateDiscovery(undefined)).toEqual({});
    expect(negotiateDiscovery('application/json, */*')).toEqual({});
    expect(
      negotiateDiscovery('application/json;g=apidiscovery.k8s.io;v=v1;as=APIGroupDiscoveryList'),
    ).toEqual({});
    expect(negotiateDiscovery(`${V2};sv=v1`)).toEqual({});
  });

  it('orders clauses by quality, then specificity, as goautoneg', () => {
    expect(negotiateDiscovery(`${V2};q=0.5,${V2BETA1}`)).toEqual({ aggregated: 'v2beta1' });
    expect(negotiateDiscovery(`*/*;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2BETA1}`)).toEqual({
      aggregated: 'v2beta1',
    });
    expect(negotiateDiscovery(`${V2};q=0,${V2BETA1};q=0.1`)).toEqual({ aggregated: 'v2beta1' });
  });

  it('passes over the protobuf and YAML forms, which are not served', () => {
    expect(
      negotiateDiscovery(
        `application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,${V2BETA1}`,
      ),
    ).toEqual({ aggregated: 'v2beta1' });
    expect(
      negotiateDiscovery('application/yaml;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'),
    ).toEqual({});
  });
});
