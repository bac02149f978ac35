// What both GPS sources (a receiver on a serial port, gpsd) keep the same way: the feed their
// samples go out on, how many they produced, bad input counted by code, the connection state
// and the last problem in words, and the status fields every TimeSource reports from these.
import { ErrorCounts } from '../errors'
import { SampleFeed, type SourceStatus, type TimeSample } from '../source'

export class SourceState {
  readonly feed = new SampleFeed()
  readonly errors = new ErrorCounts()
  state: SourceStatus['state'] = 'connecting'
  lastError: string | undefined
  produced = 0

  constructor(readonly id: string) {}

  /** Hands a sample to every consumer. */
  push(sample: TimeSample): void {
    this.produced++
    this.feed.push(sample)
  }

  /** Counts a problem by its code and keeps its message as the last error. */
  fail(code: string, message: string): void {
    this.errors.add(code)
    this.lastError = message
  }

  status(): SourceStatus {
    return {
      id: this.id,
      state: this.state,
      samples: this.produced,
      errors: this.errors.toJSON(),
      ...(this.lastError ? { lastError: this.lastError } : {}),
    }
  }
}
