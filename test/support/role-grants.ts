import { parseAllDocuments } from 'yaml';

/**
 * The (apiGroup, resource, verb) triples the Role in a YAML text grants, sorted, as `group/resource: verb`:
 * comparable with what `server.rbacReport()` derives from a run.
 */
export function roleGrants(yamlText: string): string[] {
  const role = parseAllDocuments(yamlText)
    .map(
      (document) =>
        document.toJS() as {
          kind?: string;
          rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[];
        },
    )
    .find((document) => document?.kind === 'Role');
  const triples = (role?.rules ?? []).flatMap((rule) =>
    rule.apiGroups.flatMap((group) =>
      rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${group}/${resource}: ${verb}`)),
    ),
  );
  return [...new Set(triples)].sort();
}
