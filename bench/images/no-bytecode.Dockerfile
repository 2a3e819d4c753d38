# Benchmark variant only: the production image with the venv's precompiled bytecode removed, i.e. what a
# build without UV_COMPILE_BYTECODE=1 ships. The image sets PYTHONDONTWRITEBYTECODE=1, so every start
# compiles in memory again: the difference in time to healthy is what the compile step buys.
ARG BASE
FROM ${BASE}
USER root
RUN find /app/.venv -name __pycache__ -type d -prune -exec rm -rf {} +
USER 1001:1001
