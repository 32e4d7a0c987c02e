import { readFile } from 'node:fs/promises';
import { relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { FakeApiServerError } from '../errors/developer-error.js';
import { FaultRuleError, parseFaultRules } from './parse-fault-rule.js';
import type { FaultRule } from './types.js';

/**
 * Reads a `--faults` file: a YAML or JSON list of rules (YAML is a superset of JSON, so one parser reads
 * both). Every rule is validated here, so that an error names the file and the rule
 * (`faults.yaml, rule 2: ...`); an empty file is no rules.
 */
export async function readFaultsFile(file: string): Promise<FaultRule[]> {
  const display = relative(process.cwd(), file) || file;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new FakeApiServerError(
      'INVALID_FAULT_RULE',
      `faults file ${display} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`,
    );
  }
  let value: unknown;
  try {
    value = parseYaml(text) ?? [];
  } catch (error) {
    throw new FakeApiServerError('INVALID_FAULT_RULE', `${display}: ${(error as Error).message}`);
  }
  try {
    parseFaultRules(value);
  } catch (error) {
    if (!(error instanceof FaultRuleError)) throw error;
    throw new FakeApiServerError(
      'INVALID_FAULT_RULE',
      `${display}: ${error.message}`,
      'a faults file is a list of rules; see "Injecting faults" in the README',
    );
  }
  return value as FaultRule[];
}
