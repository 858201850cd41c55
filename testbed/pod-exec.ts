/**
 * `kubectl exec` into a pod of the bed. There is no container runtime: kwok plays every kubelet
 * and serves the kubelet API (exec included) on its --server-address, and the API server reaches
 * it there through the nodes' ExternalIP 127.0.0.1 and daemonEndpoints port (bring-up.ts,
 * `--kubelet-preferred-address-types=ExternalIP`). kwok runs an exec'd command as a LOCAL process
 * on the host, configured by a ClusterExec in its --config file: working folder and environment
 * per cluster. The environment puts a folder first on PATH whose `nslookup` and `dig` are the real
 * ones (Debian's bind9-dnsutils) asking that cluster's CoreDNS, as a pod's resolv.conf would make
 * them do. Everything else (sh, files, network) is the host's: this is not a container.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';

/** The real resolver tools the wrappers run (Debian package bind9-dnsutils). */
export const DNS_TOOLS = { nslookup: '/usr/bin/nslookup', dig: '/usr/bin/dig' } as const;

/** The real tools that are not installed (exec'd `nslookup`/`dig` then fail in every pod, saying so). */
export function missingDnsTools(): string[] {
  return Object.values(DNS_TOOLS).filter((tool) => {
    try {
      fs.accessSync(tool, fs.constants.X_OK);
      return false;
    } catch {
      return true;
    }
  });
}

/** `<cluster dir>/exec`: working folder of every exec'd command; `bin/` in it comes first on PATH. */
export function podExecDir(clusterDir: string): string {
  return path.join(clusterDir, 'exec');
}

/** A wrapper that runs `tool` against the cluster's CoreDNS, or says which package is missing. */
function wrapperScript(tool: keyof typeof DNS_TOOLS, corednsPort: number): string {
  const real = DNS_TOOLS[tool];
  // nslookup takes the server as its last argument; dig takes @server and -p anywhere.
  const run = tool === 'nslookup' ? `exec ${real} -port=${corednsPort} "$@" 127.0.0.1` : `exec ${real} -p ${corednsPort} @127.0.0.1 "$@"`;
  return [
    '#!/bin/sh',
    `# ${tool} in a pod of this test-bed cluster: the real ${tool}, asking the cluster's CoreDNS (127.0.0.1:${corednsPort}) as the pod's resolv.conf would.`,
    `if [ ! -x ${real} ]; then echo "${tool}: ${real} is missing on this host; install Debian's bind9-dnsutils (apt-get install bind9-dnsutils)" >&2; exit 127; fi`,
    run,
    '',
  ].join('\n');
}

/**
 * Writes the cluster's exec environment (`<cluster dir>/exec/bin/{nslookup,dig}`) and the kwok
 * config file with the ClusterExec that uses it for every pod and container; returns that file's path.
 */
export function writePodExecConfig(clusterDir: string, corednsPort: number): string {
  const dir = podExecDir(clusterDir);
  const bin = path.join(dir, 'bin');
  fs.mkdirSync(bin, { recursive: true });
  for (const tool of Object.keys(DNS_TOOLS) as (keyof typeof DNS_TOOLS)[]) {
    fs.writeFileSync(path.join(bin, tool), wrapperScript(tool, corednsPort), { mode: 0o755 });
  }
  const clusterExec = {
    apiVersion: 'kwok.x-k8s.io/v1alpha1',
    kind: 'ClusterExec',
    metadata: { name: 'testbed-local-exec' },
    // No selector: every pod of every namespace; no containers: every container.
    spec: { execs: [{ local: { workDir: dir, envs: [{ name: 'PATH', value: `${bin}:/usr/local/bin:/usr/bin:/bin` }] } }] },
  };
  const file = path.join(clusterDir, 'kwok-exec.yaml');
  fs.writeFileSync(file, stringify(clusterExec));
  return file;
}
