# cpraudit in a container, for a cluster (deploy/kubernetes/) or any machine with Docker:
#   docker build -t cpraudit .
#   docker run --rm --user "$(id -u):$(id -g)" -e HOME=/tmp -v "$PWD:/audit" -e JENS_PASSWORD \
#     cpraudit run audit.toml --out reports/tonight
# Playwright's Python image brings Chromium, its system libraries and a non-root-friendly
# browser folder (/ms-playwright). The playwright package installed here must be the image's
# version: another version looks for browser builds the image does not have. Change
# PLAYWRIGHT_VERSION to any version pyproject.toml allows (>= 1.50) that has an image.
ARG PLAYWRIGHT_VERSION=1.65.3

# The wheel, built from this checkout: the image holds what `pip install` of a release would.
FROM mcr.microsoft.com/playwright/python:v${PLAYWRIGHT_VERSION}-noble AS wheel
WORKDIR /src
COPY pyproject.toml README.md ./
COPY crawler ./crawler
RUN python -m pip wheel --no-deps --no-cache-dir --quiet -w /dist .

# Ghostery's TrackerDB (owners of third-party domains) and DuckDuckGo's autoconsent (consent
# banners), pinned in crawler/data/npm/ as `cpraudit setup` installs them; read without Node.
FROM node:20-bookworm-slim AS data
WORKDIR /data
COPY crawler/data/npm/package.json crawler/data/npm/package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund

FROM mcr.microsoft.com/playwright/python:v${PLAYWRIGHT_VERSION}-noble
ARG PLAYWRIGHT_VERSION
# certutil, for a test environment's CA (ca_file in audit.toml)
RUN apt-get update \
    && apt-get install -y --no-install-recommends libnss3-tools \
    && rm -rf /var/lib/apt/lists/*
COPY --from=wheel /dist/ /tmp/dist/
RUN python -m pip install --no-cache-dir --quiet /tmp/dist/cpraudit-*.whl \
        "playwright==${PLAYWRIGHT_VERSION}" \
    && rm -rf /tmp/dist
COPY --from=data /data/node_modules /opt/cpraudit/node_modules
ENV CPRAUDIT_TRACKERDB=/opt/cpraudit/node_modules/@ghostery/trackerdb \
    CPRAUDIT_AUTOCONSENT=/opt/cpraudit/node_modules/@duckduckgo/autoconsent \
    PYTHONUNBUFFERED=1
# A user of its own, by number, so that Kubernetes' runAsNonRoot can check it.
RUN useradd --uid 10001 --user-group --create-home --home-dir /home/cpraudit cpraudit \
    && mkdir /audit && chown cpraudit:cpraudit /audit
USER 10001
WORKDIR /audit
ENTRYPOINT ["cpraudit"]
CMD ["--help"]
