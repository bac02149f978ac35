// The ping failure detector. Rules (course notes): every period P each process
// sends PING to every other process and expects an ACK within the timeout T; a
// peer whose ACK has not arrived by the deadline is suspected ('suspect'), and
// a later ACK from it ends the suspicion ('restore'). A process answers every
// PING with an ACK. With reliable links and delays below T/2 it never suspects a
// live peer (accuracy); a crashed peer is suspected within P + T (completeness).
// The rules live in detector.ts, where the election algorithms embed them.
import { detectorAlgorithm } from './detector'

export const pingDetector = detectorAlgorithm(
  'ping',
  'ping-detector',
  'Ping failure detector: ping every peer each period, suspect a peer whose ack misses the timeout',
)
