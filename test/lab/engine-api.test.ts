import { describe, expect, it } from 'vitest'
import { ApiInputError, callApi } from '../../src/lab/api'
import { createEngineApi } from '../../src/lab/engine-api'

const api = createEngineApi({ version: '9.9.9' })

describe('the typed API on the engine', () => {
  it('lists the algorithms from the registry', async () => {
    const list = (await callApi(api, 'listAlgorithms', [])) as { name: string }[]
    expect(list.map((a) => a.name)).toEqual(expect.arrayContaining(['lamport', 'vector']))
  })

  it('runs a simulation and returns its trace', async () => {
    const r = (await callApi(api, 'runSimulation', [
      { algorithm: 'vector', nodes: 3, seed: 5, until: 1000 },
    ])) as { events: number; messages: number; traceJson: string }
    const trace = JSON.parse(r.traceJson)
    expect(trace.meta).toMatchObject({ algorithm: 'vector', nodes: ['n0', 'n1', 'n2'], seed: 5 })
    expect(trace.events).toHaveLength(r.events)
    expect(r.messages).toBeGreaterThan(0)
  })

  it.each([
    ['an unknown method', 'format', []],
    [
      'a negative node count',
      'runSimulation',
      [{ algorithm: 'lamport', nodes: -1, seed: 1, until: 10 }],
    ],
    [
      'an extra field',
      'runSimulation',
      [{ algorithm: 'lamport', nodes: 2, seed: 1, until: 10, x: 1 }],
    ],
    ['missing arguments', 'runSimulation', []],
  ])('rejects %s before it reaches the engine', async (_what, method, args) => {
    await expect(callApi(api, method, args)).rejects.toBeInstanceOf(ApiInputError)
  })

  it('rejects an unknown algorithm with the list of known ones', async () => {
    await expect(
      callApi(api, 'runSimulation', [{ algorithm: 'paxos', nodes: 2, seed: 1, until: 10 }]),
    ).rejects.toThrow(/unknown algorithm 'paxos' \(known: lamport, vector/)
  })
})
