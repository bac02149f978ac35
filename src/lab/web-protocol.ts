// The typed API over a WebSocket (`clocklab web`): the messages a page and the server
// exchange. The server greets; a page that needs a token sends it; then each call carries an
// id that its result echoes. Shared by the server and the renderer's client.

/** The path the API is served on, next to the page. */
export const WEB_API_PATH = '/api'

export type ServerMessage =
  /** On connect: whether calls need a token first (the server binds a non-loopback address). */
  | { type: 'hello'; auth: 'none' | 'token' }
  | { type: 'ready' }
  /** The token was wrong; the server closes the connection. */
  | { type: 'denied'; message: string }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: string }

export type ClientMessage =
  { type: 'auth'; token: string } | { type: 'call'; id: number; method: string; args: unknown[] }

/** Close codes the server uses (4000-4999 are the application's). */
export const CLOSE_DENIED = 4401
export const CLOSE_BAD_MESSAGE = 4400
