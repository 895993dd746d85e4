// config.json, which harness/build.mjs writes next to each case's host and
// simulator pages: where the three origins are and the spec's resolved plan
// (`flexgen check --plan`). Each page types the plan as far as it reads it.
// `attackerOrigin` is null when no attacker page is served (`flexgen
// preview`).
export interface PageConfig<Plan> {
  case: string;
  hostOrigin: string;
  flexOrigin: string;
  attackerOrigin: string | null;
  hostUrl: string;
  flexUrl: string;
  /**
   * `app.embedding`: "flex_in_host", the host page frames the simulator;
   * "host_in_flex", the simulator is the top page and the plugin frames the
   * host page in Flex's CRM container.
   */
  embedding: "flex_in_host" | "host_in_flex";
  plan: Plan;
}
