/**
 * Which conformance tests the bed cannot run, and why. Each rule becomes a Ginkgo filter (a label
 * filter or a skip regex on the test's text) AND the reason printed and recorded for every test it
 * skips, so a skip is never silent. Pure.
 */

export interface SkipRule {
  /** skips every test carrying this Ginkgo label */
  readonly label?: string;
  /** skips every test whose full text contains this (literal) text */
  readonly text?: string;
  readonly reason: string;
}

const NO_DATA_PLANE =
  'needs a data plane: it runs `nc` in the request pod against the service\'s clusterset.local name, which `socat` in the exporting cluster\'s pods answers. ' +
  'The bed\'s pods are kwok fakes: no process behind a pod IP, no kube-proxy, no pod network';

export const SKIP_RULES: readonly SkipRule[] = [
  { label: 'Connectivity', reason: NO_DATA_PLANE },
  {
    // This Required test sits in the suite's Connectivity group but carries no Connectivity label.
    text: 'Connectivity to a service that is not exported should be inaccessible',
    reason: `${NO_DATA_PLANE}. This one asserts that no pod answers a service that is not exported; on the bed no pod ever answers, so a pass would prove nothing`,
  },
];

/** The Ginkgo flags that apply the rules: `-ginkgo.label-filter` and one `-ginkgo.skip` per text rule. */
export function ginkgoSkipFlags(rules: readonly SkipRule[] = SKIP_RULES): string[] {
  const labels = rules.flatMap((r) => (r.label ? [r.label] : []));
  const texts = rules.flatMap((r) => (r.text ? [r.text] : []));
  return [
    ...(labels.length > 0 ? [`-ginkgo.label-filter=${labels.map((l) => `!${l}`).join(' && ')}`] : []),
    ...texts.map((t) => `-ginkgo.skip=${escapeRegExp(t)}`),
  ];
}

/** Why the bed skips a test, or undefined when it runs it. `text` is the test's full text, whitespace collapsed. */
export function skipReason(test: { text: string; labels: readonly string[] }, rules: readonly SkipRule[] = SKIP_RULES): string | undefined {
  return rules.find((r) => (r.label !== undefined && test.labels.includes(r.label)) || (r.text !== undefined && test.text.includes(r.text)))?.reason;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
