/** Plain-text and Markdown tables for benchmark reports. */

export type Cell = string | number | undefined;

function text(cell: Cell): string {
  if (cell === undefined || (typeof cell === 'number' && Number.isNaN(cell))) {
    return '-';
  }
  return typeof cell === 'number' ? formatNumber(cell) : cell;
}

export function formatNumber(n: number): string {
  if (Number.isInteger(n)) {
    return n.toLocaleString('en-US');
  }
  const abs = Math.abs(n);
  return n.toFixed(abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3);
}

/** A Markdown table (also readable as plain text); numeric-looking columns are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const cells = rows.map((r) => r.map(text));
  const numeric = header.map((_, i) => cells.length > 0 && cells.every((r) => /^[-+]?[\d,.]+( ?[a-zA-Z%×x/]*)?$|^-$/.test(r[i] ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, 3, ...cells.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => `| ${r.map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `| ${widths.map((w, i) => (numeric[i] ? `${'-'.repeat(w - 1)}:` : '-'.repeat(w))).join(' | ')} |`;
  return [line(header), rule, ...cells.map(line)].join('\n');
}

export function ms(value: number): string {
  return Number.isFinite(value) ? `${formatNumber(value)} ms` : '-';
}

export function seconds(valueMs: number): string {
  return Number.isFinite(valueMs) ? `${(valueMs / 1000).toFixed(valueMs >= 100_000 ? 0 : 1)} s` : '-';
}

export function mib(bytes: number): string {
  return Number.isFinite(bytes) ? `${Math.round(bytes / 2 ** 20)} MiB` : '-';
}
