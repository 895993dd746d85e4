// Renders every ```mermaid block of the given Markdown files with the real
// `mermaid` package in headless Chromium, one diagram at a time, and reports
// each: `node browser/tests/mermaid.mjs FILE.md...` (tests/docs_mermaid.rs
// runs it on every generated docs/PROTOCOL.md).
//
// Prints one JSON line per diagram, {"file", "index", "ok", "error", "text"}
// (`text`: the rendered SVG's text, so a caller can check that escaped spec
// text came out as written), then a summary line {"found", "rendered"}.
// Exit status 0 only when at least one diagram was found and all rendered.

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";

import { launch } from "../harness/browser.mjs";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: node browser/tests/mermaid.mjs FILE.md...");
  process.exit(2);
}

/** The body of every ```mermaid fence, in order. */
export function mermaidBlocks(markdown) {
  const blocks = [];
  const fence = /^```mermaid[ \t]*\r?\n([\s\S]*?)^```[ \t]*$/gm;
  for (const match of markdown.matchAll(fence)) blocks.push(match[1]);
  return blocks;
}

const require = createRequire(import.meta.url);
// The self-contained browser build: it defines the global `mermaid`.
const bundle = require.resolve("mermaid/dist/mermaid.min.js");

const diagrams = [];
for (const file of files) {
  const blocks = mermaidBlocks(await readFile(file, "utf8"));
  blocks.forEach((text, index) => diagrams.push({ file, index, text }));
}

const browser = await launch();
let rendered = 0;
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on("pageerror", (e) => pageErrors.push(e.message));
  await page.setContent("<!doctype html><html><body></body></html>");
  await page.addScriptTag({ path: bundle });
  await page.evaluate(() =>
    window.mermaid.initialize({ startOnLoad: false, securityLevel: "strict" }),
  );
  for (const [n, d] of diagrams.entries()) {
    const result = await page.evaluate(
      async ({ text, id }) => {
        try {
          // parse() throws on a syntax error; render() on anything later.
          await window.mermaid.parse(text);
          const { svg } = await window.mermaid.render(id, text);
          const doc = new DOMParser().parseFromString(svg, "image/svg+xml");
          const broken = doc.querySelector("parsererror");
          if (broken)
            return { ok: false, error: `bad SVG: ${broken.textContent}` };
          if (!doc.querySelector("svg"))
            return { ok: false, error: "no <svg>" };
          // Text per element, so words of two labels do not run together.
          const labels = [...doc.querySelectorAll("text, foreignObject")]
            .map((e) => e.textContent)
            .join("\n");
          return { ok: true, text: labels };
        } catch (e) {
          return { ok: false, error: String(e?.message ?? e) };
        }
      },
      { text: d.text, id: `diagram-${n}` },
    );
    if (result.ok && pageErrors.length > 0) {
      result.ok = false;
      result.error = `page error: ${pageErrors.splice(0).join("; ")}`;
    }
    if (result.ok) rendered += 1;
    console.log(
      JSON.stringify({
        file: d.file,
        index: d.index,
        ok: result.ok,
        error: result.error ?? null,
        text: result.text ?? "",
      }),
    );
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify({ found: diagrams.length, rendered }));
process.exit(diagrams.length > 0 && rendered === diagrams.length ? 0 : 1);
