// Where an export goes: a file, or standard output when no file is named.
// Writes are buffered and synchronous, so a long run streams its trace out with
// bounded memory while the simulator loop runs.
import { closeSync, openSync, writeSync } from 'node:fs'
import { InputError } from '../core/errors'

const FLUSH_AT = 1 << 16

export class Output {
  private buffer = ''

  private constructor(
    private readonly fd: number,
    private readonly owned: boolean,
  ) {}

  static open(file: string | undefined): Output {
    if (file === undefined) return new Output(1, false)
    try {
      return new Output(openSync(file, 'w'), true)
    } catch (err) {
      throw new InputError(`--out ${file}: cannot write (${(err as NodeJS.ErrnoException).code})`)
    }
  }

  get isStdout(): boolean {
    return !this.owned
  }

  readonly write = (chunk: string): void => {
    this.buffer += chunk
    if (this.buffer.length >= FLUSH_AT) this.flush()
  }

  close(): void {
    this.flush()
    if (this.owned) closeSync(this.fd)
  }

  private flush(): void {
    const data = Buffer.from(this.buffer)
    this.buffer = ''
    let offset = 0
    while (offset < data.length) {
      try {
        offset += writeSync(this.fd, data, offset)
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code
        // The reader stopped early (`clocklab sim ... --export csv | head`): end quietly.
        if (code === 'EPIPE' && !this.owned) process.exit(0)
        // A non-blocking pipe that is full: wait for the reader and retry.
        if (code !== 'EAGAIN') throw err
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5)
      }
    }
  }
}
