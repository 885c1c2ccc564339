import fs from "node:fs"
import path from "node:path"

/**
 * docs/storefront-guide.md promises that its snippets are the demo storefront's own
 * code. Every code block preceded by `<!-- snippet: <file> -->` must consist of
 * pieces (separated by blank lines) that appear verbatim in that file.
 */
const root = path.resolve(__dirname, "..")
const guide = fs.readFileSync(path.join(root, "docs", "storefront-guide.md"), "utf8")
const snippets = [...guide.matchAll(/<!-- snippet: (\S+) -->\n```ts\n([\s\S]*?)\n```/g)].map(([, file, code]) => ({ file, code }))

describe("docs/storefront-guide.md", () => {
  it("quotes the demo storefront's code", () => {
    expect(snippets.length).toBeGreaterThanOrEqual(7)
  })

  it.each(snippets.map((s, i) => [`${i + 1}: ${s.file}`, s] as const))("snippet %s is verbatim in the file", (_, { file, code }) => {
    const source = fs.readFileSync(path.join(root, file), "utf8")
    for (const piece of code.split(/\n\n(?=\/\*\*|export |import )/)) {
      expect({ file, piece, found: source.includes(piece) }).toEqual({ file, piece, found: true })
    }
  })
})
