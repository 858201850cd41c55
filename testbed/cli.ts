/**
 * npm run testbed -- build [--force] [--retry-optional]
 * npm run testbed -- up [--clusters id1,id2,...] [--node-pod-cidr-prefix 24] [--coredns bed|configmap]
 * npm run testbed -- resolve <cluster-id> <name> [A|AAAA|SRV|TXT|PTR]
 * npm run testbed -- status
 * npm run testbed -- down
 *
 * Progress goes to stderr. `up` and `status` print, as their last stdout lines, `KUBECONFIG=<abs path>`
 * and one `COREDNS_<ID>=127.0.0.1:<port>` per cluster (ID upper-cased, `-` as `_`).
 */
import { ensureBuilt, MissingToolError } from './build';
import { contractLines, down, ownerIsOtherLiveJest, readState, status, up } from './harness';
import { resolveCommand } from './resolve';
import type { CoreDnsMode } from './state';

function usage(): never {
  process.stderr.write(
    'usage: npm run testbed -- <command>\n' +
      '  build [--force] [--retry-optional]   build the binaries into the cache (skipped when cached); --retry-optional retries a failed optional component (flux, argocd)\n' +
      '  up [--clusters id1,id2,...]          start the bed (default: the example fleet\'s cluster ids)\n' +
      '     [--node-pod-cidr-prefix N]        each fake node\'s pod range: /24 (default, 253 pod IPs) up to /18 (16,381)\n' +
      '     [--coredns bed|configmap]         bed (default): CoreDNS serves clusterset.local from the start;\n' +
      '                                       configmap: CoreDNS runs what kube-system/coredns says, kubeadm\'s default at first\n' +
      '  resolve <cluster-id> <name> [TYPE]   ask that cluster\'s CoreDNS (A by default; AAAA, SRV, TXT, PTR): answers or the rcode\n' +
      '  status                               print the contract lines; exit 1 when the bed is not running\n' +
      '  down [--force]                       stop every process of the bed (--force: even one a running jest owns)\n',
  );
  process.exit(2);
}

function flagValue(args: string[], name: string): string | undefined {
  const i = args.findIndex((a) => a === name || a.startsWith(name + '='));
  if (i < 0) return undefined;
  if (args[i].includes('=')) return args[i].slice(name.length + 1);
  const v = args[i + 1];
  if (!v || v.startsWith('--')) throw new Error(`${name} needs a value`);
  return v;
}

function coreDnsMode(value: string | undefined): CoreDnsMode | undefined {
  if (value !== undefined && value !== 'bed' && value !== 'configmap') throw new Error(`--coredns must be "bed" or "configmap", got "${value}"`);
  return value;
}

async function main(argv: string[]): Promise<number> {
  const [cmd, ...args] = argv;
  switch (cmd) {
    case 'build': {
      const t0 = Date.now();
      const r = await ensureBuilt({ force: args.includes('--force'), retryOptional: args.includes('--retry-optional') });
      process.stderr.write(`[testbed] binaries in ${r.dirs.bin} (${((Date.now() - t0) / 1000).toFixed(1)}s)\n`);
      if (!r.bin.corednsMulticluster) process.stderr.write(`[testbed] external-plugin CoreDNS not available: ${(r.corednsMulticlusterError ?? 'not built').split('\n').slice(0, 3).join(' | ')}\n`);
      return 0;
    }
    case 'up': {
      const v = flagValue(args, '--clusters');
      const clusters = v ? v.split(',').map((x) => x.trim()).filter(Boolean) : undefined;
      const existing = readState();
      if (existing) {
        const st = await status();
        const same = !clusters || clusters.join(',') === existing.clusters.map((c) => c.id).join(',');
        if (st.running && same) {
          process.stderr.write('[testbed] already up\n');
          process.stdout.write(contractLines(existing).join('\n') + '\n');
          return 0;
        }
        if (ownerIsOtherLiveJest(existing.owner)) throw new Error(`the bed belongs to a running test run (jest pid ${existing.owner.pid}); wait for it, or use TESTBED_DIR + TESTBED_PORT_BASE for a second bed`);
        if (st.running) throw new Error(`a bed with clusters ${existing.clusters.map((c) => c.id).join(',')} is running; run \`npm run testbed -- down\` first`);
        await down();
      }
      const prefix = flagValue(args, '--node-pod-cidr-prefix');
      const s = await up({ clusters, owner: 'cli', nodePodCidrPrefix: prefix === undefined ? undefined : Number(prefix), coreDns: coreDnsMode(flagValue(args, '--coredns')) });
      process.stdout.write(contractLines(s).join('\n') + '\n');
      return 0;
    }
    case 'resolve':
      return resolveCommand(args);
    case 'status': {
      const st = await status();
      for (const l of st.details) process.stderr.write(l + '\n');
      if (!st.running || !st.state) {
        process.stderr.write('[testbed] not running\n');
        return 1;
      }
      process.stdout.write(contractLines(st.state).join('\n') + '\n');
      return 0;
    }
    case 'down': {
      const cur = readState();
      if (cur && ownerIsOtherLiveJest(cur.owner) && !args.includes('--force')) {
        throw new Error(`the bed belongs to a running test run (jest pid ${cur.owner.pid}); its globalTeardown stops it. Use \`down --force\` to stop it anyway`);
      }
      const r = await down();
      process.stderr.write(`[testbed] down (${r.stopped} process(es) stopped)\n`);
      return 0;
    }
    default:
      return usage();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`${e instanceof MissingToolError ? '' : '[testbed] error: '}${(e as Error).message}\n`);
    process.exit(1);
  },
);
