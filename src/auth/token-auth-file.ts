import { readFile } from 'node:fs/promises';
import { FakeApiServerError } from '../errors/developer-error.js';
import type { StaticUser } from '../types.js';

/**
 * Parses kube-apiserver's `--token-auth-file` CSV: `token,user,uid[,"group1,group2"]` per line.
 * Errors name the file and line.
 * @see https://kubernetes.io/docs/reference/access-authn-authz/authentication/#static-token-file
 */
export function parseTokenAuthFile(text: string, file: string): StaticUser[] {
  const users: StaticUser[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const fields = splitCsvLine(line);
    if (fields.length < 3 || !fields[0] || !fields[1]) {
      throw new FakeApiServerError(
        'INVALID_OPTION',
        `${file}, line ${index + 1}: expected token,user,uid[,"group1,group2"]`,
        'one user per line, as kube-apiserver --token-auth-file',
      );
    }
    const groups = (fields[3] ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
    users.push({ token: fields[0], name: fields[1], ...(fields[2] ? { uid: fields[2] } : {}), groups });
  });
  return users;
}

function splitCsvLine(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const char = line[i]!;
    if (char === '"') {
      if (quoted && line[i + 1] === '"') {
        current += '"';
        i++;
      } else quoted = !quoted;
    } else if (char === ',' && !quoted) {
      fields.push(current.trim());
      current = '';
    } else current += char;
  }
  fields.push(current.trim());
  return fields;
}

/** Reads a token auth file. */
export async function readTokenAuthFile(file: string): Promise<StaticUser[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    throw new FakeApiServerError('INVALID_OPTION', `token auth file ${file} cannot be read`);
  }
  return parseTokenAuthFile(text, file);
}
