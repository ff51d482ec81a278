/** "Share in channel": the same answer posted for everyone; the private one stays as it was. */
import { buttonListener } from "./button.js";

export const shareAction = buttonListener(true, {
  // Only the person who pressed sees the wait; the private answer above it stays.
  interim: (message) => ({ ...message, response_type: "ephemeral", replace_original: false }),
  answer: (message) => ({ ...message, response_type: "in_channel", replace_original: false }),
});
