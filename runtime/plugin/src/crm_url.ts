/**
 * The URL of the CRM page the plugin frames for a task (`app.crm_url`,
 * `app.embedding: host_in_flex`), built as data: the origin as the spec
 * wrote it, literal text flexgen checked, and task values each through
 * `encodeURIComponent`; the result is parsed and must keep the spec's
 * origin. Never markup.
 */

import { readPath } from "./flex_reads";

/**
 * `app.crm_url` as flexgen parsed and checked it; the generated wiring
 * declares it as data (`CRM_URL`), so there is no template to parse here.
 */
export interface CrmUrl {
  /** The exact origin of the CRM page, one of the spec's host origins. */
  readonly origin: string;
  /** After the origin: literal text, or a path into the task (`["taskSid"]`). */
  readonly parts: readonly (string | readonly string[])[];
}

/**
 * The CRM page's URL for `task` (`undefined` while no task is selected: each
 * task value is then empty); `undefined` when the result would leave the
 * spec's origin.
 */
export function crmUrlFor(url: CrmUrl, task: unknown): string | undefined {
  let text = url.origin;
  for (const part of url.parts) {
    text +=
      typeof part === "string"
        ? part
        : encodeURIComponent(taskText(task, part));
  }
  let parsed: URL;
  try {
    parsed = new URL(text);
  } catch {
    return undefined;
  }
  return parsed.origin === url.origin ? parsed.href : undefined;
}

/** A task value as URL text: strings and finite numbers; anything else is empty. */
function taskText(task: unknown, path: readonly string[]): string {
  const value = readPath(task, path);
  if (typeof value === "string") return value;
  if (typeof value === "number" && Number.isFinite(value)) return String(value);
  return "";
}

/** What keys the frame: the task's sid, or none. */
export function frameKey(task: unknown): string {
  const sid = readPath(task, ["taskSid"]);
  return typeof sid === "string" ? `task-${sid}` : "no-task";
}
