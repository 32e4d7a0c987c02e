import { defaultTableColumns, humanDuration, type TableColumn, type TablePrinter } from '../api/table.js';
import type { ResourceKind } from '../registry/resource-kind.js';
import { printerColumnsOf, type PrinterColumn } from './custom-resource-kinds.js';

type Json = Record<string, unknown>;

const nameColumn = defaultTableColumns[0]!;
const AGE_COLUMN: PrinterColumn = {
  name: 'Age',
  type: 'date',
  description: defaultTableColumns[1]!.description,
  jsonPath: '.metadata.creationTimestamp',
};

/**
 * The JSONPath subset printer columns use: `.a.b`, `.a[0]`, `.a[*].b` (first match) and
 * `.a[?(@.k=="v")].b`, with or without `{}`. Returns the first value found.
 */
export function evaluateSimpleJsonPath(obj: unknown, path: string): unknown {
  const expression = path.trim().replace(/^\{(.*)\}$/, '$1');
  const steps = expression.match(/\[[^\]]*\]|[^.[\]]+/g) ?? [];
  let values: unknown[] = [obj];
  for (const step of steps) {
    const next: unknown[] = [];
    for (const value of values) {
      if (value === null || typeof value !== 'object') continue;
      if (!step.startsWith('[')) {
        const child = (value as Json)[step];
        if (child !== undefined) next.push(child);
        continue;
      }
      if (!Array.isArray(value)) continue;
      const inner = step.slice(1, -1);
      const filter = /^\?\(@\.([\w.-]+)\s*==\s*["']?(.*?)["']?\)$/.exec(inner);
      if (filter) {
        next.push(
          ...value.filter((item) => String(evaluateSimpleJsonPath(item, `.${filter[1]}`)) === filter[2]),
        );
      } else if (inner === '*') {
        next.push(...value);
      } else if (/^-?\d+$/.test(inner)) {
        const index = Number(inner);
        const item = value[index < 0 ? value.length + index : index];
        if (item !== undefined) next.push(item);
      }
    }
    values = next;
  }
  return values[0];
}

/** `cellForJSONValue` of the CRD table convertor: typed cells, human ages for dates, `null` when absent. */
function cellFor(column: PrinterColumn, value: unknown, now: Date): unknown {
  if (value === undefined || value === null) return null;
  switch (column.type) {
    case 'date': {
      const ms = typeof value === 'string' ? Date.parse(value) : NaN;
      return Number.isNaN(ms) ? '<invalid>' : humanDuration(now.getTime() - ms);
    }
    case 'integer':
    case 'number':
      return typeof value === 'number' ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? value : null;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

/**
 * The Table printer of a custom resource kind: Name, then the version's `additionalPrinterColumns`
 * (Age when it declares none), as the apiextensions table convertor builds it; undefined for other kinds.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apiextensions-apiserver/pkg/registry/customresource/tableconvertor/tableconvertor.go
 */
export function customResourcePrinter(kind: ResourceKind): TablePrinter | undefined {
  const declared = printerColumnsOf(kind);
  if (!declared) return undefined;
  const columns = declared.length > 0 ? declared : [AGE_COLUMN];
  const definitions: TableColumn[] = [
    nameColumn,
    ...columns.map((c) => ({
      name: c.name,
      type: c.type,
      format: c.format ?? '',
      description: c.description ?? '',
      priority: c.priority ?? 0,
    })),
  ];
  return {
    columns: definitions,
    cells: (obj, now) => [
      (obj.metadata as Json | undefined)?.name ?? '',
      ...columns.map((c) => cellFor(c, evaluateSimpleJsonPath(obj, c.jsonPath), now)),
    ],
    emptyRows: [],
  };
}
