/** The action_ids of the navigation buttons; the Slack layer registers its handlers on these. */
export const ACTION_IDS = {
  prev: "gluu_stats_prev",
  next: "gluu_stats_next",
  trend: "gluu_stats_trend",
  share: "gluu_stats_share",
  homeRefresh: "gluu_stats_home_refresh",
  homeMessage: "gluu_stats_home_message",
  homePost: "gluu_stats_home_post",
} as const;
