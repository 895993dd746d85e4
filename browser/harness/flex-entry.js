// The entry of the Flex UI bundle: the whole @twilio/flex-ui package, exposed
// to the simulator as window.FlexUI. Nothing is replaced but node's `path`
// and `util`, which the package imports for a few helpers (stubs/).
import * as FlexUI from "@twilio/flex-ui";

window.FlexUI = FlexUI;
