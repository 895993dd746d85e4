/**
 * The few APIs of Node's test runner and strict assertions that the tests
 * use, typed here so that the runtime's toolchain needs no @types/node.
 */

declare module "node:test" {
  export interface Mock {
    readonly mock: {
      readonly calls: readonly { readonly arguments: readonly unknown[] }[];
    };
  }
  export interface MockTracker {
    method(
      object: object,
      name: string,
      implementation?: (...args: never[]) => unknown,
    ): Mock;
  }
  export interface TestContext {
    readonly mock: MockTracker;
  }
  export function test(
    name: string,
    fn: (t: TestContext) => void | Promise<void>,
  ): Promise<void>;
}

declare module "node:assert/strict" {
  export function ok(value: unknown, message?: string): asserts value;
  export function equal(actual: unknown, expected: unknown): void;
  export function notEqual(actual: unknown, expected: unknown): void;
  export function deepEqual(actual: unknown, expected: unknown): void;
  export function match(actual: string, expected: RegExp): void;
  export function throws(fn: () => unknown, expected: RegExp): void;
}
