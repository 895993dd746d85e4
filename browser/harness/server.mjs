// Three static servers on loopback, one per origin: the CRM host page, the
// Flex simulator and the attacker. Different ports make different origins,
// so every postMessage between them is a real cross-origin one.
//
// Headers: the host page gets the CSP a CRM embedding Flex should send
// (`frame-src` naming the Flex origin exactly, scripts from itself plus
// 'wasm-unsafe-eval' for the bridge) and `Cross-Origin-Opener-Policy:
// same-origin-allow-popups` (a third-origin page that opens it keeps no
// handle to it; the CRM's own popups keep their opener). The simulator sends no
// `frame-ancestors` on purpose: hosted Flex derives one from its "Allowed
// URLs", but the security tests must reach the plugin from a foreign frame to
// prove that the plugin's own origin and source checks hold without it.

import fs from "node:fs";
import http from "node:http";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json",
  ".wasm": "application/wasm",
  ".map": "application/json",
};

function serveStatic(root, headersFor) {
  // headersFor(pathname, contentType, searchParams) -> extra headers
  const rootAbs = path.resolve(root);
  return (req, res) => {
    let pathname;
    let search;
    try {
      const url = new URL(req.url, "http://x");
      pathname = decodeURIComponent(url.pathname);
      search = url.searchParams;
    } catch {
      res.writeHead(400).end();
      return;
    }
    if (pathname.endsWith("/")) pathname += "index.html";
    const file = path.resolve(rootAbs, `.${pathname}`);
    // No path may leave the root (`..`, encoded or not).
    if (file !== rootAbs && !file.startsWith(rootAbs + path.sep)) {
      res.writeHead(403).end();
      return;
    }
    fs.readFile(file, (err, body) => {
      if (err) {
        res.writeHead(404, { "content-type": "text/plain" }).end("not found");
        return;
      }
      const type = TYPES[path.extname(file)] ?? "application/octet-stream";
      res.writeHead(200, {
        "content-type": type,
        "x-content-type-options": "nosniff",
        // The Flex bundle is 18 MB and never changes within a run.
        "cache-control": pathname.endsWith("/flex-ui.js")
          ? "max-age=3600"
          : "no-cache",
        ...headersFor(pathname, type, search),
      });
      res.end(body);
    });
  };
}

/**
 * Whether the host page at `pathname` (`/<case>/...`) belongs to a
 * host_in_flex case (its config.json, written by harness/build.mjs, says
 * `"embedding": "host_in_flex"`): Flex frames it, it frames nothing.
 */
function hostInFlex(www, pathname) {
  const name = pathname.split("/")[1] ?? "";
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) return false;
  try {
    const config = JSON.parse(
      fs.readFileSync(path.join(www, "host", name, "config.json"), "utf8"),
    );
    return config.embedding === "host_in_flex";
  } catch {
    return false;
  }
}

/**
 * `?isolated=1` on a page: it asks to be cross-origin isolated (COOP and
 * COEP, and CORP so that the other origin may frame it). The benchmark's
 * pages ask: `performance.now()` then steps by 5 µs instead of 100.
 */
function isolation(search) {
  return search.get("isolated") === "1"
    ? {
        "cross-origin-opener-policy": "same-origin",
        "cross-origin-embedder-policy": "require-corp",
        "cross-origin-resource-policy": "cross-origin",
      }
    : {};
}

function listen(handler, port) {
  return new Promise((resolve, reject) => {
    const server = http.createServer(handler);
    server.on("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/**
 * Starts the three servers (ports 0 = any free port) over the roots under
 * `www`. Returns their origins and `close()`. `ports.attacker` null: no
 * attacker server (`attackerOrigin` null), as in `flexgen preview`, which
 * serves a user's pages and none of the security tests'.
 */
export async function startServers(
  www,
  ports = { host: 0, flex: 0, attacker: 0 },
) {
  let flexOrigin = "";
  let attackerOrigin = null;
  const host = await listen(
    serveStatic(path.join(www, "host"), (pathname, type, search) =>
      type.startsWith("text/html")
        ? {
            "content-security-policy": [
              "default-src 'self'",
              "script-src 'self' 'wasm-unsafe-eval'",
              // `?idp=1`: the CRM also lets the Flex frame navigate to a
              // login page (SSO) on another origin, played by the attacker.
              `frame-src 'self' ${flexOrigin}${search.get("idp") === "1" && attackerOrigin ? ` ${attackerOrigin}` : ""}`,
              "style-src 'self'",
              "object-src 'none'",
              // Only pages of its own origin may frame the CRM (clickjacking);
              // the tests' blank rogue.html is one. A host_in_flex case's
              // CRM page is framed by Flex: Flex's origin, exactly, instead.
              hostInFlex(www, pathname)
                ? `frame-ancestors ${flexOrigin}`
                : "frame-ancestors 'self'",
              "base-uri 'none'",
            ].join("; "),
            // No other site may hold a handle to the CRM window: a page that
            // opens it is left with a closed one (it could otherwise post at
            // the CRM, or flood the Flex frame inside it, at will).
            // `same-origin-allow-popups`, not `same-origin`: popups the CRM
            // opens, Flex's SSO login from the Flex iframe among them, keep
            // their opener. (`?isolated=1` replaces it with `same-origin`.)
            "cross-origin-opener-policy": "same-origin-allow-popups",
            ...isolation(search),
          }
        : {},
    ),
    ports.host,
  );
  const flex = await listen(
    serveStatic(path.join(www, "flex"), (_p, type, search) =>
      type.startsWith("text/html") ? isolation(search) : {},
    ),
    ports.flex,
  );
  const attacker =
    ports.attacker == null
      ? null
      : await listen(
          serveStatic(path.join(www, "attacker"), () => ({})),
          ports.attacker,
        );
  // `localhost` for the host and 127.0.0.1 for Flex and the attacker: two
  // host names as well as three ports, as in production.
  const hostOrigin = `http://localhost:${host.address().port}`;
  flexOrigin = `http://127.0.0.1:${flex.address().port}`;
  if (attacker) attackerOrigin = `http://127.0.0.1:${attacker.address().port}`;
  return {
    hostOrigin,
    flexOrigin,
    attackerOrigin,
    close: () =>
      Promise.all(
        [host, flex, attacker].filter(Boolean).map(
          (s) =>
            new Promise((r) => {
              s.closeAllConnections();
              s.close(r);
            }),
        ),
      ),
  };
}
