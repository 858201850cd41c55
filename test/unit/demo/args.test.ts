import * as fs from 'node:fs';
import * as path from 'node:path';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from '../../../demo/args';
import { tempDir } from '../support/temp-dir';

describe('npm run demo flags', () => {
  const cwd = tempDir('mcs-demo-args-');

  it('runs the reference scenario with apply when given nothing', () => {
    expect(parseDemoArgs([], cwd)).toEqual({ dist: undefined, gitops: undefined, help: false });
  });

  it('takes --gitops flux in both spellings', () => {
    expect(parseDemoArgs(['--gitops', 'flux'], cwd).gitops).toBe('flux');
    expect(parseDemoArgs(['--gitops=flux'], cwd).gitops).toBe('flux');
  });

  it('refuses another engine, naming the one it runs and where Argo CD stands', () => {
    expect(() => parseDemoArgs(['--gitops', 'argocd'], cwd)).toThrow(new DemoUsageError('--gitops argocd: the demo runs flux (Argo CD is not run here; docs/gitops.md says why). Try --gitops flux'));
    expect(() => parseDemoArgs(['--gitops'], cwd)).toThrow(/^--gitops : the demo runs flux/);
  });

  it('refuses --gitops with --dist: the GitOps demo commits its own fleet', () => {
    fs.mkdirSync(path.join(cwd, 'dist'), { recursive: true });
    for (const f of ['fleet.json', 'fleet.md']) fs.writeFileSync(path.join(cwd, 'dist', f), '');
    expect(parseDemoArgs(['--dist', 'dist'], cwd).dist).toBe(path.join(cwd, 'dist'));
    expect(() => parseDemoArgs(['--dist', 'dist', '--gitops', 'flux'], cwd)).toThrow(/--dist and --gitops do not go together/);
  });

  it('names every flag it takes when given an unknown one, and documents --gitops', () => {
    expect(() => parseDemoArgs(['--flux'], cwd)).toThrow('unknown argument "--flux"; the demo takes --dist DIR, --gitops flux and --help');
    expect(DEMO_USAGE).toMatch(/^usage: npm run demo \[-- --dist DIR \| --gitops flux\]/);
    expect(DEMO_USAGE).toContain('DEMO_PORT_BASE+910');
  });
});
