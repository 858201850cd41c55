import { Yaml } from 'cdk8s';
import * as fc from 'fast-check';
import { yamlText } from '../../../lib/constructs/yaml-text';

// Strings the YAML 1.1 schema or the `yaml` writer treats specially, next to ordinary ones.
const TRICKY = [
  'a', 'y', 'Y', 'n', 'yes', 'No', 'on', 'OFF', 'true', 'null', '~', 'NULL', '3306', '0755', '0x1F', '0b101', '1_000', '1:20', '1.5', '.5', '1e3',
  '.inf', '.NaN', '2024-01-01', '<<', '-', '?', '- a', '-a', 'a: b', 'a:b', 'a:', ':a', 'a #b', 'a#b', '#a', ' a', 'a ', 'a b', "it's", 'say "hi"',
  'back\\slash', 'x\ny', 'x\n', 'tab\tx', 'é', '', '---', '...', '--- a', '%x', '@a', '`a', '!a', '&a', '*a', '|a', '>a', '[a', '{a', 'a,b', ',a',
  'mysql:5.6', 'mcs.cdk8s.io/apply-phase', '/var/lib/mysql', 'a'.repeat(1100), 'word '.repeat(20), '0', '-1', '+1',
];

const scalar = fc.oneof(
  fc.constantFrom<unknown>(...TRICKY),
  fc.string(),
  fc.integer(),
  fc.constantFrom<unknown>(-0, 1.5, NaN, Infinity, 2 ** 60, true, false, null, undefined),
);
const tree = fc.letrec((tie) => ({
  value: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('array'), tie('object')),
  array: fc.array(tie('value'), { maxLength: 4 }),
  object: fc.dictionary(fc.oneof(fc.constantFrom(...TRICKY.filter((s) => s.length < 100)), fc.string()), tie('value'), { maxKeys: 5 }),
}));

describe('yamlText', () => {
  it('writes what cdk8s Yaml.stringify writes, for any plain data', () => {
    fc.assert(
      fc.property(fc.oneof(tree.object, tree.array), (doc) => {
        expect(yamlText(doc)).toBe(Yaml.stringify(doc));
      }),
      { numRuns: 3000 },
    );
  });

  it('writes what Yaml.stringify writes for Kubernetes-shaped objects, empty collections and shared sub-objects', () => {
    const shared = { name: 'x' };
    const docs: object[] = [
      {},
      [],
      [[]],
      { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'db', namespace: 'team-1', labels: { app: 'db' }, annotations: {} },
        spec: { replicas: 2, template: { spec: { containers: [{ name: 'db', image: 'mysql:5.6', ports: [{ containerPort: 3306, name: 'tcp' }], args: [] }] } } } },
      { a: [[1, 2], [[3]], { b: [] }, {}], c: null, d: true },
      { x: shared, y: [shared] },
      { data: { Corefile: '.:53 {\n    errors\n}\n' } },
    ];
    for (const doc of docs) {
      expect(yamlText(doc)).toBe(Yaml.stringify(doc));
    }
  });
});
