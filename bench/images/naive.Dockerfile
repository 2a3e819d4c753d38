# Benchmark baseline only, never ship it: the single-stage build many first Dockerfiles are, which the
# production image is measured against. One stage, pip into the python base, no lock, pip's cache kept,
# the whole context copied, root. Build: docker build -f ../bench/images/naive.Dockerfile api/
ARG PYTHON_IMAGE=python:3.12-slim
FROM ${PYTHON_IMAGE}
WORKDIR /app
COPY . .
# python:3.12-slim ships pip; the offline stand-in (Debian's python3) does not, so it gets Debian's pip
# without recommends and without apt lists: the baseline must not be inflated beyond what the real base has.
# PIP_BREAK_SYSTEM_PACKAGES: Debian marks its python3 externally managed (PEP 668); python:3.12-slim does not.
# The requirements are pyproject's own ranges, unlocked: the newest versions at build time.
RUN (python3 -m pip --version || (apt-get update && apt-get install -y --no-install-recommends python3-pip && rm -rf /var/lib/apt/lists/*)) \
    && python3 -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["project"]["dependencies"]))' > requirements.txt \
    && PIP_BREAK_SYSTEM_PACKAGES=1 python3 -m pip install -r requirements.txt
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--log-config", "app/logging.json"]
