import { decodeXmlText, parseJUnit, splitCaseName } from '../../../scripts/conformance/junit';
import { conformanceTests, countResults, failedSetupNodes, formatTable, summaryLine } from '../../../scripts/conformance/results';
import { ginkgoSkipFlags, skipReason } from '../../../scripts/conformance/skips';

// Shaped like the report Ginkgo 2.21 writes for the suite (test names, empty container texts,
// character references, one failure), trimmed to five specs.
const JUNIT = `<?xml version="1.0" encoding="UTF-8"?>
  <testsuites tests="7" disabled="1" errors="0" failures="1" time="31.5">
      <testsuite name="Conformance Suite" package="/tmp/suite" tests="7" disabled="0" skipped="1" errors="0" failures="1" time="31.5" timestamp="2026-12-04T21:49:36">
          <properties>
              <property name="LabelFilter" value="!Connectivity"></property>
          </properties>
          <testcase name="[BeforeSuite]" classname="Conformance Suite" status="passed" time="0.2"></testcase>
          <testcase name="[It]  A ServiceImport should only exist as long as there&#39;s at least one exporting cluster [Required]" classname="Conformance Suite" status="passed" time="3.5">
              <system-err>&gt; Enter [ReportBeforeEach] TOP-LEVEL&#xA;</system-err>
          </testcase>
          <testcase name="[It]  A ClusterIP service exported on two clusters  should expose the union of the constituent service ports and raise a conflict [ClusterIP, Required]" classname="Conformance Suite" status="failed" time="22.1">
              <failure message="The Conflict condition was not set to True&#xA;Expected&#xA;    &lt;bool&gt;: false&#xA;to be true" type="failed">[FAILED] The Conflict condition was not set to True&#xA;In [It] at: sigs.k8s.io/mcs-api/conformance/conformance_suite.go:318 @ 12/04/26 21:50:01.1&#xA;</failure>
          </testcase>
          <testcase name="[It]  A DNS query of the &lt;service&gt;.&lt;ns&gt;.svc.clusterset.local domain for a headless service should return the ready endpoint addresses of all the backing pods [Optional, DNS, Headless]" classname="Conformance Suite" status="timedout" time="60">
              <failure message="A spec timeout occurred" type="timedout"></failure>
          </testcase>
          <testcase name="[It]  Connectivity to a service that is not exported should be inaccessible [Required]" classname="Conformance Suite" status="skipped" time="0">
              <skipped message="skipped"></skipped>
          </testcase>
          <testcase name="[It]  Connectivity to an exported ClusterIP service should be accessible through DNS [Optional, Connectivity, ClusterIP]" classname="Conformance Suite" status="skipped" time="0">
              <skipped message="skipped"></skipped>
          </testcase>
          <testcase name="[ReportAfterSuite] MCS conformance report" classname="Conformance Suite" status="passed" time="0.01"></testcase>
      </testsuite>
  </testsuites>`;

describe('conformance results from the suite\'s JUnit report', () => {
  it('decodes the character references Go\'s XML encoder writes', () => {
    expect(decodeXmlText('a&#39;b &lt;ns&gt; &amp; &quot;x&quot;&#xA;&#x9;end &unknown;')).toBe('a\'b <ns> & "x"\n\tend &unknown;');
  });

  it('reads every testcase with its status, time and failure message', () => {
    const cases = parseJUnit(JUNIT);
    expect(cases.map((c) => c.status)).toEqual(['passed', 'passed', 'failed', 'timedout', 'skipped', 'skipped', 'passed']);
    expect(cases[2].message).toBe('The Conflict condition was not set to True\nExpected\n    <bool>: false\nto be true');
    expect(cases[2].detail).toContain('conformance_suite.go:318');
    expect(cases[1]).toEqual({ name: '[It]  A ServiceImport should only exist as long as there\'s at least one exporting cluster [Required]', status: 'passed', seconds: 3.5, message: undefined, detail: undefined });
  });

  it('refuses a report without testcases, quoting its start', () => {
    expect(() => parseJUnit('<testsuites></testsuites>')).toThrow(/no <testcase>.*"<testsuites>/);
  });

  it('splits a testcase name into node type, text (whitespace collapsed) and labels', () => {
    expect(splitCaseName('[It]  A ClusterIP service exported on two clusters  should expose the union [ClusterIP, Required]')).toEqual({
      nodeType: 'It',
      text: 'A ClusterIP service exported on two clusters should expose the union',
      labels: ['ClusterIP', 'Required'],
    });
    expect(splitCaseName('[BeforeSuite]')).toEqual({ nodeType: 'BeforeSuite', text: '', labels: [] });
  });

  it('counts only It specs as tests; a timed-out spec is a failure, a skip carries the bed\'s reason', () => {
    const cases = parseJUnit(JUNIT);
    const tests = conformanceTests(cases);
    expect(tests).toHaveLength(5);
    expect(countResults(tests)).toEqual({ passed: 1, failed: 2, skipped: 2, total: 5 });
    expect(tests[2]).toMatchObject({ result: 'failed', state: 'timedout', reason: 'A spec timeout occurred' });
    expect(tests.filter((t) => t.result === 'skipped').map((t) => t.reason)).toEqual([expect.stringMatching(/^needs a data plane.*a pass would prove nothing$/), expect.stringMatching(/^needs a data plane/)]);
    expect(failedSetupNodes(cases)).toEqual([]);
  });

  it('reports a suite set-up node that failed', () => {
    const broken = JUNIT.replace('name="[BeforeSuite]" classname="Conformance Suite" status="passed" time="0.2"></testcase>', 'name="[BeforeSuite]" classname="Conformance Suite" status="failed" time="0.2"><failure message="Test suite set up failed" type="failed"></failure></testcase>');
    expect(failedSetupNodes(parseJUnit(broken))).toEqual(['[BeforeSuite]: failed: Test suite set up failed']);
  });

  it('prints the last line as "conformance: N passed, M failed, K skipped of T"', () => {
    expect(summaryLine({ passed: 22, failed: 0, skipped: 5, total: 27 })).toBe('conformance: 22 passed, 0 failed, 5 skipped of 27');
  });

  it('prints failures first, each with its message on the line below, and skips with why', () => {
    const table = formatTable(conformanceTests(parseJUnit(JUNIT))).split('\n');
    expect(table[0]).toMatch(/^result\s+labels\s+test$/);
    expect(table[2]).toMatch(/^FAILED\s+ClusterIP, Required\s+A ClusterIP service exported on two clusters should expose/);
    expect(table[3].trim()).toBe('The Conflict condition was not set to True Expected <bool>: false to be true');
    expect(table[4]).toMatch(/^FAILED \(timedout\)\s+Optional, DNS, Headless/);
    expect(table.filter((l) => l.trim().startsWith('why skipped: needs a data plane'))).toHaveLength(2);
  });
});

describe('the bed\'s skips', () => {
  it('skip the Connectivity label and the one Connectivity test without that label, nothing else', () => {
    expect(ginkgoSkipFlags()).toEqual(['-ginkgo.label-filter=!Connectivity', '-ginkgo.skip=Connectivity to a service that is not exported should be inaccessible']);
    expect(skipReason({ text: 'Connectivity to an exported ClusterIP service should be accessible through DNS', labels: ['Optional', 'Connectivity', 'ClusterIP'] })).toMatch(/data plane/);
    expect(skipReason({ text: 'Connectivity to a service that is not exported should be inaccessible', labels: ['Required'] })).toMatch(/prove nothing/);
    expect(skipReason({ text: 'A DNS SRV query of the <service>.<ns>.svc.clusterset.local domain for a headless service should return valid SRV records', labels: ['Optional', 'DNS', 'Headless'] })).toBeUndefined();
  });

  it('escape regular-expression characters of a skipped text', () => {
    expect(ginkgoSkipFlags([{ text: 'a.b (c)', reason: 'r' }])).toEqual(['-ginkgo.skip=a\\.b \\(c\\)']);
  });
});
