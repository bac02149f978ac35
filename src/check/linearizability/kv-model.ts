// The sequential specification of the Raft key-value store, one key at a time:
// a register that holds a value or nothing, with put, get and compare-and-set.
// The same rules as the store's own (src/algorithms/raft/kv.ts), written for the
// search: one key's state is its value, or null when absent.
import type { KvOp, KvResult, KvValue } from '../../algorithms/raft/types'
import type { Model } from './model'

export const kvModel: Model<KvValue | null, KvOp, KvResult> = {
  init: null,
  step(state, op, output) {
    switch (op.op) {
      case 'put':
        return output === undefined || output === 'ok' ? op.value : undefined
      case 'get':
        return output === undefined || output === state ? state : undefined
      case 'cas': {
        const wrote = state === op.expect
        if (output !== undefined && output !== wrote) return undefined
        return wrote ? op.value : state
      }
    }
  },
  partition: (op) => op.key,
  readOnly: (op) => op.op === 'get',
  stateKey: (state) => state,
  describe(op, output) {
    const answer = output === undefined ? 'no answer' : JSON.stringify(output)
    switch (op.op) {
      case 'put':
        return `put ${op.key}=${JSON.stringify(op.value)} → ${answer}`
      case 'get':
        return `get ${op.key} → ${answer}`
      case 'cas':
        return `cas ${op.key} ${JSON.stringify(op.expect)}→${JSON.stringify(op.value)} → ${answer}`
    }
  },
}
