// The vocabulary the snapshot algorithm shares with its checker and views: the
// bank application's messages and notes, and the notes a snapshot leaves in the
// trace. The recorded global state of snapshot S is the `snapshot.local` notes
// (one per node, on the event where it recorded) plus the `snapshot.channel`
// notes (one per incoming channel): what the UI draws as a cut.
import type { NodeId } from '../../core/process'

/** A snapshot's id: its initiator and the initiator's count of snapshots started, "node:k". */
export type SnapshotId = string

export function snapshotId(initiator: NodeId, k: number): SnapshotId {
  return `${initiator}:${k}`
}

/** A transfer of money; `seq` numbers the sender's transfers from 1. */
export type Transfer = { kind: 'transfer'; seq: number; amount: number }
export type Marker = { kind: 'marker'; snapshot: SnapshotId }
export type BankMessage = Transfer | Marker

/** What a node records of itself. */
export type BankState = { balance: number }

/** On the start event: the node's opening balance (the bank's money is the sum of these). */
export const BANK_OPEN = 'bank.open'
export type BankOpenNote = BankState

/** On a transfer command the bank refuses (not enough money, or no such peer). */
export const BANK_REFUSED = 'bank.refused'

/** On the event where a node records its local state for a snapshot. */
export const SNAPSHOT_LOCAL = 'snapshot.local'
export type SnapshotLocalNote = { snapshot: SnapshotId; state: BankState }

/** On the event where a node stops recording an incoming channel (its marker arrived). */
export const SNAPSHOT_CHANNEL = 'snapshot.channel'
export type SnapshotChannelNote = { snapshot: SnapshotId; from: NodeId; messages: Transfer[] }

/** On the event where a node has recorded every incoming channel. */
export const SNAPSHOT_DONE = 'snapshot.done'
export type SnapshotDoneNote = { snapshot: SnapshotId }
