/**
 * A Flex -> host trigger's fields and filters as data: where each field is
 * read in the source context, how the value converts for the wire, and the
 * JSON comparison of its `when` filters.
 */

import { type SourceContext, readPath } from "./flex_reads";
import { hasOwn } from "./objects";
import { type PayloadSchema, type Validated, validatePayload } from "./schema";

/** JSON values, for filter literals. */
export type Json =
  | string
  | number
  | boolean
  | null
  | readonly Json[]
  | { readonly [key: string]: Json };

/** How a read value becomes a wire value. */
export type Conversion = "none" | "iso";

/** One place a payload field may be read, and how its value converts. */
export interface SourceRead {
  readonly path: readonly string[];
  readonly convert: Conversion;
}

/**
 * Where one payload field comes from: its reads in order. The first value
 * that is present and fits the field is sent.
 */
export interface SourceRule {
  readonly reads: readonly SourceRead[];
}

const CONVERSIONS: Readonly<Record<Conversion, (value: unknown) => unknown>> = {
  none: (value) => value,
  iso: (value) => (isValidDate(value) ? (value as Date).toISOString() : value),
};

function isValidDate(value: unknown): boolean {
  // Not `instanceof`: a Date from another realm is still a Date.
  return (
    Object.prototype.toString.call(value) === "[object Date]" &&
    !Number.isNaN((value as Date).getTime())
  );
}

export function jsonEquals(a: unknown, b: Json): boolean {
  if (b === null || typeof b !== "object") return a === b;
  if (Array.isArray(b)) {
    return (
      Array.isArray(a) &&
      a.length === b.length &&
      b.every((item, i) => jsonEquals(a[i], item))
    );
  }
  if (a === null || typeof a !== "object" || Array.isArray(a)) return false;
  const expected = Object.entries(b as { readonly [key: string]: Json });
  return (
    expected.length === Object.keys(a).length &&
    expected.every(
      ([key, value]) =>
        hasOwn(a, key) &&
        jsonEquals((a as Record<string, unknown>)[key], value),
    )
  );
}

/** A field read from a source path as it is. */
export function read(path: string): SourceRule {
  return { reads: [{ path: path.split("."), convert: "none" }] };
}

/** A field read from a source path holding a `Date`, sent as an ISO string. */
export function iso(path: string): SourceRule {
  return { reads: [{ path: path.split("."), convert: "iso" }] };
}

/** A field read from the first of several sources that has a fitting value. */
export function firstOf(...rules: readonly SourceRule[]): SourceRule {
  return { reads: rules.flatMap((rule) => rule.reads) };
}

/**
 * Builds the payload from the context. Each field takes the first of its
 * sources whose value is present and fits it. When none fits, an optional
 * field is left out; a required one keeps the first value found, so that
 * validation says why the message is not sent.
 */
export function buildPayload<P>(
  ctx: SourceContext,
  sources: Readonly<Record<string, SourceRule>>,
  schema: PayloadSchema,
): Validated<P> {
  const raw: Record<string, unknown> = {};
  for (const [field, source] of Object.entries(sources)) {
    const rule = schema[field];
    let misfit: unknown = undefined;
    for (const { path, convert } of source.reads) {
      const value = CONVERSIONS[convert](readPath(ctx, path));
      if (value === undefined || value === null) continue;
      if (rule === undefined || rule.check(value) === undefined) {
        raw[field] = value;
        misfit = undefined;
        break;
      }
      misfit ??= value;
    }
    if (misfit !== undefined && rule?.optional !== true) raw[field] = misfit;
  }
  return validatePayload<P>(schema, raw);
}

/** Whether every `when` condition holds, comparing JSON values. */
export function matches(
  ctx: SourceContext,
  when: Readonly<Record<string, Json>>,
): boolean {
  return Object.entries(when).every(([path, expected]) =>
    jsonEquals(readPath(ctx, path.split(".")), expected),
  );
}
