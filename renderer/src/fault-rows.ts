// The simulator form's fault schedule, as rows a user edits: crash or recover a node, split
// the network into groups, or heal it, at a given time.

export interface FaultRow {
  kind: 'crash' | 'recover' | 'partition' | 'heal'
  /** Simulated time, ms. */
  at: number
  /** Crash and recover: the node. */
  node: number
  /** Partition: node ids per group, groups split by "|" ("0 1 | 2 3"). */
  groups: string
}

/** "0 1 | 2,3" as [[0, 1], [2, 3]]; null if it is not groups of node ids. */
export function parseGroups(text: string): number[][] | null {
  const groups = text.split('|').map((g) =>
    g
      .split(/[\s,]+/)
      .filter((x) => x !== '')
      .map(Number),
  )
  const ok =
    groups.length >= 1 &&
    groups.every((g) => g.length >= 1 && g.every((x) => Number.isInteger(x) && x >= 0))
  return ok ? groups : null
}
