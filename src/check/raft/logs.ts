// Every server's log as the trace shows it, rebuilt from the 'raft.append'
// notes: a write at index i replaces the entry there and drops all after it.
// Logs are stable storage, so they carry over crashes here too.
import type { AppendNote } from '../../algorithms/raft/notes'
import type { NodeId } from '../../core/process'

export interface LoggedEntry {
  term: number
  digest: string
}

export class ServerLogs {
  private readonly logs: LoggedEntry[][]

  constructor(n: number) {
    this.logs = Array.from({ length: n }, () => [])
  }

  /** Follows one write; false if it leaves a gap (an index beyond the end plus one). */
  write(node: NodeId, note: AppendNote): boolean {
    const log = this.logs[node]
    if (note.index > log.length + 1) return false
    log.length = note.index - 1
    log.push({ term: note.term, digest: note.digest })
    return true
  }

  /** The entry at `index` (from 1) in `node`'s log, if it has one. */
  entry(node: NodeId, index: number): LoggedEntry | undefined {
    return this.logs[node][index - 1]
  }

  length(node: NodeId): number {
    return this.logs[node].length
  }
}

export function describeEntry(e: LoggedEntry | undefined): string {
  return e === undefined ? 'nothing' : `term ${e.term} (command ${e.digest})`
}
