// Opens a workspace's own example host page (host/, as `flexgen new` and
// `generate` write it, with bridge/pkg/ built as the workspace README says)
// in headless Chromium and checks what a user would see before Flex answers:
// the page obeys its own CSP, the bridge starts and reports its state, there
// is a form per CRM -> Flex command, an empty required field is refused by
// the bridge (SCHEMA_INVALID) and a good command with no Flex to answer
// fails with NOT_READY. Flex itself (the iframe's remote origin) is blocked:
// the test stays on loopback.
//
//   node browser/tests/host-page.mjs WORKSPACE_DIR COMMAND_COUNT
//
// Prints what went wrong and exits 1, or exits 0.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";

import { launch, newContext } from "../harness/browser.mjs";

const [root, expectedForms] = process.argv.slice(2);
if (!root || !expectedForms) {
  console.error(
    "usage: node browser/tests/host-page.mjs WORKSPACE_DIR COMMAND_COUNT",
  );
  process.exit(2);
}

const TYPES = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".css": "text/css",
  ".wasm": "application/wasm",
};
const server = http.createServer((req, res) => {
  const rel = decodeURIComponent(new URL(req.url, "http://x").pathname);
  let file = path.join(root, path.normalize(rel));
  if (!file.startsWith(path.resolve(root))) {
    res.writeHead(403).end();
    return;
  }
  if (rel.endsWith("/")) file = path.join(file, "index.html");
  fs.readFile(file, (err, body) => {
    if (err) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      "content-type": TYPES[path.extname(file)] ?? "application/octet-stream",
    });
    res.end(body);
  });
});
await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://localhost:${server.address().port}/host/`;

const problems = [];
const browser = await launch();
try {
  const ctx = await newContext(browser);
  const page = await ctx.newPage();
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) {
      problems.push(`CSP: ${m.text()}`);
    }
  });
  await page.goto(url);
  // The bridge replaces "loading" with its state once the WASM has started.
  await page.waitForFunction(
    () => document.getElementById("state")?.textContent !== "loading",
    null,
    { timeout: 20000 },
  );
  const display = await page.evaluate(
    () => getComputedStyle(document.body).display,
  );
  if (display !== "grid")
    problems.push(`style.css not applied (body is ${display})`);
  const forms = await page.locator("#commands form").count();
  if (forms !== Number(expectedForms)) {
    problems.push(`${forms} command forms, expected ${expectedForms}`);
  }

  const logged = (pattern) =>
    page.waitForFunction(
      (source) =>
        [...document.querySelectorAll("#log li")].some((li) =>
          new RegExp(source).test(li.textContent),
        ),
      pattern,
      { timeout: 30000 },
    );
  const form = page.locator("#commands form").first();
  const text = form.locator("input:not([type=checkbox])").first();
  // Every command field of the seed's first command is required text.
  await text.fill("");
  await form.locator("button").click();
  await logged("failed[\\s\\S]*SCHEMA_INVALID").catch(() =>
    problems.push(
      "an empty required field was not refused with SCHEMA_INVALID",
    ),
  );
  await text.fill("+15551230001");
  await form.locator("button").click();
  await logged("failed[\\s\\S]*NOT_READY").catch(() =>
    problems.push(
      "a command with no Flex to answer did not fail with NOT_READY",
    ),
  );
  problems.push(...ctx.pageErrors.map((e) => `page error: ${e}`));
} catch (e) {
  problems.push(`${e}`);
} finally {
  await browser.close();
  server.close();
}
if (problems.length > 0) {
  console.error(problems.join("\n"));
  process.exit(1);
}
console.log(`host page ok: ${url}`);
