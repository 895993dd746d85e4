/**
 * The runtime's part for `show:` triggers: data the CRM sends for a task,
 * kept per task, and what the generated tabs read from it. Only a
 * workspace whose spec has a `show:` trigger gets these modules: its
 * generated `wiring.ts` and `tabs.tsx` import them from here, and
 * `index.ts` never does.
 *
 * Exported here is exactly what the generated code uses.
 */

export { readPath } from "./flex_reads";
export { TASK_ENDED_EVENTS, TaskData, liveTask, shownText } from "./task_data";
