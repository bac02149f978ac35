// The election family: bully and Chang-Roberts ring election, both triggered by
// the failure detector they embed (../detect/detector.ts).
import type { AnyAlgorithm } from '../../core/process'
import { bully } from './bully'
import { ringElection } from './ring-election'

export const electionAlgorithms: readonly AnyAlgorithm[] = [bully, ringElection]

export const electionAlgorithmNames: ReadonlySet<string> = new Set(
  electionAlgorithms.map((a) => a.name),
)
