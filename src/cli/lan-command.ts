// `clocklab lan`: this workstation in a live lab. `join` stays in the lab and takes
// part in the experiments peers start, `peers` prints who is there, `run` starts an
// experiment of any algorithm of the registry across the lab, collects every node's
// trace, merges it and runs the checkers.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { homedir } from 'node:os'
import { createInterface } from 'node:readline'
import { join } from 'node:path'
import { InvalidArgumentError, type Command } from 'commander'
import { algorithmRegistry } from '../algorithms/registry'
import { InputError } from '../core/errors'
import { LabNode, planExperiment, runExperiment } from '../lab/experiment'
import type { ExperimentSpec } from '../lab/experiment-protocol'
import { scenarioFromLiveTrace } from '../lab/replay'
import type { BroadcastMode } from '../net/broadcast-path'
import { DEFAULT_GROUP, DEFAULT_GROUP6, DEFAULT_PORT } from '../net/endpoint'
import { chooseInterface, describeInterface, type ChosenInterface } from '../net/interfaces'
import { deriveLabKeys } from '../net/keys'
import { LanPeer, newPeerId } from '../net/lan-peer'
import { ReferenceClock } from '../net/reference'
import { collectLink } from './link-faults'
import { applyParamFlags } from './param-flags'

interface CommonFlags {
  lab: string
  iface?: string
  passphraseFile?: string
  group: string
  group6: string
  broadcast: BroadcastMode
  mcastPort: number
  port: number
  seeds?: number[]
  stateDir?: string
  name?: string
  heartbeatMs: number
  timeoutMs: number
}

const number =
  (what: string, min = 0) =>
  (value: string) => {
    const x = Number(value)
    if (value.trim() === '' || !Number.isFinite(x) || x < min)
      throw new InvalidArgumentError(`expected ${what}`)
    return x
  }
const port = number('a port number', 0)
const ms = number('a number of milliseconds', 1)
const portList = (value: string): number[] =>
  value.split(',').map((p) => {
    const x = Number(p)
    if (!Number.isInteger(x) || x < 1 || x > 65535)
      throw new InvalidArgumentError(`bad port '${p}'`)
    return x
  })

function withCommon(cmd: Command): Command {
  return cmd
    .requiredOption('-l, --lab <name>', 'the lab to join (peers of other labs are invisible)')
    .option('-i, --iface <name|address>', 'network interface (default: the first non-loopback)')
    .option(
      '--passphrase-file <file>',
      'file holding the lab passphrase (default: $CLOCKLAB_LAB_PASSPHRASE)',
    )
    .option('--group <address>', 'multicast group (administratively scoped)', DEFAULT_GROUP)
    .option(
      '--group6 <address>',
      'IPv6 multicast group (link-local scope), used where the interface has IPv6',
      DEFAULT_GROUP6,
    )
    .option(
      '--broadcast <mode>',
      "how this workstation's broadcasts travel: unicast (a reliable unicast per peer) or multicast (one datagram to the group, NACK repair)",
      (v: string) => {
        if (v !== 'unicast' && v !== 'multicast')
          throw new InvalidArgumentError('expected unicast or multicast')
        return v
      },
      'unicast',
    )
    .option('--mcast-port <port>', 'multicast port', port, DEFAULT_PORT)
    .option('--port <port>', 'unicast port (0: any free one)', port, 0)
    .option(
      '--seeds <ports>',
      'loopback mode: no multicast; peers are these comma-separated ports on 127.0.0.1',
      portList,
    )
    .option(
      '--state-dir <dir>',
      'peer id, stable storage and run logs (default ~/.clocklab/lan/LAB)',
    )
    .option('--name <name>', 'how peers see this workstation (default: its peer id)')
    .option('--heartbeat-ms <ms>', 'announce period', ms, 500)
    .option('--timeout-ms <ms>', 'silence after which a peer counts as crashed', ms, 2000)
    .addHelpText(
      'after',
      `
Network: peers announce on the IPv4 group where the interface has IPv4 and on the IPv6
group (link-local scope, joined on the interface by its index) where it has IPv6; a peer
heard on both is one peer, reached at its IPv4 address. --broadcast multicast sends each
broadcast as one authenticated datagram to the group, repaired by NACK, in order with the
unicasts (docs/lan.md); give it to every workstation's join.`,
    )
}

function passphrase(flags: CommonFlags): string {
  if (flags.passphraseFile !== undefined) {
    if (!existsSync(flags.passphraseFile))
      throw new InputError(`--passphrase-file ${flags.passphraseFile}: no such file`)
    return readFileSync(flags.passphraseFile, 'utf8').replace(/\r?\n$/, '')
  }
  const env = process.env.CLOCKLAB_LAB_PASSPHRASE
  if (env === undefined || env === '')
    throw new InputError('no lab passphrase: give --passphrase-file or set CLOCKLAB_LAB_PASSPHRASE')
  return env
}

async function joinLab(flags: CommonFlags, reference?: ReferenceClock): Promise<LabNode> {
  const keys = deriveLabKeys(flags.lab, passphrase(flags))
  const stateDir = flags.stateDir ?? join(homedir(), '.clocklab', 'lan', flags.lab)
  mkdirSync(stateDir, { recursive: true })
  const idFile = join(stateDir, 'peer-id')
  if (!existsSync(idFile)) writeFileSync(idFile, newPeerId())
  const peerId = readFileSync(idFile, 'utf8').trim()
  const iface: ChosenInterface =
    flags.seeds !== undefined ? { name: 'lo', ipv4: '127.0.0.1' } : chooseInterface(flags.iface)
  try {
    const peer = await LanPeer.start({
      keys,
      peerId,
      iface,
      name: flags.name,
      group: flags.group,
      group6: flags.group6,
      broadcast: flags.broadcast,
      port: flags.mcastPort,
      unicastPort: flags.port,
      seeds: flags.seeds,
      heartbeatMs: flags.heartbeatMs,
      timeoutMs: flags.timeoutMs,
    })
    return new LabNode(peer, { stateDir, reference: reference && (() => reference.read()) })
  } catch (err) {
    throw new InputError(
      `cannot open the lab's sockets on ${describeInterface(iface)}: ${(err as Error).message}`,
    )
  }
}

/**
 * With CLOCKLAB_MEMORY_LOG=MS (at least 100), prints every MS ms `memory at=WALL_MS gc=0|1
 * rss=B heapUsed=B heapTotal=B external=B arrayBuffers=B` (bytes; external includes
 * arrayBuffers). gc=1: node runs with --expose-gc and a full collection ran just before,
 * so heapUsed is what is still reachable, not garbage awaiting collection.
 */
function startMemoryLog(say: (line: string) => void): NodeJS.Timeout | undefined {
  const every = Number(process.env.CLOCKLAB_MEMORY_LOG ?? '')
  if (!(every > 0)) return undefined
  const gc = (globalThis as { gc?: () => void }).gc
  const log = () => {
    gc?.()
    const m = process.memoryUsage()
    say(
      `memory at=${Date.now()} gc=${gc ? 1 : 0} rss=${m.rss} heapUsed=${m.heapUsed} ` +
        `heapTotal=${m.heapTotal} external=${m.external} arrayBuffers=${m.arrayBuffers}`,
    )
  }
  log()
  return setInterval(log, Math.max(100, every))
}

const sleep = (msTime: number) => new Promise((r) => setTimeout(r, msTime))

function describeSpec(spec: ExperimentSpec): string {
  return `${spec.algorithm}, ${spec.peers.length} nodes, ${spec.durationMs} ms`
}

export function registerLanCommand(program: Command, exit: { code: number }): void {
  const lan = program
    .command('lan')
    .description('the live lab: peers on the LAN running the algorithms over UDP')

  withCommon(
    lan
      .command('join')
      .description('join a lab and take part in its experiments until interrupted'),
  )
    .option('--for <ms>', 'leave after this long (default: until interrupted)', ms)
    .option(
      '--reference <spec>',
      "be the lab's reference peer: take time from ntp:HOST[:PORT], gps:/dev/ttyX or gpsd[:HOST:PORT]",
    )
    .addHelpText(
      'after',
      `
Prints one line per event: peers joining, leaving and crashing, experiments run.
Type 'crash' or 'restart' (and Enter) to crash or restart this workstation's node in
the experiment running now: it loses its volatile state, keeps its stable storage.
Example:
  CLOCKLAB_LAB_PASSPHRASE='...' clocklab lan join --lab physics-101 --iface eth0
  clocklab lan join --lab physics-101 --reference ntp:192.168.1.10   # the reference peer
A reference peer's nodes read its source as their reference (stratum = source's + 1); its
lab clock follows the source; the system clock is never changed.
CLOCKLAB_MEMORY_LOG=MS prints a 'memory ...' line (RSS, JS heap, external, in bytes) every
MS ms; under node --expose-gc each comes right after a full collection (the load bench).`,
    )
    .action(async (flags: CommonFlags & { for?: number; reference?: string }) => {
      const reference =
        flags.reference === undefined ? undefined : await ReferenceClock.open(flags.reference)
      const lab = await joinLab(flags, reference)
      const p = lab.peer
      const say = (line: string) => process.stdout.write(`${line}\n`)
      say(`joined lab ${flags.lab} as ${p.name} (${p.id}) at ${p.endpoint.port}`)
      for (const w of p.endpoint.warnings) say(`warning: ${w}`)
      const memoryLog = startMemoryLog(say)
      let said = ''
      const referenceTimer = setInterval(() => {
        const s = reference?.status()
        const text =
          s === undefined
            ? ''
            : s.stratum === undefined
              ? `reference ${s.source}: no sample yet${s.lastError ? ` (${s.lastError})` : ''}`
              : `reference ${s.source}: stratum ${s.stratum} (source stratum ${s.sourceStratum}, refid ${s.refid})`
        if (text !== said && text !== '') say(text)
        said = text
      }, 500)
      p.on('membership', (e) =>
        say(
          `peer ${e.kind} ${e.member.name} (${e.member.id}) ${e.member.address}:${e.member.port}`,
        ),
      )
      lab.on('joined', (spec, node) =>
        say(`experiment ${spec.id}: node ${node}, ${describeSpec(spec)}`),
      )
      lab.on('finished', (spec) => say(`experiment ${spec.id}: finished, trace sent`))
      if (flags.broadcast === 'multicast')
        lab.on('finished', () => {
          const [s, b] = [p.path.stats, p.path.broadcasts.stats]
          say(
            `broadcast since joining: ${s.multicasts} multicast datagrams (${s.multicastPeers} deliveries), ` +
              `${s.unicastCopies} unicast copies; NACKs sent ${b.nacksSent}, repaired ${b.repaired}, lost ${b.evicted}`,
          )
        })
      lab.on('refused', (spec, why) => say(`experiment ${spec.id}: cannot take part (${why})`))
      const typed = createInterface({ input: process.stdin })
      typed.on('line', (line) => {
        const word = line.trim()
        if (word !== 'crash' && word !== 'restart') return say('type crash or restart (this node)')
        const nodes = lab.runningNodes()
        for (const node of nodes) node[word]()
        say(nodes.length ? `node ${word}` : 'no experiment running here')
      })
      await new Promise<void>((resolve) => {
        const leave = () => resolve()
        process.once('SIGINT', leave)
        process.once('SIGTERM', leave)
        if (flags.for !== undefined) setTimeout(leave, flags.for)
      })
      typed.close()
      clearInterval(referenceTimer)
      clearInterval(memoryLog)
      await p.close()
      await reference?.close()
      say('left the lab')
      exit.code = 0
    })

  withCommon(lan.command('peers').description('print the peers of a lab, then leave'))
    .option('--wait <ms>', 'how long to listen', ms, 1500)
    .option('--json', 'print the peers as JSON')
    .action(async (flags: CommonFlags & { wait: number; json?: boolean }) => {
      const lab = await joinLab(flags)
      await sleep(flags.wait)
      const members = lab.peer.members()
      if (flags.json) console.log(JSON.stringify(members, null, 2))
      else {
        console.log(
          `${members.length} peer(s) in lab ${flags.lab} (this one: ${lab.peer.name} ${lab.peer.id})`,
        )
        for (const m of members)
          console.log(`  ${m.name.padEnd(16)} ${m.id}  ${m.address}:${m.port}  epoch ${m.epoch}`)
      }
      await lab.peer.close()
      exit.code = 0
    })

  withCommon(
    lan
      .command('run')
      .description('start an experiment across the lab, collect and merge the traces')
      .argument('<algorithm>', 'any algorithm of `clocklab list`'),
  )
    .option('--duration <ms>', 'how long the run lasts', ms, 5000)
    .option(
      '--nodes <n>',
      'how many peers take part (default: all; waits for them)',
      number('a count', 1),
    )
    .option('--no-participate', 'coordinate only: this workstation runs no node')
    .option('--rate <n>', 'random commands per node per second', number('a rate', 0), 5)
    .option('--seed <s>', 'seed of the nodes random streams', number('a seed', 0), 1)
    .option('--wait <ms>', 'how long to wait for the peers to show up', ms, 5000)
    .option('--collect-ms <ms>', 'how long to wait for traces after the run', ms, 10_000)
    .option(
      '--link <FROM-TO:faults>',
      "faults on node FROM's link to node TO: drop=P, delay=MS, jitter=MS, dup=P, cut=out|in|both (repeatable)",
      collectLink,
    )
    .option('--check', 'print every checker verdict; exit 1 if a property is violated')
    .option('-o, --out <file>', 'write the merged trace (JSON) here')
    .option(
      '--scenario-out <file>',
      'write a simulator scenario (JSON) that replays this run: clocklab sim FILE',
    )
    .option(
      '-p, --param <name=value>',
      "set one of the algorithm's parameters (repeatable)",
      (v: string, all: string[] = []) => [...all, v],
    )
    .addHelpText(
      'after',
      `
Node ids go by sorted peer id. Every peer streams its trace here while the run goes; a
peer whose process died uploads its record when it joins again (same --state-dir).
Examples:
  clocklab lan run ricart-agrawala --lab physics-101 --duration 10000 --check --out run.json
  clocklab lan run bully --lab physics-101 --link 0-1:drop=0.2,delay=5 --link 2-0:cut=both`,
    )
    .action(
      async (
        algorithmName: string,
        flags: CommonFlags & {
          duration: number
          nodes?: number
          participate: boolean
          rate: number
          seed: number
          wait: number
          collectMs: number
          link?: ExperimentSpec['faults']
          check?: boolean
          out?: string
          scenarioOut?: string
          param?: string[]
        },
      ) => {
        const algorithm = algorithmRegistry.get(algorithmName)
        if (algorithm === undefined)
          throw new InputError(
            `unknown algorithm '${algorithmName}' (known: ${[...algorithmRegistry.keys()].join(', ')})`,
          )
        const params = applyParamFlags(algorithm, {}, flags.param ?? [])
        const lab = await joinLab(flags)
        const self = flags.participate ? 1 : 0
        const deadline = Date.now() + flags.wait
        while (
          Date.now() < deadline &&
          lab.peer.members().length + self < (flags.nodes ?? Number.POSITIVE_INFINITY)
        )
          await sleep(50)
        try {
          const spec = planExperiment(lab, {
            algorithm: algorithm.name,
            params,
            durationMs: flags.duration,
            nodes: flags.nodes,
            participate: flags.participate,
            seed: flags.seed,
            workloadRate: flags.rate,
            faults: flags.link,
          })
          console.log(`experiment ${spec.id}: ${describeSpec(spec)} (${spec.names.join(', ')})`)
          const result = await runExperiment(lab, spec, {
            check: flags.check,
            collectMs: flags.collectMs,
          })
          if (flags.out !== undefined) writeFileSync(flags.out, JSON.stringify(result.trace))
          if (flags.scenarioOut !== undefined)
            writeFileSync(
              flags.scenarioOut,
              JSON.stringify(scenarioFromLiveTrace(result.trace, spec.id), null, 2),
            )
          console.log(
            `${result.trace.events.length} events merged` +
              (result.lost.length ? `; process lost: node ${result.lost.join(', ')}` : '') +
              (result.missing.length ? `; no trace from node ${result.missing.join(', ')}` : '') +
              (result.cut.some((c) => c > 0) ? `; events cut: ${result.cut.join('/')}` : ''),
          )
          let ok = true
          for (const v of result.verdicts ?? []) {
            ok &&= v.ok
            console.log(
              `${v.ok ? 'ok  ' : 'FAIL'} ${v.checker}: ${v.ok ? v.description : v.violations[0]?.message}`,
            )
          }
          exit.code = ok ? 0 : 1
        } finally {
          await lab.peer.close()
        }
      },
    )
}
