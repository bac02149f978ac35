// Random fault schedules for Raft's property and mutant tests, drawn from a
// seeded stream. Each run: 3 servers (or 5, one run in four) and 2 clients
// with the default Raft parameters, the clients issuing 10 operations a second;
// links with delays up to 5-40 ms, and on some runs loss (up to 5%), duplicates
// and reordering. For the first FAULTS_END ms, one of two fault patterns:
// - chaos: up to 16 crashes, restarts, partitions (random groups, clients
//   included) and heals at random times;
// - rotating partitions: every 250-450 ms a new partition cuts a random minority
//   of the servers, with a random half of the clients, from the rest. Leaders
//   stranded with clients in a minority pile up entries of their term that the
//   majority never sees: the raw material of the paper's Figure 8.
// Then every node is up and the network whole for a quiet stretch of QUIET ms
// (the links keep their loss and delays), in which the group must elect a
// leader and answer every client.
import { Rng } from '../../../src/core/random'
import type { ScenarioInput } from '../../../src/sim/scenario'

type Fault = NonNullable<ScenarioInput['faults']>[number]

export const FAULTS_END = 4000
export const QUIET = 1500
export const CLIENTS = 2

const between = (rng: Rng, lo: number, hi: number) => lo + (hi - lo) * rng.float()

function chaos(rng: Rng, servers: number, nodes: number): Fault[] {
  const times = Array.from({ length: rng.int(17) }, () => between(rng, 50, FAULTS_END))
  times.sort((a, b) => a - b)
  const up = new Array<boolean>(nodes).fill(true)
  const faults: Fault[] = []
  for (const at of times) {
    const down = up.flatMap((u, k) => (u ? [] : [k]))
    const r = rng.float()
    if (r < 0.2) {
      const members = Array.from({ length: nodes }, (_, k) => k).filter(() => rng.float() < 0.5)
      faults.push(members.length > 0 ? { at, partition: [members] } : { at, heal: true })
    } else if (r < 0.3) faults.push({ at, heal: true })
    else if (down.length > 0 && r < 0.6) {
      const node = down[rng.int(down.length)]
      up[node] = true
      faults.push({ at, recover: node })
    } else {
      // Mostly servers: they are what Raft is about.
      const node = rng.float() < 0.85 ? rng.int(servers) : servers + rng.int(nodes - servers)
      if (!up[node]) continue
      up[node] = false
      faults.push({ at, crash: node })
    }
  }
  up.forEach((u, node) => {
    if (!u) faults.push({ at: FAULTS_END, recover: node })
  })
  return faults
}

function rotatingPartitions(rng: Rng, servers: number, nodes: number): Fault[] {
  const faults: Fault[] = []
  for (let at = between(rng, 100, 500); at < FAULTS_END; at += between(rng, 250, 450)) {
    const order = Array.from({ length: servers }, (_, k) => k).sort(() => rng.float() - 0.5)
    const cut = order.slice(0, 1 + rng.int((servers - 1) / 2))
    for (let c = servers; c < nodes; c++) if (rng.float() < 0.5) cut.push(c)
    faults.push({ at, partition: [cut] })
  }
  return faults
}

export function randomRaftRun(seed: number): ScenarioInput {
  const rng = Rng.fromSeed(seed)
  const servers = rng.float() < 0.25 ? 5 : 3
  const nodes = servers + CLIENTS
  const lossy = rng.float() < 0.4
  const reorder = lossy && rng.float() < 0.5
  const faults =
    rng.float() < 0.5 ? chaos(rng, servers, nodes) : rotatingPartitions(rng, servers, nodes)
  return {
    algorithm: 'raft',
    nodes,
    seed,
    until: FAULTS_END + QUIET,
    params: { servers },
    workload: { rate: 10 },
    network: {
      default: {
        delay: { dist: 'uniform', min: 1, max: between(rng, 5, 40) },
        loss: lossy ? between(rng, 0, 0.05) : 0,
        duplicate: lossy ? between(rng, 0, 0.05) : 0,
        fifo: !reorder,
        reorder: reorder ? 0.3 : 0,
      },
    },
    faults: [...faults, { at: FAULTS_END, heal: true }],
  }
}
