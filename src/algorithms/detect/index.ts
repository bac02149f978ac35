// The failure-detection family: the two detectors run on their own. The
// election algorithms embed the same component (detector.ts).
import type { AnyAlgorithm } from '../../core/process'
import { electionAlgorithms } from '../election'
import { heartbeatDetector } from './heartbeat-detector'
import { pingDetector } from './ping-detector'

export const detectAlgorithms: readonly AnyAlgorithm[] = [pingDetector, heartbeatDetector]

/** Every algorithm that runs the failure detector: the detectors, and the elections embedding them. */
export const detectingAlgorithmNames: ReadonlySet<string> = new Set(
  [...detectAlgorithms, ...electionAlgorithms].map((a) => a.name),
)
