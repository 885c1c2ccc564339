import { ConcurrencyLimit } from "../concurrency-limit"

const deferred = () => {
  let resolve!: () => void
  const promise = new Promise<void>((r) => (resolve = r))
  return { promise, resolve }
}
const tick = () => new Promise((r) => setImmediate(r))

describe("ConcurrencyLimit", () => {
  it("runs at most `limit` tasks at once and starts the waiting ones in arrival order", async () => {
    const limit = new ConcurrencyLimit(2)
    const gates = [deferred(), deferred(), deferred(), deferred()]
    const started: number[] = []
    const done = gates.map((g, i) =>
      limit.run(async () => {
        started.push(i)
        await g.promise
        return i
      })
    )
    await tick()
    expect(started).toEqual([0, 1])
    expect(limit.stats).toEqual({ running: 2, waiting: 2 })

    gates[1].resolve()
    await tick()
    expect(started).toEqual([0, 1, 2])
    expect(limit.stats).toEqual({ running: 2, waiting: 1 })

    gates[0].resolve()
    gates[2].resolve()
    gates[3].resolve()
    await expect(Promise.all(done)).resolves.toEqual([0, 1, 2, 3])
    expect(limit.stats).toEqual({ running: 0, waiting: 0 })
  })

  it("frees the slot when a task throws, and passes the error to its caller", async () => {
    const limit = new ConcurrencyLimit(1)
    await expect(limit.run(async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom")
    await expect(limit.run(async () => "next")).resolves.toBe("next")
    expect(limit.stats).toEqual({ running: 0, waiting: 0 })
  })

  it("refuses a limit below one", () => {
    expect(() => new ConcurrencyLimit(0)).toThrow(/at least 1/)
    expect(() => new ConcurrencyLimit(1.5)).toThrow(/whole number/)
  })
})
