// Flex reads localStorage and sessionStorage as its bundle loads. In a
// cross-site iframe whose browser blocks third-party storage (headless
// Chromium does by default) that read throws and the whole bundle dies;
// hosted Flex has the same requirement (Twilio asks for third-party cookies
// when framed). The simulator is here to test the bridge, not that setting:
// where storage is blocked it gets a per-page in-memory Storage, installed
// before flex-ui.js runs (index.html runs this bundle first).

class MemoryStorage implements Storage {
  private readonly items = new Map<string, string>();
  [name: string]: unknown;

  get length(): number {
    return this.items.size;
  }

  key(index: number): string | null {
    return [...this.items.keys()][index] ?? null;
  }

  getItem(key: string): string | null {
    return this.items.get(String(key)) ?? null;
  }

  setItem(key: string, value: string): void {
    this.items.set(String(key), String(value));
  }

  removeItem(key: string): void {
    this.items.delete(String(key));
  }

  clear(): void {
    this.items.clear();
  }
}

function blocked(name: "localStorage" | "sessionStorage"): boolean {
  try {
    return window[name] === null;
  } catch {
    return true;
  }
}

/** Returns the names of the storages it had to replace. */
export function shimBlockedStorage(): string[] {
  const replaced: string[] = [];
  for (const name of ["localStorage", "sessionStorage"] as const) {
    if (!blocked(name)) continue;
    try {
      Object.defineProperty(window, name, {
        value: new MemoryStorage(),
        configurable: true,
      });
      replaced.push(name);
    } catch {
      // Left as it is: flex-ui.js will then fail to load and start() says so.
    }
  }
  return replaced;
}
