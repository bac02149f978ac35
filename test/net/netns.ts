// A small LAN of network namespaces for the live-lab tests: a "switch" namespace with
// a bridge, and one namespace per host joined to it by a veth pair, each with
// `tc netem` delay. Everything lives inside namespaces this creates (named with a
// random suffix), so deleting them removes every link too; `destroy` runs in finally.
import { execFileSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'

export interface NetnsLab {
  hosts: { ns: string; iface: string; address: string }[]
  /** Whether tc netem delays the links (false where the kernel lacks sch_netem). */
  netem: boolean
  destroy(): void
}

const ip = (...args: string[]) => execFileSync('ip', args, { stdio: 'pipe' })

/** Why namespaces cannot be made here, or undefined if they can. */
export function netnsUnavailable(): string | undefined {
  if (process.platform !== 'linux') return 'network namespaces need Linux'
  if (process.getuid?.() !== 0) return 'network namespaces need root (ip netns add)'
  const probe = `clprobe${randomBytes(3).toString('hex')}`
  try {
    ip('netns', 'add', probe)
    ip('netns', 'del', probe)
    return undefined
  } catch (err) {
    return `ip netns add failed: ${(err as Error).message.split('\n')[0]}`
  }
}

let netemWorks = true

export function createNetnsLab(count: number, netem = ['delay', '2ms', '1ms']): NetnsLab {
  const tag = randomBytes(3).toString('hex')
  const sw = `clsw${tag}`
  const made: string[] = []
  const destroy = () => {
    for (const ns of made.splice(0).reverse())
      try {
        ip('netns', 'del', ns)
      } catch {
        // already gone
      }
  }
  try {
    ip('netns', 'add', sw)
    made.push(sw)
    ip('-n', sw, 'link', 'add', 'br0', 'type', 'bridge', 'mcast_snooping', '0')
    ip('-n', sw, 'link', 'set', 'br0', 'up')
    const hosts = Array.from({ length: count }, (_, k) => {
      const ns = `clh${k}${tag}`
      ip('netns', 'add', ns)
      made.push(ns)
      const address = `10.213.0.${k + 1}`
      // The pair is made inside the host's namespace, so deleting it removes both ends.
      ip('-n', ns, 'link', 'add', 'eth0', 'type', 'veth', 'peer', 'name', `p${k}`)
      ip('-n', ns, 'link', 'set', `p${k}`, 'netns', sw)
      ip('-n', sw, 'link', 'set', `p${k}`, 'master', 'br0')
      ip('-n', sw, 'link', 'set', `p${k}`, 'up')
      ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0')
      ip('-n', ns, 'link', 'set', 'eth0', 'up')
      ip('-n', ns, 'link', 'set', 'lo', 'up')
      if (netemWorks) {
        try {
          execFileSync(
            'ip',
            ['netns', 'exec', ns, 'tc', 'qdisc', 'add', 'dev', 'eth0', 'root', 'netem', ...netem],
            { stdio: 'pipe' },
          )
        } catch (err) {
          // Some kernels (this project's VMs among them) are built without sch_netem.
          if (!/qdisc kind is unknown/.test(String((err as { stderr?: Buffer }).stderr))) throw err
          netemWorks = false
          console.log('tc netem is not in this kernel: the namespaces run without added delay')
        }
      }
      return { ns, iface: 'eth0', address }
    })
    // A link counts as running (and Node lists its address) only once it has carrier.
    for (const h of hosts) {
      const deadline = Date.now() + 5000
      while (!/LOWER_UP/.test(ip('-n', h.ns, '-o', 'link', 'show', 'eth0').toString())) {
        if (Date.now() > deadline) throw new Error(`${h.ns}: eth0 has no carrier after 5 s`)
        execFileSync('sleep', ['0.02'])
      }
    }
    return { hosts, netem: netemWorks, destroy }
  } catch (err) {
    destroy()
    throw err
  }
}
