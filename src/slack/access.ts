/** Who may ask. Empty lists mean everyone; both lists must admit a request. */
export interface AccessRules {
  readonly users: readonly string[];
  readonly channels: readonly string[];
  readonly admins: readonly string[];
}

export type AccessDecision =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly reason: string };

export function checkAccess(
  rules: AccessRules,
  userId: string,
  channelId: string | undefined,
): AccessDecision {
  if (rules.users.length > 0 && !rules.users.includes(userId)) {
    return {
      allowed: false,
      reason:
        "Sorry, you are not on the list of people who may use /gluu-stats. Ask the admin of this bot to add you.",
    };
  }
  if (rules.channels.length > 0 && (!channelId || !rules.channels.includes(channelId))) {
    return {
      allowed: false,
      reason:
        "Sorry, /gluu-stats is not enabled in this channel. Try it in one of the channels it is enabled for.",
    };
  }
  return { allowed: true };
}

export function isAdmin(rules: AccessRules, userId: string): boolean {
  return rules.admins.includes(userId);
}
