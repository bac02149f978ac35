// The failure-detection family's shared vocabulary: the annotations a detector
// puts on trace events, its message tags, its parameters as they appear in a
// trace's meta.params, and the bounds the course notes derive from them.
// Checkers and metrics read runs through these names only.
import { z } from 'zod'
import type { JsonValue } from '../../core/json'
import type { NodeId } from '../../core/process'

/** On the event where a node starts suspecting a peer (a timer: no word from it in time). */
export const SUSPECT = 'suspect'
/** On the receive that makes a node stop suspecting a peer. */
export const RESTORE = 'restore'

export interface SuspicionNote {
  peer: NodeId
}

/** Every detector message's `type` starts with this, and so does every detector timer's name. */
export const DETECTOR_PREFIX = 'fd.'

export const DetectorKindSchema = z.enum(['heartbeat', 'ping'])
export type DetectorKind = z.infer<typeof DetectorKindSchema>

/** The detector's tunables; the election algorithms embed the same fields in their params. */
export const detectorFields = {
  /** Heartbeat: a heartbeat every periodMs. Ping: a ping to every peer every periodMs. */
  periodMs: z.number().positive().default(100),
  /** Heartbeat: silence that makes a peer suspected. Ping: how long to wait for the ack. */
  timeoutMs: z.number().positive().default(300),
}

export interface DetectorSettings {
  detector: DetectorKind
  periodMs: number
  timeoutMs: number
}

const SettingsSchema = z.looseObject({
  detector: DetectorKindSchema,
  periodMs: z.number().positive(),
  timeoutMs: z.number().positive(),
})

/** The detector settings of a run (its meta.params), or undefined if it runs no detector. */
export function detectorSettings(params: JsonValue): DetectorSettings | undefined {
  const r = SettingsSchema.safeParse(params)
  return r.success ? r.data : undefined
}

/**
 * Accuracy (no false suspicion) holds on reliable links when every message delay
 * is below this bound, clocks running at true rate:
 * - heartbeat: two consecutive heartbeats of a live peer arrive at most
 *   P + (dmax - dmin) apart, so dmax < T - P keeps that gap under the timeout T;
 * - ping: the ack of a ping sent T before the deadline is back after two delays,
 *   so dmax < T / 2.
 */
export function accuracyDelayBound(s: DetectorSettings): number {
  return s.detector === 'heartbeat' ? s.timeoutMs - s.periodMs : s.timeoutMs / 2
}

/**
 * Completeness: an observer suspects a crashed peer at most P + T after the latest
 * of (the crash, the observer's own start or recovery, the last message it received
 * from that peer). Heartbeat: the expiry timer is re-armed at that last receipt and
 * fires T later. Ping: the first round sent after that instant (within P) gets no
 * ack and its deadline is T later.
 */
export function detectionBound(s: DetectorSettings): number {
  return s.periodMs + s.timeoutMs
}
