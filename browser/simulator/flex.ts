// The part of the real @twilio/flex-ui module (window.FlexUI, bundled by
// harness/flex-entry.js) that the simulator touches. Declared here rather than
// imported from the package's types: only these members matter, and the
// simulator must not depend on the package's heavy type graph.

export type ActionPayload = Record<string, unknown>;
export type ActionBody = (payload: ActionPayload) => Promise<unknown>;
export type ReplacedAction = (
  payload: ActionPayload,
  original: ActionBody,
  next?: ActionBody,
) => Promise<unknown>;

export interface FlexActions {
  invokeAction(name: string, payload?: unknown): Promise<unknown>;
  replaceAction(name: string, action: ReplacedAction): void;
  addListener(
    event: string,
    listener: (payload: ActionPayload, abort: () => void) => void,
  ): void;
  /**
   * Private in the package's types, present at run time: the functions that
   * complete a payload before listeners and body run (see actions.ts).
   */
  payloadUpdateFunctions?: Map<
    string,
    (payload: ActionPayload) => ActionPayload
  >;
}

/** A class with overridable statics (TaskHelper, StateHelper, Manager). */
export type Statics = Record<string, unknown>;

export interface FlexModule {
  Actions: FlexActions;
  Manager: Statics;
  TaskHelper: Statics;
  StateHelper?: Statics;
  /** Flex's phone number formatting (libphonenumber underneath). */
  CountryManager?: {
    formatPhoneNumberWithCountryCode?: (
      value: string,
      country?: string,
      format?: number,
    ) => string | null | undefined;
  };
  /** Flex's plugin manager: `Plugins.init(PluginClass)` starts a plugin. */
  Plugins: Statics;
  /** The CRM container; its `Content` is a DynamicContentStore (crm.ts). */
  CRMContainer?: { Content?: unknown };
  /** Renders a DynamicContentStore's fragments with `childProps` (crm.ts). */
  DynamicComponent?: unknown;
  /** The task canvas tabs; `Content` is a DynamicContentStore (canvas.ts). */
  TaskCanvasTabs?: { Content?: unknown };
  /** The root; `setProviders` adds its wrappers to `Content` (canvas.ts). */
  RootContainer?: { Content?: unknown };
  /** The React context `withTaskContext` reads the task from (canvas.ts). */
  TaskContext?: unknown;
}

/** What `Twilio.Flex.Plugins.init` gets from @twilio/flex-plugin's loadPlugin. */
export type PluginClass = new () => {
  init(flex: unknown, manager: unknown): unknown;
};

/** The globals Flex sets for plugins (the package's src/FlexGlobal.d.ts). */
export const FLEX_GLOBAL_DEPENDENCIES = [
  "React",
  "ReactDOM",
  "Redux",
  "ReactRedux",
] as const;
export type FlexGlobalDependency = (typeof FLEX_GLOBAL_DEPENDENCIES)[number];

declare global {
  interface Window {
    FlexUI?: FlexModule;
    /** Flex's own React, ReactDOM, Redux and ReactRedux (harness/flex-entry.js). */
    FlexUIDependencies?: Record<FlexGlobalDependency, unknown>;
    Twilio?: { Flex: FlexModule };
    React?: unknown;
    ReactDOM?: unknown;
    Redux?: unknown;
    ReactRedux?: unknown;
    flexSim?: unknown;
  }
}
