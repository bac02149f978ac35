// Every algorithm the lab can run, by name: the one list the CLI, the API and
// the LAN runtime look algorithms up in.
import type { AnyAlgorithm } from '../core/process'
import { broadcastAlgorithms } from './broadcast'
import { lamport } from './clocks/lamport'
import { vector } from './clocks/vector'
import { detectAlgorithms } from './detect'
import { electionAlgorithms } from './election'
import { mutexAlgorithms } from './mutex'
import { raftAlgorithms } from './raft'
import { snapshotAlgorithms } from './snapshot'
import { syncAlgorithms } from './sync'

export const algorithms: readonly AnyAlgorithm[] = [
  lamport,
  vector,
  ...mutexAlgorithms,
  ...broadcastAlgorithms,
  ...snapshotAlgorithms,
  ...detectAlgorithms,
  ...electionAlgorithms,
  ...raftAlgorithms,
  ...syncAlgorithms,
]

export const algorithmRegistry: ReadonlyMap<string, AnyAlgorithm> = new Map(
  algorithms.map((a) => [a.name, a]),
)
