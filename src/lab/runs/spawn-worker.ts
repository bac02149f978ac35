// How a run worker is started. The Electron build bundles the worker as its own file and
// passes a spawner for it; run from source (the CLI, tests), the worker is TypeScript and
// boots through tsx. Either way the worker then waits for its job (see ./protocol).
import { Worker } from 'node:worker_threads'
import type { WorkerBoot } from './protocol'

export type SpawnWorker = () => Worker

/** A spawner for a worker module that is already JavaScript (a bundle). */
export function bundledWorker(modulePath: string): SpawnWorker {
  return () => new Worker(modulePath)
}

/** A spawner for the worker's TypeScript source. */
export const sourceWorker: SpawnWorker = () =>
  new Worker(new URL('./worker-boot.mjs', import.meta.url), {
    workerData: { entry: new URL('./run-worker.ts', import.meta.url).href } satisfies WorkerBoot,
  })
