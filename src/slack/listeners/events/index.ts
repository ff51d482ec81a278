/**
 * The App Home: `app_home_opened` publishes the user's Home, and its buttons (refresh, the
 * trend as a direct message, the admins' manual post) act on it. Registered only when the bot
 * has a Home (see ListenerDeps.home).
 */
import type { AllMiddlewareArgs, App } from "@slack/bolt";
import { z } from "zod";
import { errorText } from "../../../errors/index.js";
import { ACTION_IDS, type HomeTab, type SlackMessage } from "../../../report/slack/index.js";
import { checkAccess, isAdmin } from "../../access.js";
import type { ButtonHandler, ButtonRoute } from "../buttons.js";
import type { ListenerDeps } from "../deps.js";

const homeOpenedSchema = z.object({
  type: z.literal("app_home_opened"),
  user: z.string().regex(/^[UW][A-Z0-9]+$/),
  tab: z.string().optional(),
});

const homeActionSchema = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]+$/) }),
  actions: z.array(z.object({ value: z.string().max(2000).optional() })).optional(),
});

/** The command a Home button stands for: `trend`/`post`, or with several servers `staging trend`. */
function buttonCommand(value: string | undefined, verb: "trend" | "post"): string {
  const m = value ? /^(?:[a-z0-9][a-z0-9-]{0,62} )?(trend|post)$/.exec(value) : null;
  // Anything else (an older Home, an altered payload) is the plain command, for the default server.
  return m && m[1] === verb && value ? value : verb;
}

type Client = AllMiddlewareArgs["client"];

function publisher(deps: ListenerDeps, client: Client, userId: string) {
  return async (view: HomeTab): Promise<void> => {
    await deps.newerBlocks.send(
      { text: "", blocks: view.blocks },
      (v) => client.views.publish({ user_id: userId, view: { type: "home", blocks: v.blocks } }),
      "home",
    );
  };
}

async function directMessage(
  deps: ListenerDeps,
  client: Client,
  userId: string,
  message: SlackMessage,
): Promise<void> {
  // A user id as the channel: Slack posts it in the app's direct messages with that user.
  await deps.newerBlocks.send(message, (m) =>
    client.chat.postMessage({ channel: userId, text: m.text, blocks: m.blocks, unfurl_links: false }),
  );
}

function pressed(
  deps: ListenerDeps,
  run: (userId: string, client: Client, value: string | undefined) => Promise<void>,
): ButtonHandler {
  return async ({ ack, body, client }) => {
    await ack();
    const b = homeActionSchema.safeParse(body);
    if (!b.success) {
      deps.log.warn({ issues: b.error.issues.length }, "App Home button payload failed validation");
      return;
    }
    const userId = b.data.user.id;
    await deps.track(
      run(userId, client, b.data.actions?.[0]?.value).catch((err: unknown) => {
        deps.log.error({ user: userId, err: errorText(err) }, "App Home button failed");
      }),
    );
  };
}

export function register(app: App, deps: ListenerDeps): void {
  const { home } = deps;
  if (!home) return;

  app.event("app_home_opened", async ({ event, client }) => {
    const e = homeOpenedSchema.safeParse(event);
    // The Messages tab opens the same event; only the Home tab is ours to draw.
    if (!e.success || (e.data.tab !== undefined && e.data.tab !== "home")) return;
    await deps.track(home.open(e.data.user, publisher(deps, client, e.data.user)));
  });
}

/** The Home's buttons: refresh, and each server's trend as a direct message and manual post. */
export function homeButtons(deps: ListenerDeps): ReadonlyMap<string, ButtonRoute> {
  const { home } = deps;
  if (!home) return new Map();
  return new Map<string, ButtonRoute>([
    [
      ACTION_IDS.homeRefresh,
      { handle: pressed(deps, (userId, client) => home.open(userId, publisher(deps, client, userId))) },
    ],
    [
      ACTION_IDS.homeMessage,
      {
        perServer: true,
        handle: pressed(deps, async (userId, client, value) => {
          const access = checkAccess({ ...deps.access, channels: [] }, userId, undefined);
          if (!access.allowed) {
            deps.log.info({ user: userId }, "refused an App Home button: %s", access.reason);
            return;
          }
          // Parsed like a typed command: a server this person may not see is refused there.
          const parsed = deps.replies.parse(buttonCommand(value, "trend"), { userId });
          if (!parsed.ok) return;
          // The same access rules as the command, the channel being the direct message.
          const { message } = await deps.replies.answer(parsed.command, { userId });
          await directMessage(deps, client, userId, message);
        }),
      },
    ],
    [
      ACTION_IDS.homePost,
      {
        perServer: true,
        handle: pressed(deps, async (userId, client, value) => {
          if (!isAdmin(deps.access, userId)) {
            deps.log.info({ user: userId }, "refused the App Home's manual post: not an admin");
            await directMessage(deps, client, userId, {
              text: "Only the admins of this bot (ADMIN_USER_IDS) can post the summary by hand.",
              blocks: [],
            });
            return;
          }
          const parsed = deps.replies.parse(buttonCommand(value, "post"), { userId });
          if (!parsed.ok) return;
          const { message } = await deps.replies.answer(parsed.command, { userId });
          await directMessage(deps, client, userId, message);
          await home.open(userId, publisher(deps, client, userId));
        }),
      },
    ],
  ]);
}
