# syntax=docker/dockerfile:1
# quizbot: docker build -t quizbot . ; see docs/deploy.md and docker-compose.yml.

# --- build the wheels (quizbot and its dependencies) -----------------------------------------
FROM python:3.11-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN pip wheel --wheel-dir /wheels .

# --- the image -------------------------------------------------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# git: QUESTIONS_GIT clones and pulls the bank with it. Fonts for the /stats chart: WenQuanYi
# Micro Hei draws CJK topic names, DejaVu the rest (without them labels fall back to "#n").
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        git ca-certificates fonts-dejavu-core fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*

# A system user that owns nothing but the database volume.
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin quizbot \
    && mkdir -p /data \
    && chown quizbot:quizbot /data

# Install from the wheels without keeping them in a layer.
RUN --mount=type=bind,from=build,source=/wheels,target=/wheels \
    pip install --no-index --find-links=/wheels quizbot

WORKDIR /app
# The shipped bank (read-only for the bot). Mount your own over /app/questions, or set
# QUESTIONS_DIR to a mounted folder.
COPY questions ./questions

ENV DATABASE_PATH=/data/quizbot.sqlite3 \
    QUESTIONS_DIR=/app/questions
VOLUME ["/data"]
USER quizbot

# SIGTERM: the bot finishes the clicks in flight, writes the answers and closes the database.
STOPSIGNAL SIGTERM
ENTRYPOINT ["quizbot"]
CMD ["run"]
