import type { DocumentOptions, ParseOptions, SchemaOptions, ToJSOptions } from 'yaml';

/**
 * How YAML is read here so that it means what it means to Kubernetes, whose decoders (sigs.k8s.io/yaml over
 * go-yaml v2) read YAML 1.1: `0400` is octal (256: a Secret volume's `defaultMode: 0400`), `yes`/`no`/`on`/`off`
 * are booleans, `1_000` is 1000. Two 1.1 types go-yaml v2 does not give an untyped decode are left out: an
 * unquoted timestamp stays the string it is ("for backward compatibility reasons we set it as a string",
 * go-yaml v2 decode.go), and sexagesimal `1:20` is a string, not 80. `logLevel: 'error'`: a client's odd tags
 * must not print Node warnings in the host process.
 * @see https://github.com/kubernetes-sigs/yaml/blob/master/yaml.go
 * @see https://github.com/go-yaml/yaml/blob/v2.4.0/resolve.go
 */
export const GO_YAML: ParseOptions & DocumentOptions & SchemaOptions & ToJSOptions = {
  version: '1.1',
  logLevel: 'error',
  customTags: (tags) =>
    tags.filter((tag) =>
      typeof tag === 'string'
        ? !['timestamp', 'intTime', 'floatTime'].includes(tag)
        : tag.tag !== 'tag:yaml.org,2002:timestamp' && tag.format !== 'TIME',
    ),
};
