# The assistant's image: `make install` builds the virtual environment in a build stage (CPU torch,
# no dev tools), the runtime stage runs `make run` as a non-root user: the index is built (or brought
# up to date, a no-op when nothing changed) at start, then `assistant serve` answers on port 7860.
# The same make targets CI runs (`make install`, `make index`); compose.yaml runs two of these.

ARG PYTHON_IMAGE=python:3.11-slim-bookworm

FROM ${PYTHON_IMAGE} AS build
# PyTorch's CPU-only wheels: the default torch wheel for Linux carries CUDA (several GB).
ARG TORCH_INDEX=https://download.pytorch.org/whl/cpu
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends build-essential make \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY Makefile pyproject.toml constraints.txt README.md ./
COPY assistant ./assistant
RUN make install TORCH_INDEX=${TORCH_INDEX} EXTRAS= \
    && .venv/bin/pip cache purge \
    && find .venv -name "__pycache__" -prune -exec rm -rf {} +
COPY corpus ./corpus
COPY slack ./slack

FROM ${PYTHON_IMAGE} AS runtime
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make tini fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin assistant
WORKDIR /app
COPY --from=build --chown=assistant:assistant /app /app
RUN mkdir -p /app/data/uploads /app/indexes && chown -R assistant:assistant /app/data /app/indexes
USER assistant
# Listen on every interface inside the container; the load balancer is in front. With login off,
# uploads are then refused (they are open only on loopback): set ASSISTANT_WEB_USERS and _ADMINS.
ENV ASSISTANT_WEB_HOST=0.0.0.0 \
    ASSISTANT_WEB_PORT=7860 \
    ASSISTANT_LOG_FORMAT=json \
    PYTHONUNBUFFERED=1
EXPOSE 7860
VOLUME ["/app/data", "/app/indexes"]
# The first start embeds the corpus (about a minute on two cores) before it answers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=600s --retries=3 \
    CMD [".venv/bin/python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('http://127.0.0.1:7860/api/health', timeout=4).status != 200)"]
ENTRYPOINT ["/usr/bin/tini", "--"]
CMD ["make", "run", "EXTRAS="]
