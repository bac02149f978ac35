// Linearizability of the Raft key-value store as its clients saw it: the history
// is read off the clients' 'kv.invoke' and 'kv.return' notes, with trace
// positions as times (a return at position i came before every call after i),
// and checked once the run is over. A request whose client never saw an answer
// (it crashed, or the run ended) may have taken effect or not.
import { KV_INVOKE, KV_RETURN, type InvokeNote, type ReturnNote } from '../../algorithms/raft/notes'
import type { KvOp, KvResult } from '../../algorithms/raft/types'
import { isProcessEvent, notesOf, type TraceEvent } from '../../core/trace'
import type { Checker, CheckerSpec, Violation } from '../checker'
import { kvModel } from './kv-model'
import type { Operation } from './model'
import { checkLinearizability } from './wgl'

const NAME = 'linearizability'

export type KvOperation = Operation<KvOp, KvResult>

/** Collects a key-value history from a trace's client notes. */
export class KvHistory {
  private readonly ops = new Map<string, KvOperation>()

  observe(e: TraceEvent): void {
    if (!isProcessEvent(e)) return
    for (const { client, seq, op } of notesOf<InvokeNote>(e, KV_INVOKE))
      this.ops.set(`${client}:${seq}`, {
        input: op,
        output: undefined,
        call: e.i,
        ret: Infinity,
        label: `client ${client} request ${seq}`,
      })
    for (const { client, seq, result } of notesOf<ReturnNote>(e, KV_RETURN)) {
      const op = this.ops.get(`${client}:${seq}`)
      if (op === undefined || op.ret !== Infinity) continue
      op.ret = e.i
      op.output = result
    }
  }

  operations(): KvOperation[] {
    return [...this.ops.values()]
  }
}

export const kvLinearizabilityChecker: CheckerSpec = {
  name: NAME,
  description:
    'Every get, put and compare-and-set takes effect at one instant between its call and its answer',
  appliesTo: (meta) => meta.algorithm === 'raft',
  create(): Checker {
    const history = new KvHistory()
    return {
      onEvent(e) {
        history.observe(e)
        return undefined
      },
      finish(): Violation[] {
        const r = checkLinearizability(kvModel, history.operations())
        if (r.ok) return []
        const op = r.blocked
        const span =
          op.ret === Infinity ? `called at event ${op.call}` : `events ${op.call}-${op.ret}`
        return [
          {
            checker: NAME,
            at: op.ret === Infinity ? op.call : op.ret,
            message: `key ${r.partition}: no order of its ${r.total} operations fits both real time and the store's rules; the longest placed ${r.placed}, then could not place ${op.label}: ${kvModel.describe(op.input, op.output)} (${span})`,
          },
        ]
      },
    }
  },
}
