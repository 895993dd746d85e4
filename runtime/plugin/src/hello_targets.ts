/** Where the plugin's first hello goes, before any host has spoken. */

/**
 * Where the first hello goes: the parent's origin when the browser says
 * which (`location.ancestorOrigins`, Chromium and WebKit) and it is an
 * allowed host, nothing when it is another page, and otherwise (Firefox,
 * or an origin the browser hides as "null") each allowed origin, of which
 * the browser delivers only the one that matches the parent. Never "*".
 * Posting to origins that are not the parent's only fills the console with
 * target-origin errors.
 */
export function helloTargets(
  ancestors: DOMStringList | undefined,
  hostOrigins: readonly string[],
): readonly string[] {
  const parent = ancestors?.item(0) ?? null;
  if (parent === null || parent === "null") return hostOrigins;
  if (hostOrigins.includes(parent)) return [parent];
  console.info(
    `flexgen: Flex is embedded by ${parent}, which is not an allowed host origin; bridge idle`,
  );
  return [];
}
