// The typed API over a WebSocket, for the page served by `clocklab web`: the same
// ClockLabApi the Electron preload exposes, each call a message answered by id. Calls made
// while connecting wait; a dropped connection is retried, and calls in flight fail with a
// message that says so.
import type { ClockLabApi } from '../../../src/lab/api-types'
import { API_METHODS } from '../../../src/lab/api-methods'
import {
  CLOSE_DENIED,
  encodeTextCall,
  WEB_API_PATH,
  type ClientMessage,
  type ServerMessage,
} from '../../../src/lab/web-protocol'

export type ConnectionState =
  | { kind: 'connecting' }
  | { kind: 'ready' }
  /** The server wants a token; `message` says why the last one failed, if one did. */
  | { kind: 'needs-token'; message?: string }
  | { kind: 'lost'; retryInMs: number }

interface Pending {
  resolve: (value: unknown) => void
  reject: (err: Error) => void
}

const RETRY_MS = [500, 1000, 2000, 5000]

export class WsApiClient {
  readonly api: ClockLabApi
  private ws: WebSocket | null = null
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private waiting: (() => void)[] = []
  private ready = false
  private attempts = 0
  private token: string | undefined

  constructor(
    private readonly url: string,
    token: string | undefined,
    private readonly onState: (state: ConnectionState) => void,
  ) {
    this.token = token
    this.api = Object.fromEntries(
      API_METHODS.map((method) => [method, (...args: unknown[]) => this.call(method, args)]),
    ) as unknown as ClockLabApi
  }

  /** The API's address next to the page (ws: or wss: like the page's http: or https:). */
  static urlFor(location: Location): string {
    return `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${WEB_API_PATH}`
  }

  connect(): void {
    this.onState({ kind: 'connecting' })
    const ws = new WebSocket(this.url)
    this.ws = ws
    let denied = false
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data)) as ServerMessage
      switch (m.type) {
        case 'hello':
          if (m.auth === 'token') {
            if (this.token === undefined) this.onState({ kind: 'needs-token' })
            else this.send({ type: 'auth', token: this.token })
          }
          return
        case 'ready':
          this.ready = true
          this.attempts = 0
          this.onState({ kind: 'ready' })
          for (const go of this.waiting.splice(0)) go()
          return
        case 'denied':
          denied = true
          this.token = undefined
          this.onState({ kind: 'needs-token', message: m.message })
          return
        case 'result': {
          const p = this.pending.get(m.id)
          if (!p) return
          this.pending.delete(m.id)
          if (m.ok) p.resolve(m.value)
          else p.reject(new Error(m.error))
          return
        }
      }
    }
    ws.onclose = (ev) => {
      this.ready = false
      this.ws = null
      for (const p of this.pending.values())
        p.reject(new Error('the connection to the lab was lost; try again'))
      this.pending.clear()
      if (denied || ev.code === CLOSE_DENIED) return
      const wait = RETRY_MS[Math.min(this.attempts++, RETRY_MS.length - 1)]
      this.onState({ kind: 'lost', retryInMs: wait })
      setTimeout(() => this.connect(), wait)
    }
  }

  /** Tries again with a token the user typed in. */
  useToken(token: string): void {
    this.token = token.trim()
    if (this.ws && this.ws.readyState === WebSocket.OPEN)
      this.send({ type: 'auth', token: this.token })
    else this.connect()
  }

  private send(m: ClientMessage): void {
    this.ws?.send(JSON.stringify(m))
  }

  private async call(method: string, args: unknown[]): Promise<unknown> {
    if (!this.ready) await new Promise<void>((go) => this.waiting.push(go))
    const id = this.nextId++
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject })
      // A recording goes as bytes, not escaped into JSON (see encodeTextCall).
      const [first, ...rest] = args
      if (method === 'openTrace' && typeof first === 'string')
        this.ws?.send(encodeTextCall({ type: 'call', id, method, args: rest }, first))
      else this.send({ type: 'call', id, method, args })
    })
  }
}
