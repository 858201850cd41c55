/** Text splices at parsed offsets: the only way this library changes a Corefile. */

export interface TextEdit {
  /** First offset replaced. */
  readonly start: number;
  /** Offset just past the last character replaced; equal to `start` for a pure insertion. */
  readonly end: number;
  readonly text: string;
}

/**
 * Applies edits given as offsets into the original source. Insertions at the same offset keep the
 * order they were given in. Overlapping edits are a bug in the caller and throw.
 */
export function applyEdits(source: string, edits: readonly TextEdit[]): string {
  const ordered = edits
    .map((edit, order) => ({ edit, order }))
    .sort((a, b) => a.edit.start - b.edit.start || a.edit.end - b.edit.end || a.order - b.order)
    .map(({ edit }) => edit);
  let result = '';
  let copiedUpTo = 0;
  for (const edit of ordered) {
    if (edit.start < copiedUpTo) {
      throw new Error(`overlapping Corefile edits: an edit at offset ${edit.start} starts inside an earlier edit ending at ${copiedUpTo}; edits must not overlap`);
    }
    result += source.slice(copiedUpTo, edit.start) + edit.text;
    copiedUpTo = edit.end;
  }
  return result + source.slice(copiedUpTo);
}

/** Writes a value as a Corefile word, quoting it when it would otherwise split or vanish. */
export function formatWord(value: string): string {
  const needsQuotes = value === '' || value === '{' || value === '}' || /[\s"#]/.test(value);
  return needsQuotes ? `"${value.replace(/"/g, '\\"')}"` : value;
}
