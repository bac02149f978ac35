// A failure detector as a small sans-I/O component: the two course-notes
// detectors over one state, driven by whoever holds that state. The detector
// algorithms (ping-detector, heartbeat-detector) run it alone; the election
// algorithms embed it: their state holds a DetectorState, they forward it every
// message whose type starts with 'fd.' and every timer whose name does, and
// they react to the suspicions it returns. Rules (course notes):
// - heartbeat: every process sends a heartbeat to every other process every
//   period P; a process suspects a peer from which no heartbeat has arrived for
//   the timeout T, and stops suspecting it when one arrives again;
// - ping: every process pings every other process every period P and expects
//   an ack within the timeout T; a peer whose ack is missing at the deadline is
//   suspected, and no longer suspected once an ack from it arrives.
// A suspicion is annotated 'suspect' {peer}, its end 'restore' {peer}, on the
// event that causes it.
import { z } from 'zod'
import { defineAlgorithm, type Algorithm, type Context, type NodeId } from '../../core/process'
import {
  DETECTOR_PREFIX,
  RESTORE,
  SUSPECT,
  detectorFields,
  type DetectorKind,
  type DetectorSettings,
} from './notes'

export type DetectorMsg =
  | { type: 'fd.heartbeat' }
  | { type: 'fd.ping'; seq: number; inc: number }
  | { type: 'fd.ack'; seq: number; inc: number }

/** What a detector may do through its host's context. */
export type DetectorPort = Pick<
  Context<DetectorMsg, unknown>,
  'self' | 'peers' | 'incarnation' | 'send' | 'broadcast' | 'setTimer' | 'annotate'
>

export interface DetectorState {
  readonly settings: DetectorSettings
  /** Indexed by node id. */
  readonly suspected: boolean[]
  /**
   * Ping: rounds started, and the latest round each peer has acknowledged. Pings
   * and acks carry the pinger's incarnation too: rounds restart from 1 after a crash.
   */
  round: number
  readonly acked: number[]
}

/** A change of mind about one peer, for the host to react to. */
export interface Suspicion {
  peer: NodeId
  suspected: boolean
}

const TICK = 'fd.tick'
const EXPIRE = 'fd.expire:' // + peer (heartbeat)
const DEADLINE = 'fd.deadline:' // + round (ping)

export function isDetectorMessage(m: { type: string }): m is DetectorMsg {
  return m.type.startsWith(DETECTOR_PREFIX)
}

export function isDetectorTimer(name: string): boolean {
  return name.startsWith(DETECTOR_PREFIX)
}

export function createDetector(nodeCount: number, settings: DetectorSettings): DetectorState {
  return {
    settings,
    suspected: new Array<boolean>(nodeCount).fill(false),
    round: 0,
    acked: new Array<number>(nodeCount).fill(0),
  }
}

/** On start and recovery: the first heartbeat or ping round, and the timers. */
export function startDetector(d: DetectorState, ctx: DetectorPort): void {
  if (d.settings.detector === 'heartbeat')
    for (const p of ctx.peers) ctx.setTimer(EXPIRE + p, d.settings.timeoutMs)
  tick(d, ctx)
}

function tick(d: DetectorState, ctx: DetectorPort): void {
  if (d.settings.detector === 'heartbeat') ctx.broadcast({ type: 'fd.heartbeat' })
  else {
    d.round += 1
    ctx.broadcast({ type: 'fd.ping', seq: d.round, inc: ctx.incarnation })
    ctx.setTimer(DEADLINE + d.round, d.settings.timeoutMs)
  }
  ctx.setTimer(TICK, d.settings.periodMs)
}

function suspect(d: DetectorState, peer: NodeId, ctx: DetectorPort): Suspicion[] {
  if (d.suspected[peer]) return []
  d.suspected[peer] = true
  ctx.annotate(SUSPECT, { peer })
  return [{ peer, suspected: true }]
}

function restore(d: DetectorState, peer: NodeId, ctx: DetectorPort): Suspicion[] {
  if (!d.suspected[peer]) return []
  d.suspected[peer] = false
  ctx.annotate(RESTORE, { peer })
  return [{ peer, suspected: false }]
}

/** A detector message from `from`: proof that it is alive. Returns the change of mind, if any. */
export function detectorMessage(
  d: DetectorState,
  from: NodeId,
  m: DetectorMsg,
  ctx: DetectorPort,
): Suspicion[] {
  switch (m.type) {
    case 'fd.heartbeat':
      ctx.setTimer(EXPIRE + from, d.settings.timeoutMs)
      return restore(d, from, ctx)
    case 'fd.ping':
      ctx.send(from, { type: 'fd.ack', seq: m.seq, inc: m.inc })
      return []
    case 'fd.ack':
      // An ack of a ping from before this process crashed says nothing about now.
      if (m.inc !== ctx.incarnation) return []
      d.acked[from] = Math.max(d.acked[from], m.seq)
      return restore(d, from, ctx)
  }
}

/** A detector timer: the next period, or a peer's silence running out. Returns the changes of mind. */
export function detectorTimer(d: DetectorState, name: string, ctx: DetectorPort): Suspicion[] {
  if (name === TICK) {
    tick(d, ctx)
    return []
  }
  if (name.startsWith(EXPIRE)) return suspect(d, Number(name.slice(EXPIRE.length)), ctx)
  if (name.startsWith(DEADLINE)) {
    const round = Number(name.slice(DEADLINE.length))
    const out: Suspicion[] = []
    for (const p of ctx.peers) if (d.acked[p] < round) out.push(...suspect(d, p, ctx))
    return out
  }
  return []
}

/** The detector run on its own, as a lab algorithm: no commands, only the detector's rules. */
export function detectorAlgorithm<K extends DetectorKind>(
  kind: K,
  name: string,
  summary: string,
): Algorithm<DetectorState, DetectorMsg, never, DetectorSettings & { detector: K }> {
  return defineAlgorithm({
    name,
    family: 'detect',
    summary,
    params: z.object({ detector: z.literal(kind).default(kind), ...detectorFields }).strict(),
    init: (ctx, params) => createDetector(ctx.nodeCount, params),
    onStart: (d, ctx) => startDetector(d, ctx),
    onMessage(d, from, m, ctx) {
      detectorMessage(d, from, m, ctx)
    },
    onTimer(d, name, ctx) {
      detectorTimer(d, name, ctx)
    },
  })
}
