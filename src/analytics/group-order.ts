/** The order of every grouped answer: most requests first; ties by key ascending (code unit order), null last. */
export function compareGroups(a: { key: string | null; requests: number }, b: { key: string | null; requests: number }): number {
  const d = b.requests - a.requests;
  if (d !== 0) return d;
  if (a.key === b.key) return 0;
  if (a.key === null) return 1;
  if (b.key === null) return -1;
  return a.key < b.key ? -1 : 1;
}
