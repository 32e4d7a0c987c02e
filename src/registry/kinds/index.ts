import type { ResourceKind } from '../resource-kind.js';
import { batchKinds } from './batch-kinds.js';
import { moreCoreKinds } from './core-kinds.js';
import { apiServiceKind } from './apiregistration-kinds.js';
import { groupKinds } from './group-kinds.js';

/** The built-in kinds beyond the original set (everything but apps/v1 and CRDs), ready for `builtInKinds`. */
export const additionalBuiltInKinds: readonly ResourceKind[] = [
  ...moreCoreKinds,
  ...batchKinds,
  ...groupKinds,
  apiServiceKind,
];
