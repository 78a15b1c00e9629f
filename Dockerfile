# A sluice worker image (used by docker-compose.yml), in two stages:
# 1. build: every dependency, then `npm run build`: dist/ (compiled JavaScript, the library's types) and
#    dist/workflows.bundle.js, the prebuilt workflow bundle;
# 2. run: production dependencies and dist/ only: no sources, no TypeScript compiler, no bundling at the
#    worker's start (tsx stays, as the loader of .ts configs).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.js ./scripts/
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY --from=build /app/dist ./dist
COPY examples ./examples
ENTRYPOINT ["node", "bin/sluice.js"]
CMD ["worker"]
