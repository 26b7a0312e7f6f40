/** Numbering of the groups a dictionary column forms among selected rows. */

export interface DenseGroups {
  readonly groupCount: number;
  /** Per group: its dictionary id (-1: null). */
  readonly ids: Int32Array;
  /** Per dictionary slot (the id, or dictSize for null): its group, -1 when absent. */
  readonly remap: Int32Array;
}

/**
 * Numbers the groups of rows[from..to) densely in order of first appearance into gid[from..to).
 * Typed arrays only, so the loop stays monomorphic.
 */
export function denseGroups(
  column: Int8Array | Int16Array | Int32Array, rows: Int32Array, gid: Int32Array, from: number, to: number, dictSize: number,
): DenseGroups {
  // Dictionary id -1 (null) goes through slot dictSize.
  const remap = new Int32Array(dictSize + 1).fill(-1);
  const ids = new Int32Array(dictSize + 1);
  let groupCount = 0;
  for (let k = from; k < to; k++) {
    const id = column[rows[k]!]!;
    const slot = id < 0 ? dictSize : id;
    let g = remap[slot]!;
    if (g < 0) {
      g = groupCount++;
      remap[slot] = g;
      ids[g] = id;
    }
    gid[k] = g;
  }
  return { groupCount, ids, remap };
}

/** The dictionary slot of an id (-1, null, is slot dictSize). */
export function slotOf(id: number, dictSize: number): number {
  return id < 0 ? dictSize : id;
}
