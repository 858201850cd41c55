/**
 * Per-cluster PKI for the test bed: a CA, the apiserver's serving certificate (signed by that CA,
 * SANs for 127.0.0.1/localhost/kubernetes.default.svc and the service IP), the ServiceAccount
 * signing key pair, and a static token file for the bed's own users.
 *
 * X.509 signing uses the openssl CLI (Node's crypto cannot issue certificates).
 */
import { execFileSync } from 'node:child_process';
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface Pki {
  dir: string;
  caCert: string;
  caKey: string;
  serverCert: string;
  serverKey: string;
  saKey: string;
  saPub: string;
  tokenFile: string;
  /** user name -> bearer token */
  tokens: Record<string, string>;
}

/** Static users of every cluster (token file). CoreDNS is not here: it gets a real ServiceAccount token. */
export const STATIC_USERS: { name: string; groups: string[] }[] = [
  { name: 'admin', groups: ['system:masters'] },
  { name: 'system:kube-controller-manager', groups: [] },
  { name: 'system:kube-scheduler', groups: [] },
  // kwok plays every kubelet and the volume provisioner; it writes node/pod/PV status across the cluster.
  { name: 'kwok', groups: ['system:masters'] },
];

function openssl(args: string[], cwd: string) {
  try {
    execFileSync('openssl', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: Buffer };
    if (err.code === 'ENOENT') {
      throw new Error('testbed: the `openssl` CLI is missing (needed to issue the clusters\' TLS certificates); install it (Debian: apt-get install openssl)');
    }
    throw new Error(`openssl ${args.join(' ')} failed: ${err.stderr?.toString() ?? err.message}`);
  }
}

/** Creates all PKI files in dir (overwriting). serviceIp = first IP of the service CIDR. */
export function createPki(dir: string, clusterId: string, serviceIp: string): Pki {
  fs.mkdirSync(dir, { recursive: true });
  const p = (f: string) => path.join(dir, f);
  openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '3650', '-subj', `/CN=testbed-ca-${clusterId}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
      '-keyout', 'ca.key', '-out', 'ca.crt'],
    dir,
  );
  openssl(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=kube-apiserver', '-keyout', 'apiserver.key', '-out', 'apiserver.csr'], dir);
  fs.writeFileSync(
    p('apiserver.ext'),
    `subjectAltName=IP:127.0.0.1,IP:${serviceIp},DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local\n` +
      'extendedKeyUsage=serverAuth\nkeyUsage=critical,digitalSignature,keyEncipherment\n',
  );
  openssl(['x509', '-req', '-in', 'apiserver.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '3650', '-extfile', 'apiserver.ext', '-out', 'apiserver.crt'], dir);

  const { privateKey, publicKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  fs.writeFileSync(p('sa.key'), privateKey.export({ type: 'pkcs1', format: 'pem' }), { mode: 0o600 });
  fs.writeFileSync(p('sa.pub'), publicKey.export({ type: 'spki', format: 'pem' }));

  const tokens: Record<string, string> = {};
  const lines: string[] = [];
  for (const u of STATIC_USERS) {
    const t = crypto.randomBytes(24).toString('hex');
    tokens[u.name] = t;
    lines.push(`${t},${u.name},${u.name}-uid${u.groups.length ? `,"${u.groups.join(',')}"` : ''}`);
  }
  fs.writeFileSync(p('tokens.csv'), lines.join('\n') + '\n', { mode: 0o600 });
  return {
    dir,
    caCert: p('ca.crt'),
    caKey: p('ca.key'),
    serverCert: p('apiserver.crt'),
    serverKey: p('apiserver.key'),
    saKey: p('sa.key'),
    saPub: p('sa.pub'),
    tokenFile: p('tokens.csv'),
    tokens,
  };
}
