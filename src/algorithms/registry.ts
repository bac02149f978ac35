// Every algorithm the lab can run, by name: the one list the CLI, the API and
// the LAN runtime look algorithms up in.
import type { AnyAlgorithm } from '../core/process'
import { lamport } from './clocks/lamport'
import { vector } from './clocks/vector'

export const algorithms: readonly AnyAlgorithm[] = [lamport, vector]

export const algorithmRegistry: ReadonlyMap<string, AnyAlgorithm> = new Map(
  algorithms.map((a) => [a.name, a]),
)
