// The names of the typed API's methods and their IPC channels. Kept free of dependencies
// so the sandboxed Electron preload can bundle it without pulling in zod or the engine.
export const API_METHODS = [
  'version',
  'listAlgorithms',
  'runSimulation',
  'listScenarios',
  'startRun',
  'runPage',
  'cancelRun',
  'openTrace',
  'exportRun',
  'readClocks',
  'listSerialPorts',
  'addTimeSource',
  'removeTimeSource',
  'readTimeSources',
  'setLabClockReference',
  'lanJoin',
  'lanLeave',
  'lanStatus',
  'lanStart',
  'lanExperiment',
  'lanFault',
  'lanRecording',
  'lanReplay',
] as const

export type ApiMethodName = (typeof API_METHODS)[number]

/** The Electron IPC channel that carries one API method. */
export function apiChannel(method: ApiMethodName): string {
  return `clocklab:${method}`
}
