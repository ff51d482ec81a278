/** Previous month, next month, 12-month trend: the answer replaces the ephemeral message. */
import { buttonListener } from "./button.js";

export const navigateAction = buttonListener(false, {
  interim: (message) => ({ ...message, replace_original: true }),
  answer: (message) => ({ ...message, replace_original: true }),
});
