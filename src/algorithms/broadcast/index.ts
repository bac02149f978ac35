// The broadcast family: its algorithms, and which properties each guarantees
// under its own assumptions (stated in each file's top comment). The checkers
// apply to exactly the algorithms that claim their property.
import type { AnyAlgorithm } from '../../core/process'
import { bestEffortBroadcast } from './best-effort-broadcast'
import { causalBroadcast } from './causal-broadcast'
import { fifoBroadcast } from './fifo-broadcast'
import { fifoTotalOrder } from './fifo-total-order'
import { reliableBroadcast } from './reliable-broadcast'
import { totalOrderLamport } from './total-order-lamport'
import { totalOrderSequencer } from './total-order-sequencer'

export const broadcastAlgorithms: readonly AnyAlgorithm[] = [
  bestEffortBroadcast,
  reliableBroadcast,
  fifoBroadcast,
  causalBroadcast,
  totalOrderLamport,
  totalOrderSequencer,
  fifoTotalOrder,
]

/** A broadcast property, named as its checker. */
export type BroadcastProperty =
  'integrity' | 'agreement' | 'fifo-order' | 'causal-order' | 'total-order'

/**
 * What each algorithm guarantees. Causal order implies FIFO order; the Lamport
 * total order is also causal (its stamps respect happens-before); the plain
 * sequencer is total but not FIFO; best effort promises no agreement.
 */
export const broadcastGuarantees: ReadonlyMap<string, readonly BroadcastProperty[]> = new Map([
  [bestEffortBroadcast.name, ['integrity']],
  [reliableBroadcast.name, ['integrity', 'agreement']],
  [fifoBroadcast.name, ['integrity', 'agreement', 'fifo-order']],
  [causalBroadcast.name, ['integrity', 'agreement', 'fifo-order', 'causal-order']],
  [totalOrderLamport.name, ['integrity', 'agreement', 'fifo-order', 'causal-order', 'total-order']],
  [totalOrderSequencer.name, ['integrity', 'agreement', 'total-order']],
  [fifoTotalOrder.name, ['integrity', 'agreement', 'fifo-order', 'total-order']],
])

export function guarantees(algorithm: string, property: BroadcastProperty): boolean {
  return broadcastGuarantees.get(algorithm)?.includes(property) ?? false
}
