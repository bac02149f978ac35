// The typed API over IPC: one ipcMain.handle('clocklab:<method>') per API method. Every call
// is checked for its sender (the app's own page) and its arguments (the API's schemas).
import { ipcMain, type IpcMainInvokeEvent } from 'electron'
import { apiSchemas, callApi, type ApiMethod, type ClockLabApi } from '../../src/lab/api'
import { apiChannel } from '../../src/lab/api-methods'
import { isAppUrl } from './policy'

export function registerApi(api: ClockLabApi, appUrl: string): void {
  const trusted = (event: IpcMainInvokeEvent): boolean => {
    const frame = event.senderFrame
    return frame !== null && frame.parent === null && isAppUrl(frame.url, appUrl)
  }
  for (const method of Object.keys(apiSchemas) as ApiMethod[]) {
    ipcMain.handle(apiChannel(method), (event, ...args: unknown[]) => {
      if (!trusted(event)) throw new Error(`clocklab.${method}: call from an untrusted frame`)
      return callApi(api, method, args)
    })
  }
}
