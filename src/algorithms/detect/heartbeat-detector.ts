// The heartbeat failure detector. Rules (course notes): every period P each
// process sends a HEARTBEAT to every other process; a process suspects a peer
// from which no heartbeat has arrived for the timeout T ('suspect'), and stops
// suspecting it when a heartbeat from it arrives again ('restore'). With
// reliable links and delays below T - P it never suspects a live peer
// (accuracy); a crashed peer is suspected at most T + dmax after its crash, and
// at least T - P + dmin after it (its last heartbeat left up to P before).
// The rules live in detector.ts, where the election algorithms embed them.
import { detectorAlgorithm } from './detector'

export const heartbeatDetector = detectorAlgorithm(
  'heartbeat',
  'heartbeat-detector',
  'Heartbeat failure detector: heartbeat every period, suspect a peer silent for the timeout',
)
