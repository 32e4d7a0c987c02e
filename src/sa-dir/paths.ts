/** Where a pod's containers see the service-account volume, relative to the root. */
export const SERVICE_ACCOUNT_MOUNT_PATH = 'var/run/secrets/kubernetes.io/serviceaccount';

/** The absolute path a pod's containers find their service account's files at. */
export const SERVICE_ACCOUNT_PATH = `/${SERVICE_ACCOUNT_MOUNT_PATH}`;
