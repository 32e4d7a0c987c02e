import { invalidField, requiredField } from '../errors/field-errors.js';
import type { FieldError } from '../errors/status.js';
import { isJsonObject } from '../json/json-object.js';
import type { KubeObject } from '../registry/resource-kind.js';
import { validateName } from './object-validation.js';

/** `IsValidPortNum`'s message. */
const PORT_RANGE = 'must be between 1 and 65535, inclusive';

/**
 * `ValidateAPIService` beyond the name's path-segment check (the write path's): the name must be
 * `spec.version+"."+spec.group`, the group a DNS subdomain (empty only for the legacy `v1`), the version a DNS-1035
 * label, the priorities in range, and a Local APIService (no `spec.service`) without TLS settings.
 * @see https://github.com/kubernetes/kubernetes/blob/release-1.33/staging/src/k8s.io/kube-aggregator/pkg/apis/apiregistration/validation/validation.go
 */
export function validateApiService(apiService: KubeObject): FieldError[] {
  const spec = isJsonObject(apiService.spec) ? apiService.spec : {};
  const group = typeof spec.group === 'string' ? spec.group : '';
  const version = typeof spec.version === 'string' ? spec.version : '';
  const name = apiService.metadata?.name ?? '';
  const errors: FieldError[] = [];
  const requiredName = `${version}.${group}`;
  if (name && validateName(name, 'pathSegment').length === 0 && name !== requiredName)
    errors.push(
      invalidField(
        'metadata.name',
        name,
        `must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`,
      ),
    );
  if (!group && version !== 'v1')
    errors.push(requiredField('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  if (group)
    for (const message of validateName(group, 'dns1123Subdomain'))
      errors.push(invalidField('spec.group', group, message));
  for (const message of validateName(version, 'dns1035Label'))
    errors.push(invalidField('spec.version', version, message));
  const groupPriority = typeof spec.groupPriorityMinimum === 'number' ? spec.groupPriorityMinimum : 0;
  if (groupPriority <= 0 || groupPriority > 20000)
    errors.push(
      invalidField('spec.groupPriorityMinimum', groupPriority, 'must be positive and less than 20000'),
    );
  const versionPriority = typeof spec.versionPriority === 'number' ? spec.versionPriority : 0;
  if (versionPriority <= 0 || versionPriority > 1000)
    errors.push(invalidField('spec.versionPriority', versionPriority, 'must be positive and less than 1000'));
  const caBundle = typeof spec.caBundle === 'string' ? Buffer.from(spec.caBundle, 'base64') : Buffer.alloc(0);
  const insecure = spec.insecureSkipTLSVerify === true;
  if (!isJsonObject(spec.service)) {
    if (caBundle.length)
      errors.push(
        invalidField(
          'spec.caBundle',
          `${caBundle.length} bytes`,
          'local APIServices may not have a caBundle',
        ),
      );
    if (insecure)
      errors.push(
        invalidField(
          'spec.insecureSkipTLSVerify',
          true,
          'local APIServices may not have insecureSkipTLSVerify',
        ),
      );
    return errors;
  }
  const service = spec.service;
  if (!service.namespace) errors.push(requiredField('spec.service.namespace'));
  if (!service.name) errors.push(requiredField('spec.service.name'));
  const port = typeof service.port === 'number' ? service.port : 0;
  if (port < 1 || port > 65535)
    errors.push(invalidField('spec.service.port', port, `port is not valid: ${PORT_RANGE}`));
  if (insecure && caBundle.length)
    errors.push(invalidField('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
  return errors;
}
