// Globals the renderer sees: Vite's client types and the one API the preload exposes.
/// <reference types="vite/client" />

interface Window {
  /** The typed ClockLab API (Electron: the preload; browser: the web view's bridge). */
  readonly clocklab: import('../src/lab/api').ClockLabApi
}
