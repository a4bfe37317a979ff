# The aggregator as one container: `aggregator run` crawls, publishes and serves on port 8000.
#   docker build -t stadtforen-aggregator .
#   docker run -p 8000:8000 -v agg-data:/app/data -v agg-site:/app/site stadtforen-aggregator
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY aggregator ./aggregator
COPY templates ./templates
RUN pip install --no-cache-dir --upgrade pip \
 && pip wheel --no-cache-dir --wheel-dir /wheels '.[postgres]'

FROM python:3.11-slim
# The site is published as site/public, a symlink swapped atomically inside the site volume.
RUN useradd --create-home --uid 10001 aggregator
COPY --from=build /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
WORKDIR /app
COPY sources.yaml ./
RUN mkdir -p data site && chown aggregator:aggregator data site
USER aggregator
# `aggregator run` serves the site with uvicorn (aggregator/web/: deadlines for slow clients,
# security headers). It listens on all interfaces of the container because `-p 8000:8000` can
# only reach a port bound there; which host interfaces see it is decided by the -p mapping.
ENV AGGREGATOR_HOST=0.0.0.0 \
    AGGREGATOR_PORT=8000 \
    AGGREGATOR_CONFIG=/app/sources.yaml \
    AGGREGATOR_DATABASE_URL=sqlite:////app/data/aggregator.db \
    AGGREGATOR_OUTPUT_DIR=/app/site/public \
    PYTHONUNBUFFERED=1
VOLUME ["/app/data", "/app/site"]
EXPOSE 8000
CMD ["aggregator", "run"]
