/** A line diff (longest common subsequence) with a few lines of context, for multi-line strings such as a Corefile. */

const CONTEXT_LINES = 2;

/** One line of a line diff: kept (` `), only in the first text (`-`), only in the second (`+`). */
export type Op = { readonly sign: ' ' | '-' | '+'; readonly line: string };

/** ` line`, `-line`, `+line`; unchanged runs longer than the context collapse to `…`. */
export function lineDiff(before: string, after: string): string[] {
  return withContext(diffOps(before.split('\n'), after.split('\n')));
}

/** The line-by-line edit from `a` to `b` (longest common subsequence). */
export function diffOps(a: readonly string[], b: readonly string[]): Op[] {
  // lcs[i][j]: length of the longest common subsequence of a[i..] and b[j..]
  const lcs = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i][j] = a[i] === b[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      ops.push({ sign: ' ', line: a[i++] });
      j++;
    } else if (i < a.length && (j >= b.length || lcs[i + 1][j] >= lcs[i][j + 1])) {
      ops.push({ sign: '-', line: a[i++] });
    } else {
      ops.push({ sign: '+', line: b[j++] });
    }
  }
  return ops;
}

function withContext(ops: readonly Op[]): string[] {
  const near = (k: number) => ops.slice(Math.max(0, k - CONTEXT_LINES), k + CONTEXT_LINES + 1).some((o) => o.sign !== ' ');
  const out: string[] = [];
  ops.forEach((op, k) => {
    if (op.sign !== ' ' || near(k)) {
      out.push(`${op.sign}${op.line}`);
    } else if (out[out.length - 1] !== '…') {
      out.push('…');
    }
  });
  return out;
}
