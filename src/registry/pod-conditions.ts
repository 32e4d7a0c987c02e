/** A pod's condition as stored in `status.conditions`. */
export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
  observedGeneration?: number;
}

/**
 * Sets one condition of a pod's status as `podutil.UpdatePodCondition` does: `lastTransitionTime` moves only
 * when the status changes; reason and message are replaced. Returns whether anything changed.
 * @see https://github.com/kubernetes/kubernetes/blob/v1.33.0/pkg/api/v1/pod/util.go (UpdatePodCondition)
 */
export function setPodCondition(
  status: Record<string, unknown>,
  condition: Omit<PodCondition, 'lastTransitionTime' | 'lastProbeTime'>,
  now: string,
): boolean {
  const conditions = ((status.conditions as PodCondition[] | undefined) ?? []).slice();
  const index = conditions.findIndex((c) => c.type === condition.type);
  const old = index >= 0 ? conditions[index] : undefined;
  const next: PodCondition = {
    type: condition.type,
    status: condition.status,
    lastProbeTime: null,
    lastTransitionTime: old && old.status === condition.status ? (old.lastTransitionTime ?? now) : now,
    ...(condition.reason ? { reason: condition.reason } : {}),
    ...(condition.message ? { message: condition.message } : {}),
  };
  if (
    old &&
    old.status === next.status &&
    (old.reason ?? '') === (next.reason ?? '') &&
    (old.message ?? '') === (next.message ?? '')
  )
    return false;
  if (index >= 0) conditions[index] = next;
  else conditions.push(next);
  status.conditions = conditions;
  return true;
}

/** The condition of a type, if the status has it. */
export function podCondition(status: unknown, type: string): PodCondition | undefined {
  const conditions = (status as { conditions?: PodCondition[] } | undefined)?.conditions ?? [];
  return conditions.find((c) => c.type === type);
}
