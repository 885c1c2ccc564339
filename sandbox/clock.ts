/**
 * The sandbox's notion of "now": real time plus an offset that the control API
 * can advance, so payment windows and grace periods can be tested without waiting.
 */
export class SandboxClock {
  private offsetMs = 0

  now(): number {
    return Date.now() + this.offsetMs
  }

  nowDate(): Date {
    return new Date(this.now())
  }

  advance(seconds: number): void {
    this.offsetMs += Math.round(seconds * 1000)
  }

  get offsetSeconds(): number {
    return this.offsetMs / 1000
  }

  setOffsetMs(ms: number): void {
    this.offsetMs = ms
  }

  get offset(): number {
    return this.offsetMs
  }
}
