// Discovery: a node announces itself (hello) on the lab's multicast group every
// heartbeat and says goodbye when it leaves; the hellos it hears feed its
// membership view (membership.ts), which declares a member crashed after the
// timeout. Timer functions are injectable so tests can drive it by hand.
import { EventEmitter } from 'node:events'
import type { Endpoint } from './endpoint'
import { Membership, type Member, type MembershipEvent } from './membership'

export interface DiscoveryOptions {
  name: string
  epoch: string
  heartbeatMs?: number
  /** Silence before a member counts as crashed (default: 4 heartbeats). */
  timeoutMs?: number
  now?: () => number
  setInterval?: (f: () => void, ms: number) => unknown
  clearInterval?: (handle: unknown) => void
}

export class Discovery extends EventEmitter<{ membership: [MembershipEvent] }> {
  readonly membership: Membership
  readonly heartbeatMs: number
  private handle: unknown
  private readonly now: () => number

  constructor(
    private readonly endpoint: Endpoint,
    selfId: string,
    private readonly options: DiscoveryOptions,
  ) {
    super()
    this.heartbeatMs = options.heartbeatMs ?? 500
    this.membership = new Membership(selfId, options.timeoutMs ?? 4 * this.heartbeatMs)
    this.now = options.now ?? (() => performance.now())
    endpoint.on('envelope', (env, rinfo) => {
      if (env.kind === 'hello') {
        const { port, name, epoch } = env.body
        const h = { id: env.sender, name, port, epoch, address: rinfo.address }
        this.publish(this.membership.hello(h, this.now()))
      } else if (env.kind === 'bye') this.publish(this.membership.bye(env.sender, env.body.epoch))
      else this.membership.heard(env.sender, this.now()) // any authenticated datagram is a sign of life
    })
  }

  start(): void {
    const every = this.options.setInterval ?? setInterval
    this.beat()
    this.handle = every(() => this.beat(), this.heartbeatMs)
  }

  /** Leave: stop beating and say goodbye so peers need not wait for the timeout. */
  stop(goodbye = true): void {
    ;(this.options.clearInterval ?? ((h) => clearInterval(h as NodeJS.Timeout)))(this.handle)
    if (goodbye) this.endpoint.announce('bye', { epoch: this.options.epoch })
  }

  members(): Member[] {
    return this.membership.list()
  }

  private beat(): void {
    this.endpoint.announce('hello', {
      port: this.endpoint.port,
      name: this.options.name,
      epoch: this.options.epoch,
    })
    this.publish(this.membership.tick(this.now()))
  }

  private publish(events: MembershipEvent[]): void {
    for (const e of events) this.emit('membership', e)
  }
}
