# Multi-stage: compile TypeScript, then a slim runtime with production dependencies only, as a non-root user.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# The AWS Lambda image (`docker build --target lambda`, or the CDK app's Lambda runtime): the same build on AWS's
# Node.js 22 base, which brings the runtime interface client; the handler is dist/lambda.js's `handler`.
FROM public.ecr.aws/lambda/nodejs:22 AS lambda
ENV NODE_ENV=production
WORKDIR ${LAMBDA_TASK_ROOT}
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
COPY themes ./themes
CMD ["dist/lambda.handler"]

# The server (the default target): `docker build .`, docker-compose.yml, the CDK app's container runtime.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY views ./views
COPY public ./public
COPY themes ./themes
# Where the emulator service keeps its pool (a named volume mounted here inherits this owner).
RUN mkdir -p /data && chown node:node /data
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --retries=5 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "dist/server.js"]
