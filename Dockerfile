# A sluice worker image (used by docker-compose.yml). The CLI runs TypeScript through tsx: no build step.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY bin ./bin
COPY src ./src
COPY examples ./examples
COPY tsconfig.json ./
ENTRYPOINT ["node", "bin/sluice.js"]
CMD ["worker"]
