// The preload: exposes exactly one object, window.clocklab, whose methods forward to the
// main process over IPC. Built as CommonJS because sandboxed preloads cannot be ES modules.
import { contextBridge, ipcRenderer } from 'electron'
import type { ClockLabApi } from '../../src/lab/api'
import { API_METHODS, apiChannel } from '../../src/lab/api-methods'

const api = Object.fromEntries(
  API_METHODS.map((method) => [
    method,
    (...args: unknown[]): Promise<unknown> => ipcRenderer.invoke(apiChannel(method), ...args),
  ]),
) as unknown as ClockLabApi

contextBridge.exposeInMainWorld('clocklab', api)
