/** "Share in channel": the same answer posted for everyone; the private one stays as it was. */
import { buttonListener } from "./button.js";

export const shareAction = buttonListener(true, (message) => ({
  ...message,
  response_type: "in_channel",
  replace_original: false,
}));
