// Element building for the CRM page. Everything that reaches the page goes
// through textContent: contact names, payloads and Flex's error texts come
// from outside and must never be parsed as markup.

export interface ElOptions {
  cls?: string;
  text?: string;
  attrs?: Record<string, string>;
}

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  opts: ElOptions = {},
  ...children: Array<Node | null>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (opts.cls) node.className = opts.cls;
  if (opts.text !== undefined) node.textContent = opts.text;
  if (opts.attrs) {
    for (const [name, value] of Object.entries(opts.attrs))
      node.setAttribute(name, value);
  }
  for (const child of children) if (child) node.append(child);
  return node;
}

/**
 * Text that may carry bidi controls (U+202E): <bdi> keeps them from
 * reordering the text around it, so "name — company" stays readable.
 */
export function isolated(text: string, cls?: string): HTMLElement {
  return el("bdi", { cls, text });
}

/** The element with this id, which index.html is expected to contain. */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`index.html has no #${id}`);
  return node as T;
}
