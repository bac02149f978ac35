// The stratum hierarchy of a simulated NTP run, from two numbers: `servers`
// stratum-1 nodes (0..servers-1, each reading its reference), then `servers`
// nodes per stratum down to the last, which takes every node left. A node of
// stratum s polls every node of stratum s − 1; nodes of one stratum are
// symmetric peers of each other.
import type { NodeId } from '../../../core/process'

/** The fewest nodes `depth` strata of `servers` need (the last stratum needs one). */
export function minNodes(servers: number, depth: number): number {
  return depth === 1 ? servers : servers * (depth - 1) + 1
}

/** Each node's configured stratum. */
export function strata(servers: number, depth: number, nodeCount: number): number[] {
  return Array.from({ length: nodeCount }, (_, id) => Math.min(depth, Math.floor(id / servers) + 1))
}

/** The nodes of one stratum. */
export function stratumMembers(all: readonly number[], stratum: number): NodeId[] {
  return all.flatMap((s, id) => (s === stratum ? [id] : []))
}
