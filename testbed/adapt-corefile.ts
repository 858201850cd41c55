/**
 * Turns a cluster Corefile (as the compiler emits it) into one a CoreDNS process on a developer
 * machine can run against a test-bed API server: every server block listens on one local port and
 * address, every `kubernetes` and external `multicluster` plugin reads the given kubeconfig, and
 * plugins that cannot work locally or would distort tests are removed.
 */
import {
  CorefileEditor,
  describeServerBlock,
  Directive,
  directivesNamed,
  EntryKind,
  formatWord,
  parseCorefile,
  parseServerKey,
  ServerBlock,
  serverBlocks,
} from '../lib/corefile';

export interface LocalRunOptions {
  /** The port every server block listens on. */
  readonly port: number;
  /** Path of the kubeconfig for the test-bed API server. */
  readonly kubeconfig: string;
  /** @default '127.0.0.1' */
  readonly bindAddress?: string;
  /**
   * Add a `log` plugin (one line per query on stdout) to server blocks that have none.
   * @default true
   */
  readonly log?: boolean;
  /**
   * Keep the `ready` plugin, moved to this port of the bind address, so that readiness can be
   * probed as a kubelet would (`ready` is removed otherwise).
   * @default - removed
   */
  readonly readyPort?: number;
}

/**
 * Removed: `forward` (would leak queries to real resolvers), `loop` (probes through forward),
 * `health`/`ready`/`prometheus` (fixed ports that clash between parallel runs), `reload` (the file
 * never changes under test), `cache` (stale answers would hide endpoint changes), `import` (files
 * of the cluster's filesystem), and `bind` (replaced by the local address).
 */
export const PLUGINS_REMOVED_FOR_LOCAL_RUN: readonly string[] = ['forward', 'loop', 'health', 'ready', 'prometheus', 'reload', 'cache', 'import', 'bind'];

/** A Corefile equivalent to `corefile` for DNS answers, runnable locally against the test bed. */
export function adaptCorefileForLocalRun(corefile: string, options: LocalRunOptions): string {
  checkOptions(options);
  const tree = parseCorefile(corefile);
  rejectRepeatedZones(serverBlocks(tree), options.port);
  const editor = new CorefileEditor(tree);
  for (const entry of tree.entries) {
    if (entry.kind === EntryKind.IMPORT) editor.removeDirective(entry.directive);
    if (entry.kind === EntryKind.SERVER_BLOCK) adaptServerBlock(editor, entry, options);
  }
  return editor.result();
}

function checkOptions({ port, kubeconfig }: LocalRunOptions): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new Error(`port ${port} is not a TCP/UDP port; expected an integer from 1 to 65535`);
  }
  if (kubeconfig.trim() === '') {
    throw new Error('kubeconfig is empty; expected the path of the test-bed kubeconfig');
  }
}

function adaptServerBlock(editor: CorefileEditor, block: ServerBlock, options: LocalRunOptions): void {
  block.keys.forEach((key) => editor.replaceToken(key, withPort(key.value, options.port)));
  const plugins = block.body.directives;
  const keepReady = options.readyPort !== undefined;
  plugins.filter((plugin) => PLUGINS_REMOVED_FOR_LOCAL_RUN.includes(plugin.name.value) && !(keepReady && plugin.name.value === 'ready')).forEach((plugin) => editor.removeDirective(plugin));
  if (keepReady) {
    directivesNamed(block.body, 'ready').forEach((ready) => editor.replaceArgs(ready, [`${options.bindAddress ?? '127.0.0.1'}:${options.readyPort}`]));
  }
  const addLog = (options.log ?? true) && directivesNamed(block.body, 'log').length === 0;
  editor.insertFirstLinesInServerBlock(block, [`bind ${formatWord(options.bindAddress ?? '127.0.0.1')}`, ...(addLog ? ['log'] : [])]);
  const apiClients = [...directivesNamed(block.body, 'kubernetes'), ...directivesNamed(block.body, 'multicluster')];
  apiClients.forEach((plugin) => useKubeconfig(editor, plugin, options.kubeconfig));
}

/** `.:53` → `.:PORT`, `.` → `.:PORT`, `dns://x:53` → `dns://x:PORT`; a trailing comma is kept. */
function withPort(key: string, port: number): string {
  const comma = key.endsWith(',') ? ',' : '';
  const [, scheme = '', zone] = /^([a-z][a-z0-9+.-]*:\/\/)?([^:,]*)/i.exec(key)!;
  return `${scheme}${zone}:${port}${comma}`;
}

function useKubeconfig(editor: CorefileEditor, plugin: Directive, kubeconfig: string): void {
  const existing = directivesNamed(plugin.block, 'kubeconfig')[0];
  if (existing) editor.replaceArgs(existing, [kubeconfig]);
  else editor.insertFirstLinesInDirective(plugin, [`kubeconfig ${formatWord(kubeconfig)}`]);
}

/** Blocks that listened on different ports may now claim the same zone on one port, which CoreDNS refuses. */
function rejectRepeatedZones(blocks: readonly ServerBlock[], port: number): void {
  const seen = new Map<string, ServerBlock>();
  for (const block of blocks) {
    for (const key of block.keys) {
      const { scheme, zone } = parseServerKey(key.value);
      const address = (scheme || 'dns://') + zone;
      const earlier = seen.get(address);
      if (earlier && earlier !== block) {
        throw new Error(
          `zone "${zone}" of ${describeServerBlock(earlier)} and ${describeServerBlock(block)} would share port ${port}; ` +
            'CoreDNS refuses a zone twice on one port, so run these blocks separately',
        );
      }
      seen.set(address, block);
    }
  }
}
