// A progress bar on stderr for runs that take more than a second: silent for
// short runs and when stderr is not a terminal.
import { SingleBar } from 'cli-progress'
import type { SimStats } from '../sim/simulator'

const DELAY_MS = 1000

export class RunProgress {
  private readonly started = performance.now()
  private bar: SingleBar | undefined

  constructor(
    private readonly until: number,
    private readonly maxEvents: number | undefined,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  update = (stats: Readonly<SimStats>): void => {
    if (!this.stream.isTTY) return
    const elapsed = performance.now() - this.started
    if (this.bar === undefined) {
      if (elapsed < DELAY_MS) return
      this.bar = new SingleBar({
        stream: this.stream,
        format: ' {bar} {percentage}% | {events} events | {rate} events/s | {simulated}',
        hideCursor: true,
        clearOnComplete: true,
      })
      this.bar.start(100, 0)
    }
    const byTime = stats.time / this.until
    const byEvents = this.maxEvents ? stats.events / this.maxEvents : 0
    this.bar.update(Math.min(100, Math.floor(100 * Math.max(byTime, byEvents))), {
      events: stats.events.toLocaleString('en-US'),
      rate: Math.round((stats.events / elapsed) * 1000).toLocaleString('en-US'),
      simulated: `${(stats.time / 1000).toFixed(1)} s simulated`,
    })
  }

  stop(): void {
    this.bar?.stop()
  }
}
