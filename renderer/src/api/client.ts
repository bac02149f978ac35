// The page's one connection to the engine: opened on first use, with its state (connecting,
// ready, needs a token, lost) as a reactive value for the header and the token dialog.
import { ref } from 'vue'
import type { ClockLabApi } from '../../../src/lab/api-types'
import { openTransport, submitToken, type Transport } from './transport'
import type { ConnectionState } from './ws-client'

export const connection = ref<ConnectionState>({ kind: 'connecting' })

let transport: Transport | undefined

export function api(): ClockLabApi {
  transport ??= openTransport((s) => (connection.value = s))
  return transport.api
}

export function useToken(token: string): void {
  if (transport) submitToken(transport, token)
}

/** An error's message as a user should read it. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err)
  // Electron wraps errors from the main process; keep the part that explains the problem.
  return text.replace(/^Error invoking remote method '[^']*': (\w*Error: )?/, '')
}
