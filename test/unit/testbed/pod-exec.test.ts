import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';
import { DNS_TOOLS, podExecDir, writePodExecConfig } from '../../../testbed/pod-exec';
import { tempDir } from '../support/temp-dir';

describe('exec in a pod of the bed (kwok ClusterExec)', () => {
  const clusterDir = tempDir('pod-exec-');

  it('runs every command of every pod locally in the cluster\'s exec folder, with its wrappers first on PATH', () => {
    const file = writePodExecConfig(clusterDir, 21153);
    const doc = YAML.parse(fs.readFileSync(file, 'utf8'));
    expect(doc).toEqual({
      apiVersion: 'kwok.x-k8s.io/v1alpha1',
      kind: 'ClusterExec',
      metadata: { name: 'testbed-local-exec' },
      spec: { execs: [{ local: { workDir: podExecDir(clusterDir), envs: [{ name: 'PATH', value: `${path.join(clusterDir, 'exec', 'bin')}:/usr/local/bin:/usr/bin:/bin` }] } }] },
    });
    expect(doc.spec.selector).toBeUndefined();
    expect(doc.spec.execs[0].containers).toBeUndefined();
  });

  it('points nslookup and dig at the cluster\'s CoreDNS on 127.0.0.1, passing the command\'s arguments through', () => {
    writePodExecConfig(clusterDir, 21153);
    const bin = path.join(clusterDir, 'exec', 'bin');
    const nslookup = fs.readFileSync(path.join(bin, 'nslookup'), 'utf8');
    expect(nslookup).toMatch(/^#!\/bin\/sh\n/);
    expect(nslookup).toContain(`exec ${DNS_TOOLS.nslookup} -port=21153 "$@" 127.0.0.1\n`);
    expect(fs.readFileSync(path.join(bin, 'dig'), 'utf8')).toContain(`exec ${DNS_TOOLS.dig} -p 21153 @127.0.0.1 "$@"\n`);
    expect(fs.statSync(path.join(bin, 'nslookup')).mode & 0o111).toBe(0o111);
  });

  it('says which package is missing instead of running a tool that is not there', () => {
    writePodExecConfig(clusterDir, 21153);
    expect(fs.readFileSync(path.join(clusterDir, 'exec', 'bin', 'nslookup'), 'utf8')).toContain('install Debian\'s bind9-dnsutils');
  });
});
