// The configuration of the local Flex that `npm start` (twilio
// flex:plugins:start) runs the plugin in; Flex Plugin Builder reads it from
// public/. It plays no part in a deployed plugin. flexgen created this file
// once and never overwrites it: it is yours.
var appConfig = {
  pluginService: {
    enabled: true,
    url: "/plugins",
  },
  logLevel: "info",
};
