/**
 * Bugs the fleet property test (fleets.test.ts) found, one example each, so that they stay fixed
 * even if the generators change.
 */
import { Fleet, MultiClusterStatefulSet } from '../../../lib';

function fleetWithCluster() {
  const fleet = new Fleet({ outdir: '/nonexistent' });
  return { fleet, a: fleet.addCluster('a', { storageClass: 'standard', coreDnsVersion: '1.12.2' }) };
}

const workload = { namespace: 'db', image: 'mysql:8.4', ports: [{ name: 'tcp', port: 3306 }] };

describe('bugs found by the fleet property test', () => {
  it('refuses a port name with consecutive hyphens, which Kubernetes refuses on the container port', () => {
    const { fleet, a } = fleetWithCluster();
    expect(() => new MultiClusterStatefulSet(fleet, 'm', { ...workload, ports: [{ name: 'a--b', port: 1 }], providers: [{ cluster: a }] })).toThrow(
      'MultiClusterStatefulSet "m": port name must be an IANA service name (lowercase letters, digits and single \'-\' between them, at most 15 characters, at least one letter), got "a--b"',
    );
  });
});
