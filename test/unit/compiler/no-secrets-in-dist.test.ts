import * as fs from 'node:fs';
import * as path from 'node:path';
import * as YAML from 'yaml';

const DIST = path.join(__dirname, '..', '..', '..', 'dist');

function files(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('the committed dist/', () => {
  const all = files(DIST);

  it('holds no Secret and no secret value of the reference scenario (password, base64 or clear)', () => {
    expect(all.length).toBeGreaterThan(10);
    for (const file of all) {
      const text = fs.readFileSync(file, 'utf8');
      expect({ file, hit: /cGFzc3dvcmQ=|\bpassword\b/i.test(text.replace(/MYSQL_ROOT_PASSWORD|ROOT_PASSWORD/g, '')) }).toEqual({ file, hit: false });
      if (file.endsWith('.yaml')) {
        for (const doc of YAML.parseAllDocuments(text)) {
          const obj = doc.toJS();
          expect({ file, kind: obj?.kind }).not.toEqual({ file, kind: 'Secret' });
        }
      }
    }
  });

  it('reads credentials only through references to Secrets created out of band', () => {
    const sts = YAML.parse(fs.readFileSync(path.join(DIST, 'cluster-1', '05-statefulset.provider-ns.mysql.yaml'), 'utf8'));
    const env = sts.spec.template.spec.containers[0].env;
    expect(env).toEqual([{ name: 'MYSQL_ROOT_PASSWORD', valueFrom: { secretKeyRef: { key: 'ROOT_PASSWORD', name: 'mysecret' } } }]);
  });
});
