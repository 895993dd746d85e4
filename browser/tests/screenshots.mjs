// Screenshots of what flexgen puts inside Flex, checked by their pixels: the
// data tab (`show:` triggers) in the task canvas, and the CRM page in Flex's
// CRM container (`app.embedding: host_in_flex`). A screenshot is Chromium's
// own rendering of the page (real fonts, Paste's real styles): a box of it
// that should hold text must hold "ink", pixels that stand out from the
// box's background, else the text is not on screen (hidden, clipped,
// the same colour as its background, or not rendered at all).
//
// Every screenshot is written to `<out>/screenshots/`; with
// FLEXGEN_SCREENSHOTS=DIR set it is written to DIR too (that is how
// docs/images/ is refreshed, CONTRIBUTING.md says how).

import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";

/** Colour distance (sum over R, G, B) from the background that counts as ink. */
const INK_DISTANCE = 120;
/** Ink pixels the box of one short line of text has at least. */
const MIN_INK = 12;

/**
 * Writes `png` as `<name>.png` under `<out>/screenshots/`, and under
 * $FLEXGEN_SCREENSHOTS when that is set; returns the first path.
 */
export function keepScreenshot(out, name, png) {
  const dirs = [path.join(out, "screenshots")];
  if (process.env.FLEXGEN_SCREENSHOTS)
    dirs.push(path.resolve(process.env.FLEXGEN_SCREENSHOTS));
  for (const dir of dirs) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, `${name}.png`), png);
  }
  return path.join(dirs[0], `${name}.png`);
}

/**
 * The box of `locator`'s text (a DOM range over its contents: no border,
 * no padding) inside the screenshot of `shot` (a locator whose screenshot
 * was taken, or null for the page's viewport), in that screenshot's pixels
 * (scale 1). Playwright's boxes are in the top page's coordinates, a
 * range's in its own frame's: the element's box in both joins them.
 */
export async function textBox(shot, locator, what) {
  const outer = shot ? await shot.boundingBox() : { x: 0, y: 0 };
  const element = await locator.boundingBox();
  assert.ok(outer, "the screenshot's element is not on screen");
  assert.ok(element, `${what} is not on screen`);
  const text = await locator.evaluate((e) => {
    const range = document.createRange();
    range.selectNodeContents(e);
    const t = range.getBoundingClientRect();
    const b = e.getBoundingClientRect();
    return { dx: t.x - b.x, dy: t.y - b.y, width: t.width, height: t.height };
  });
  return {
    what,
    x: Math.round(element.x + text.dx - outer.x),
    y: Math.round(element.y + text.dy - outer.y),
    width: Math.round(text.width),
    height: Math.round(text.height),
  };
}

/**
 * For each box of `png`: its size, how many of its pixels are ink, and
 * whether it lies inside the image. Decoded by Chromium in a blank page of
 * `ctx` (a canvas's getImageData), so no image library is needed.
 */
export async function inkIn(ctx, png, boxes) {
  const scratch = await ctx.newPage();
  try {
    return await scratch.evaluate(
      async ([b64, boxes, distance]) => {
        const image = new Image();
        image.src = `data:image/png;base64,${b64}`;
        await image.decode();
        const canvas = document.createElement("canvas");
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        const g = canvas.getContext("2d", { willReadFrequently: true });
        g.drawImage(image, 0, 0);
        return boxes.map((box) => {
          const inside =
            box.width > 0 &&
            box.height > 0 &&
            box.x >= 0 &&
            box.y >= 0 &&
            box.x + box.width <= canvas.width &&
            box.y + box.height <= canvas.height;
          if (!inside) return { ...box, inside, ink: 0, pixels: 0 };
          const { data } = g.getImageData(box.x, box.y, box.width, box.height);
          // The background: the box's most common colour.
          const counts = new Map();
          for (let i = 0; i < data.length; i += 4) {
            const key = (data[i] << 16) | (data[i + 1] << 8) | data[i + 2];
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
          let background = 0;
          let most = -1;
          for (const [key, n] of counts)
            if (n > most) [background, most] = [key, n];
          const [br, bg, bb] = [
            background >> 16,
            (background >> 8) & 255,
            background & 255,
          ];
          let ink = 0;
          for (let i = 0; i < data.length; i += 4) {
            const d =
              Math.abs(data[i] - br) +
              Math.abs(data[i + 1] - bg) +
              Math.abs(data[i + 2] - bb);
            if (d >= distance) ink += 1;
          }
          return { ...box, inside, ink, pixels: data.length / 4 };
        });
      },
      [png.toString("base64"), boxes, INK_DISTANCE],
    );
  } finally {
    await scratch.close();
  }
}

/** Every box lies inside the screenshot and holds text: enough ink. */
export function assertText(results, name) {
  for (const r of results) {
    assert.ok(r.inside, `${name}: ${r.what} lies outside the screenshot`);
    assert.ok(
      r.ink >= MIN_INK,
      `${name}: ${r.what} shows no text (${r.ink} ink pixels of ${r.pixels})`,
    );
  }
}
