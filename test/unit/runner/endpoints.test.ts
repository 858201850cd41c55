import { podEndpoints, resolvePorts } from '../../../lib/runner/sync/endpoints';
import { pod, service } from './fixtures';

describe('podEndpoints', () => {
  it('gives a pod no hostname unless its subdomain is the Service (the in-cluster controller\'s rule): DNS then names it by address', () => {
    const eps = podEndpoints(service(), [pod('web-abc12', { ip: '10.10.0.7', subdomain: null }), pod('other-0', { ip: '10.10.0.8', subdomain: 'other' })]);
    expect(eps.map((e) => [e.hostname, e.address])).toEqual([[undefined, '10.10.0.7'], [undefined, '10.10.0.8']]);
  });

  it('publishes each selected StatefulSet pod with an IP under its spec.hostname', () => {
    const eps = podEndpoints(service(), [pod('mysql-1', { ip: '10.10.0.6' }), pod('mysql-0', { ip: '10.10.0.5' })]);
    expect(eps.map((e) => [e.hostname, e.address, e.addressType, e.ready])).toEqual([
      ['mysql-0', '10.10.0.5', 'IPv4', true],
      ['mysql-1', '10.10.0.6', 'IPv4', true],
    ]);
    expect(eps[0].ports).toEqual([{ name: 'tcp', port: 3306, protocol: 'TCP' }]);
  });

  it('skips pods without an IP, finished pods and pods the selector does not match', () => {
    const eps = podEndpoints(service(), [
      pod('pending'),
      pod('done', { ip: '10.0.0.1', phase: 'Succeeded' }),
      pod('other', { ip: '10.0.0.2', labels: { app: 'web' } }),
      pod('elsewhere', { ip: '10.0.0.3', namespace: 'other' }),
    ]);
    expect(eps).toEqual([]);
  });

  it('marks unready pods not ready and not serving', () => {
    const [e] = podEndpoints(service(), [pod('mysql-0', { ip: '10.0.0.1', ready: false })]);
    expect([e.ready, e.serving, e.terminating]).toEqual([false, false, false]);
  });

  it('marks terminating pods not ready but still serving while their Ready condition holds', () => {
    const [e] = podEndpoints(service(), [pod('mysql-0', { ip: '10.0.0.1', deleting: true })]);
    expect([e.ready, e.serving, e.terminating]).toEqual([false, true, true]);
  });

  it('publishes unready pods as ready when the Service sets publishNotReadyAddresses', () => {
    const [e] = podEndpoints(service({ publishNotReady: true }), [pod('mysql-0', { ip: '10.0.0.1', ready: false })]);
    expect([e.ready, e.serving]).toEqual([true, false]);
  });

  it('gives IPv6 pod addresses the IPv6 address type', () => {
    const [e] = podEndpoints(service(), [pod('mysql-0', { ip: 'fd00::5' })]);
    expect(e.addressType).toBe('IPv6');
  });

  it('resolves named target ports against the pod\'s containers', () => {
    const svc = service({ ports: [{ name: 'sql', port: 3306, targetPort: 'mysql' }] });
    expect(resolvePorts(svc, pod('p', { ports: [{ name: 'mysql', containerPort: 13306 }] }))).toEqual([{ name: 'sql', port: 13306, protocol: 'TCP' }]);
    expect(resolvePorts(svc, pod('p', { ports: [] }))).toEqual([]);
  });
});
