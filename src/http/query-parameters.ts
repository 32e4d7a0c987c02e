/**
 * A boolean query parameter as `Convert_Slice_string_To_bool` reads it: present and neither "0" nor "false"
 * (any case). The Python client sends `watch=True`.
 * @see https://github.com/kubernetes/kubernetes/blob/master/staging/src/k8s.io/apimachinery/pkg/runtime/conversion.go
 */
export function booleanParameter(value: string | null): boolean {
  if (value === null) return false;
  return value !== '0' && value.toLowerCase() !== 'false';
}
