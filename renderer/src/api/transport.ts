// Which way the page reaches the engine: the Electron preload's window.clocklab when there
// is one, else the WebSocket of `clocklab web` next to the page. The token for a server on
// a non-loopback address comes in the link's fragment (#token=...) and is then kept for
// this tab only and taken out of the address bar.
import type { ClockLabApi } from '../../../src/lab/api-types'
import { WsApiClient, type ConnectionState } from './ws-client'

export interface Transport {
  api: ClockLabApi
  /** Set in the browser: the WebSocket client, for the token prompt. */
  ws?: WsApiClient
}

const TOKEN_KEY = 'clocklab.token'

function takeToken(): string | undefined {
  const m = /(?:^#|&)token=([^&]+)/.exec(location.hash)
  if (m) {
    sessionStorage.setItem(TOKEN_KEY, decodeURIComponent(m[1]))
    const rest = location.hash.replace(/(^#|&)token=[^&]+/, '$1').replace(/^#&?$/, '')
    history.replaceState(null, '', location.pathname + location.search + rest)
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined
}

export function openTransport(onState: (s: ConnectionState) => void): Transport {
  if (window.clocklab) {
    onState({ kind: 'ready' })
    return { api: window.clocklab }
  }
  const ws = new WsApiClient(WsApiClient.urlFor(location), takeToken(), (s) => {
    if (s.kind === 'needs-token' && s.message) sessionStorage.removeItem(TOKEN_KEY)
    onState(s)
  })
  ws.connect()
  return { api: ws.api, ws }
}

/** Remembers a token the user typed (for reloads of this tab) and uses it. */
export function submitToken(t: Transport, token: string): void {
  sessionStorage.setItem(TOKEN_KEY, token.trim())
  t.ws?.useToken(token)
}
