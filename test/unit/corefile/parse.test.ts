import { Block, Entry, EntryKind, KUBEADM_DEFAULT_COREFILE, parseCorefile, printCorefile, ServerBlock, serverBlocks, Token, TokenKind } from '../../../lib/corefile';
import { fixture, FIXTURES, outline } from './helpers';

function blockTokens(block: Block): Token[] {
  const inner = block.directives.flatMap((directive) => [directive.name, ...directive.args, ...(directive.block ? blockTokens(directive.block) : [])]);
  return [...(block.open ? [block.open] : []), ...inner, ...(block.close ? [block.close] : [])];
}

function entryTokens(entry: Entry): Token[] {
  if (entry.kind === EntryKind.IMPORT) return [entry.directive.name, ...entry.directive.args];
  return [...(entry.kind === EntryKind.SNIPPET ? [entry.nameToken] : entry.keys), ...blockTokens(entry.body)];
}

function onlyServerBlock(text: string): ServerBlock {
  const blocks = serverBlocks(parseCorefile(text));
  expect(blocks).toHaveLength(1);
  return blocks[0];
}

describe('parseCorefile', () => {
  test('reads the kubeadm default as one server block with its plugins, options and arguments in order', () => {
    expect(outline(KUBEADM_DEFAULT_COREFILE)).toEqual([
      [
        '.:53',
        [
          'errors',
          ['health', ['lameduck 5s']],
          'ready',
          ['kubernetes cluster.local in-addr.arpa ip6.arpa', ['pods insecure', 'fallthrough in-addr.arpa ip6.arpa', 'ttl 30']],
          'prometheus :9153',
          ['forward . /etc/resolv.conf', ['max_concurrent 1000']],
          ['cache 30', ['disable success cluster.local', 'disable denial cluster.local']],
          'loop',
          'reload',
          'loadbalance',
        ],
      ],
    ]);
  });

  test('the kubeadm default constant is the documented kubeadm Corefile', () => {
    expect(KUBEADM_DEFAULT_COREFILE).toBe(fixture('kubeadm'));
  });

  test.each(FIXTURES)('keeps offsets: every token of %s is the source text at its offsets, line and column', (name) => {
    const text = fixture(name);
    const lines = text.split('\n');
    const tree = parseCorefile(text);
    const tokens = tree.entries.flatMap(entryTokens);
    expect(tokens.length).toBeGreaterThan(20);
    for (const token of tokens) {
      expect(text.slice(token.start, token.end)).toBe(token.raw);
      expect(lines[token.line - 1].slice(token.column - 1)).toMatch(new RegExp(`^${token.raw.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    }
  });

  test('reads several keys per server block, with schemes, ports and comma continuations', () => {
    const text = 'example.org:1053 example.com {\n}\ndns://.:53 {\n}\na.example,\n  b.example {\n}\n';
    expect(serverBlocks(parseCorefile(text)).map((block) => block.keys.map((key) => key.value))).toEqual([
      ['example.org:1053', 'example.com'],
      ['dns://.:53'],
      ['a.example,', 'b.example'],
    ]);
  });

  test('lets a server block open its brace on the line after its keys, as CoreDNS does', () => {
    const block = onlyServerBlock('.:53\n{\n    whoami\n}\n');
    expect(block.body.open?.line).toBe(2);
    expect(block.body.directives.map((directive) => directive.name.value)).toEqual(['whoami']);
  });

  test('reads nested blocks, including a block opened and closed on one line', () => {
    const text = '.:53 {\n    health { lameduck 5s }\n    forward . 1.1.1.1 {\n        tls_servername dns.example\n    }\n}\n';
    expect(outline(text)).toEqual([['.:53', [['health', ['lameduck 5s']], ['forward . 1.1.1.1', ['tls_servername dns.example']]]]]);
  });

  test('keeps comments, and like CoreDNS starts one at a # inside a word', () => {
    const text = '# head\n.:53 { # after brace\n    forward . 1.1.1.1#dns.example\n}\n# tail';
    const tree = parseCorefile(text);
    expect(tree.comments.map((comment) => [comment.text, comment.line, comment.column])).toEqual([
      ['# head', 1, 1],
      ['# after brace', 2, 8],
      ['#dns.example', 3, 22],
      ['# tail', 5, 1],
    ]);
    expect(outline(text)).toEqual([['.:53', ['forward . 1.1.1.1']]]);
    expect(tree.trailing).toBe('\n# tail');
  });

  test('reads quoted strings: quotes removed, \\" unescaped, other backslashes kept, lines spanned', () => {
    const text = '.:53 {\n    log . "{remote} \\"{name}\\" a\\b"\n    template IN A x {\n        answer "two\nlines"\n    }\n}\n';
    const block = onlyServerBlock(text);
    const log = block.body.directives[0];
    expect(log.args.map((arg) => [arg.kind, arg.value])).toEqual([
      [TokenKind.WORD, '.'],
      [TokenKind.QUOTED, '{remote} "{name}" a\\b'],
    ]);
    const answer = block.body.directives[1].block!.directives[0].args[0];
    expect([answer.value, answer.line, answer.endLine]).toEqual(['two\nlines', 4, 5]);
  });

  test('marks environment substitutions, and never takes {$VAR} or foo{ for a brace', () => {
    const block = onlyServerBlock('{$ZONE}:53 {\n    forward . {$UPSTREAM} {%WINUP%} plain{\n}\n');
    expect(block.keys[0].hasEnv).toBe(true);
    const forward = block.body.directives[0];
    expect(forward.args.map((arg) => [arg.value, arg.kind, arg.hasEnv])).toEqual([
      ['.', TokenKind.WORD, false],
      ['{$UPSTREAM}', TokenKind.WORD, true],
      ['{%WINUP%}', TokenKind.WORD, true],
      ['plain{', TokenKind.WORD, false],
    ]);
  });

  test('reads snippets and top-level imports as their own entries, imports inside blocks as directives', () => {
    const text = '(common) {\n    errors\n    log\n}\n.:53 {\n    import common\n    whoami\n}\nimport /etc/coredns/custom/*.server\n';
    const tree = parseCorefile(text);
    expect(tree.entries.map((entry) => entry.kind)).toEqual([EntryKind.SNIPPET, EntryKind.SERVER_BLOCK, EntryKind.IMPORT]);
    expect(outline(text)).toEqual([['(common)', ['errors', 'log']], ['.:53', ['import common', 'whoami']], 'import /etc/coredns/custom/*.server']);
  });

  test('reads a lone server block without braces up to the end of the Corefile', () => {
    const block = onlyServerBlock('.:1053\nwhoami\nlog\n');
    expect(block.body.open).toBeUndefined();
    expect(block.body.directives.map((directive) => directive.name.value)).toEqual(['whoami', 'log']);
  });

  test('reads an empty or comment-only Corefile as no entries', () => {
    expect(parseCorefile('').entries).toEqual([]);
    expect(parseCorefile('  # nothing here\n').entries).toEqual([]);
  });
});

describe('printCorefile', () => {
  test.each(FIXTURES)('reprints %s byte for byte', (name) => {
    const text = fixture(name);
    expect(printCorefile(parseCorefile(text))).toBe(text);
  });

  test.each([
    ['CRLF line endings', '.:53 {\r\n    errors # e\r\n    kubernetes cluster.local {\r\n    }\r\n}\r\n'],
    ['a byte order mark and no final newline', '\uFEFF.:53 {\n\terrors\n}'],
    ['odd spacing and one-line blocks', '  .:53   dns://x:54 {\n health {  lameduck 5s }   \n\n\n  } \n\n'],
    ['snippets, imports and env keys', '(s) {\n  log\n}\n{$Z}:53 {\n  import s\n}\nimport a/*.server # x\n'],
  ])('reprints %s byte for byte', (_, text) => {
    expect(printCorefile(parseCorefile(text))).toBe(text);
  });
});

describe('parseCorefile refuses malformed input with line and column', () => {
  test.each([
    ['a block left open', '.:53 {\n    errors\n    kubernetes cluster.local {\n        pods insecure\n    }\n', /^Corefile 1:6: the '\{' of server block "\.:53" is never closed; expected '\}'/],
    ['a plugin block left open', '.:53 {\n    health {\n', /^Corefile 2:12: the '\{' of "health" is never closed/],
    ['a stray closing brace', '.:53 {\n    errors\n}\n}\n', /^Corefile 4:1: unexpected '\}': no block is open here/],
    ['an unterminated quote', '.:53 {\n    log . "{remote}\n}\n', /^Corefile 2:11: quoted string is never closed/],
    ['a plugin block opened on the next line', '.:53 {\n    kubernetes cluster.local\n    {\n    }\n}\n', /^Corefile 3:5: unexpected '\{': a block must open on the line of its directive/],
    ['a brace with no server keys', '{\n    errors\n}\n', /^Corefile 1:1: unexpected '\{'.*expected server block keys/],
    ['a key list ending in a comma', 'a.example, {\n}\n', /^Corefile 1:1: server block key "a.example," ends with a comma/],
    ['a snippet without a body', '(common)\n', /^Corefile 1:1: snippet \(common\) must be followed by '\{'/],
    ['an import with a block', 'import x {\n}\n', /^Corefile 1:10: unexpected '\{' after import/],
  ])('%s', (_, text, message) => {
    expect(() => parseCorefile(text)).toThrow(message);
  });
});
