// Liveness of a random Raft run (random-runs.ts) once its quiet stretch begins:
// a leader emerges and commands commit. Concretely:
// - the run ends with a leader of the latest term any server stood for;
// - commands commit: on runs without loss, every client gets answers in the
//   quiet stretch, and every request a client made more than LIVENESS_BOUND ms
//   before the end was answered, unless the client crashed after making it.
//   On lossy runs (the links keep losing messages in the quiet stretch), some
//   client gets an answer in it: there an unlucky series of lost messages can
//   hold up one client past any fixed bound, as each loss costs a timeout.
import {
  KV_INVOKE,
  KV_RETURN,
  RAFT_CANDIDATE,
  RAFT_LEADER,
  type InvokeNote,
  type ReturnNote,
  type TermNote,
} from '../../../src/algorithms/raft/notes'
import { isProcessEvent, notesOf, type Trace } from '../../../src/core/trace'
import { FAULTS_END, QUIET } from './random-runs'

const LIVENESS_BOUND = 1000

/** What keeps a run from counting as live; empty if it is. */
export function livenessProblems(trace: Trace, lossless: boolean): string[] {
  const end = FAULTS_END + QUIET
  const open = new Map<string, number>()
  const crashedAt = new Map<number, number>()
  const answered = new Set<number>()
  let leaderTerm = 0
  let candidateTerm = 0
  for (const e of trace.events) {
    if (!isProcessEvent(e)) continue
    const time = e.time as number
    if (e.kind === 'crash') crashedAt.set(e.node, time)
    for (const n of notesOf<InvokeNote>(e, KV_INVOKE)) open.set(`${n.client}:${n.seq}`, time)
    for (const n of notesOf<ReturnNote>(e, KV_RETURN)) {
      open.delete(`${n.client}:${n.seq}`)
      if (time >= FAULTS_END) answered.add(n.client)
    }
    for (const n of notesOf<TermNote>(e, RAFT_LEADER)) leaderTerm = Math.max(leaderTerm, n.term)
    for (const n of notesOf<TermNote>(e, RAFT_CANDIDATE))
      candidateTerm = Math.max(candidateTerm, n.term)
  }
  const problems: string[] = []
  const { servers } = trace.meta.params as { servers: number }
  if (answered.size === 0) problems.push('no client got an answer in the quiet stretch')
  for (let client = servers; lossless && client < trace.meta.nodes.length; client++)
    if (!answered.has(client)) problems.push(`client ${client} got no answer in the quiet stretch`)
  if (leaderTerm < candidateTerm)
    problems.push(
      `no leader at the end: last leader of term ${leaderTerm}, candidate of ${candidateTerm}`,
    )
  for (const [request, invoked] of lossless ? open : []) {
    const client = Number(request.split(':')[0])
    if (invoked < end - LIVENESS_BOUND && !((crashedAt.get(client) ?? -1) >= invoked))
      problems.push(`request ${request} invoked at ${invoked.toFixed(1)} ms never answered`)
  }
  return problems
}
