// The random workload for Raft's clients: gets, puts and compare-and-sets on
// three keys with small values, so operations on a key often overlap and a
// compare-and-set often finds what it expects. Servers take no commands; they
// ignore what the workload offers them.
import type { WorkloadContext } from '../../core/process'
import type { KvOp } from './types'

const KEYS = ['x', 'y', 'z']

export function randomKvOp(w: WorkloadContext): KvOp {
  const key = KEYS[Math.floor(w.random() * KEYS.length)]
  const value = 1 + Math.floor(w.random() * 9)
  const kind = w.random()
  if (kind < 0.4) return { op: 'get', key }
  if (kind < 0.8) return { op: 'put', key, value }
  const expect = w.random() < 0.2 ? null : 1 + Math.floor(w.random() * 9)
  return { op: 'cas', key, expect, value }
}
