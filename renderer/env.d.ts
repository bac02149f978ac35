// Globals the renderer sees: Vite's client types and the one API the Electron preload exposes.
/// <reference types="vite/client" />

interface Window {
  /** The typed ClockLab API from the Electron preload; absent in a browser (see api/transport). */
  readonly clocklab?: import('../src/lab/api-types').ClockLabApi
}
