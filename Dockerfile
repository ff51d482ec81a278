# syntax=docker/dockerfile:1
# gluu-stats: the Slack bot, as a container. Two stages: the build stage compiles TypeScript with
# the dev dependencies; the runtime stage has only the runtime dependencies and dist/.
# test/install/dockerfile.test.ts runs these same steps in a temporary folder and starts the bot.
ARG NODE_IMAGE=node:20-bookworm-slim

FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
# npm's cache is a BuildKit cache mount: reused between builds, never part of a layer.
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit --no-fund
COPY --from=build /app/dist ./dist
# STATE_DIR defaults to ./data: the file state store lives there unless REDIS_URL is set. In
# Kubernetes it is a volume, so the root file system can stay read-only.
RUN mkdir -p data && chown 1000:1000 data
# uid 1000, as Gluu's own images (the node image's `node` user).
USER 1000:1000
EXPOSE 3000
# The start script's command, without npm: node is PID 1's child-free main process and gets SIGTERM.
CMD ["node", "--optimize-for-size", "dist/cli/main.js", "serve"]
