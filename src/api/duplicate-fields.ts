/**
 * Duplicate keys of a JSON body, which `JSON.parse` silently resolves (the last wins, as in Go) and
 * `sigs.k8s.io/json`'s strict decoding reports as `duplicate field "metadata.name"`.
 * @see https://github.com/kubernetes-sigs/json/blob/main/internal/golang/encoding/json/kubernetes_patch.go
 */

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);

/**
 * The paths of the keys that appear twice in one object of a JSON text (`spec.template.metadata.labels.app`,
 * `spec.containers[0].image`), in document order, each once; none for text that is not a JSON object.
 */
export function findDuplicateFields(text: string): string[] {
  const found: string[] = [];
  let pos = 0;
  const skipSpace = () => {
    while (pos < text.length && WHITESPACE.has(text[pos]!)) pos++;
  };
  const readString = (): string => {
    const start = pos++;
    while (pos < text.length && text[pos] !== '"') pos += text[pos] === '\\' ? 2 : 1;
    pos++;
    return JSON.parse(text.slice(start, pos)) as string;
  };
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const readValue = (path: string): void => {
    skipSpace();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const keys = new Set<string>();
      for (;;) {
        skipSpace();
        if (text[pos] === '}' || pos >= text.length) break;
        const key = readString();
        const keyPath = join(path, key);
        if (keys.has(key) && !found.includes(keyPath)) found.push(keyPath);
        keys.add(key);
        skipSpace();
        pos++; // ':'
        readValue(keyPath);
        skipSpace();
        if (text[pos] === ',') pos++;
      }
      pos++;
    } else if (c === '[') {
      pos++;
      for (let index = 0; ; index++) {
        skipSpace();
        if (text[pos] === ']' || pos >= text.length) break;
        readValue(`${path}[${index}]`);
        skipSpace();
        if (text[pos] === ',') pos++;
      }
      pos++;
    } else if (c === '"') {
      readString();
    } else {
      while (pos < text.length && !',}] \t\n\r'.includes(text[pos]!)) pos++;
    }
  };
  skipSpace();
  if (text[pos] !== '{') return [];
  try {
    readValue('');
  } catch {
    return [];
  }
  return found;
}
