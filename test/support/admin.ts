import { parse } from 'yaml';

/** The admin client certificate and key embedded in a kubeconfig. */
export function adminCredentials(kubeconfig: string): { cert: string; key: string } {
  const config = parse(kubeconfig) as { users: { user: Record<string, string> }[] };
  const user = config.users[0]!.user;
  return {
    cert: Buffer.from(user['client-certificate-data']!, 'base64').toString('utf8'),
    key: Buffer.from(user['client-key-data']!, 'base64').toString('utf8'),
  };
}
