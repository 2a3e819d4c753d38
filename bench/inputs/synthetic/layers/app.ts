/**
 * Layer 4, the app: the service's source, tests, migrations, configs, docs, lock file and static images.
 * Most plants live here: settings, sources, YAML/TOML/INI configs, .env, .npmrc (deleted by the final
 * layer), tests, git and docker configs, a signing key, and packed files (../packed.ts): a .pyc, a wheel,
 * a UTF-16 config, a .tar.gz backup with a .env.
 */
import { png } from "../binary.js";
import { APP_UID, MiB } from "../constants.js";
import { fill, type LayerPlan } from "../layer-writer.js";
import { Lines, type PlantValues } from "../plants.js";
import { hex } from "../random.js";
import { pyFiller } from "../text-code.js";
import { configTree, markdown, toml, yaml } from "../text-docs.js";
import { DEPENDENCIES } from "./deps.js";
import { pyTree } from "./python-tree.js";
import { packedPlants } from "../packed.js";

export function appLayer(pv: PlantValues): LayerPlan {
  return {
    createdBy: "COPY --chown=1001:1001 . /app # buildkit",
    share: 0.05,
    async generate(w, budget) {
      const { r, v, p, rb } = w;
      w.owner = { uid: APP_UID, gid: APP_UID };
      const filler = (n: number) => pyFiller(r, p, n);
      // --- planted files first (they exist at any scale) ---
      const settings = new Lines().push('"""Settings of the billing API, read once at start-up."""', "from __future__ import annotations", "", "import os", "from pathlib import Path", "");
      settings.push("BASE_DIR = Path(__file__).resolve().parent.parent", "DEBUG = False", 'ALLOWED_HOSTS = ["billing.internal", "localhost"]', 'LOG_LEVEL = os.environ.get("LOG_LEVEL", "info")', `WORKERS = ${r.range(2, 8)}`, "");
      settings.push("# Object storage for invoices (TODO: move to the secret manager)", 'AWS_REGION = "eu-west-1"');
      settings.plant("aws-key-id-in-app-settings", "aws-access-key-id", `AWS_ACCESS_KEY_ID = "${pv.awsKeyId}"`);
      settings.push('S3_BUCKET = "corp-invoices-prod"', "S3_ENDPOINT = None");
      settings.plant("aws-secret-in-app-settings", "aws-secret-access-key", `AWS_SECRET_ACCESS_KEY = "${pv.awsSecret}"`);
      settings.push("", ...filler(r.range(30, 80)));
      await w.plantedFile("app/app/settings.py", settings, "pythonText");

      const llm = new Lines().push('"""Summaries of invoices with a hosted LLM."""', "from __future__ import annotations", "", "from openai import OpenAI", "", ...filler(r.range(10, 40)), "");
      llm.plant("openai-key-in-app-source", "openai-api-key", `_client = OpenAI(api_key="${pv.openai}")`);
      llm.push("", ...filler(r.range(20, 60)));
      await w.plantedFile("app/app/llm.py", llm, "pythonText");

      const notif = new Lines().push('"""SMS notifications through Twilio."""', "from __future__ import annotations", "", "from twilio.rest import Client", "", 'TWILIO_REGION = "ie1"');
      notif.plant("twilio-key-in-app-source", "twilio-api-key", `TWILIO_API_KEY = "${pv.twilio}"`);
      notif.push('TWILIO_FROM = "+15005550006"', "", ...filler(r.range(20, 60)));
      await w.plantedFile("app/app/notifications.py", notif, "pythonText");

      const prod = new Lines().push("# Production settings of the billing API", "server:", "  host: 0.0.0.0", "  port: 8000", `  workers: ${r.range(2, 8)}`, "logging:", "  level: info", "  format: json", "slack:", "  channel: \"#billing-alerts\"");
      prod.plant("slack-bot-token-in-app-yaml", "slack-bot-token", `  bot_token: ${pv.slackBot}`);
      prod.push("  mention_on_failure: true", "", yaml(configTree(r, v, 2, 6)).trimEnd(), "", "internal_services:", "  ledger:", "    base_url: https://ledger.internal:8443");
      prod.plant("jwt-in-app-yaml", "jwt", `    service_jwt: ${pv.jwt}`);
      prod.push("    timeout_seconds: 10", "", yaml(configTree(r, v, 2, 6)).trimEnd());
      await w.plantedFile("app/config/production.yaml", prod, "configDocs");

      const storage = new Lines().push("# Blob storage for exported reports", "[storage]", 'backend = "azure"', 'container = "reports"', "");
      storage.plant("azure-connection-string-in-app-toml", "azure-storage-connection-string", `connection_string = "DefaultEndpointsProtocol=https;AccountName=corpreports${r.range(10, 99)};AccountKey=${pv.azureKey};EndpointSuffix=core.windows.net"`);
      storage.push("", "[storage.retention]", `days = ${r.range(30, 400)}`, 'tier = "cool"');
      await w.plantedFile("app/config/storage.toml", storage, "configDocs");

      const alembic = new Lines().push("# A generic, single database configuration.", "", "[alembic]", "script_location = alembic", "prepend_sys_path = .", "version_path_separator = os", "");
      alembic.plant("postgres-url-in-alembic-ini", "database-url-password", `sqlalchemy.url = postgresql://app:${pv.postgresPassword}@db.internal:5432/app`);
      alembic.push("", "[loggers]", "keys = root,sqlalchemy,alembic", "", "[logger_root]", "level = WARN", "handlers = console", "qualname =");
      await w.plantedFile("app/alembic.ini", alembic, "configDocs");

      const env = new Lines().push("# Rendered by deploy/render-env.sh for production; do not edit by hand", "APP_ENV=production");
      env.plant("dotenv-api-key", "generic-api-key", `API_KEY=${pv.dotenvApiKey}`);
      env.push("LOG_LEVEL=info", "WORKERS=4");
      env.plant("dotenv-secret-key", "django-secret-key", `SECRET_KEY=${pv.dotenvSecretKey}`);
      env.push("FEATURE_FLAGS=invoices,exports");
      await w.plantedFile("app/.env", env, "configDocs");

      const npmrc = new Lines().push("registry=https://registry.npmjs.org/", "always-auth=true");
      npmrc.plant("npm-token-in-npmrc-deleted-later", "npm-token", `//registry.npmjs.org/:_authToken=${pv.npm}`);
      await w.plantedFile("app/.npmrc", npmrc, "configDocs", { deletedLater: true });

      const conftest = new Lines().push('"""Fixtures shared by the API tests."""', "import os", "", "import pytest", "", ...filler(r.range(8, 30)), "");
      conftest.plant("github-pat-in-app-tests", "github-pat", `os.environ.setdefault("GITHUB_TOKEN", "${pv.githubPat}")`);
      conftest.push("", ...filler(r.range(10, 40)));
      await w.plantedFile("app/tests/conftest.py", conftest, "pythonText");

      const git = new Lines().push("[core]", "\trepositoryformatversion = 0", "\tfilemode = true", "\tbare = false", "\tlogallrefupdates = true", '[remote "origin"]');
      git.plant("github-pat-in-git-config", "github-pat", `\turl = https://x-access-token:${pv.githubPat2}@github.com/corp/billing-api.git`);
      git.push("\tfetch = +refs/heads/*:refs/remotes/origin/*", '[branch "main"]', "\tremote = origin", "\tmerge = refs/heads/main");
      await w.plantedFile("app/.git/config", git, "configDocs");
      await w.file("app/.git/HEAD", "ref: refs/heads/main\n", "configDocs");
      await w.file("app/.git/packed-refs", `# pack-refs with: peeled fully-peeled sorted \n${Array.from({ length: 40 }, () => `${hex(r, 40)} refs/${r.pick(["remotes/origin", "tags"])}/${v.snake(2)}`).join("\n")}\n`, "configDocs");

      const docker = new Lines().push("{", '  "auths": {', '    "registry.corp.internal": {');
      docker.plant("docker-auth-in-app-docker-config", "docker-registry-auth", `      "auth": "${pv.dockerAuth}"`);
      docker.push("    }", "  },", '  "credsStore": ""', "}");
      await w.plantedFile("app/.docker/config.json", docker, "configDocs");

      await w.plantedFile("app/certs/jwt-signing.pem", new Lines().plant("rsa-key-in-app-certs", "rsa-private-key", ...pv.rsaPem), "configDocs", { mode: 0o600 });
      // Where text scanners are blind: a compiled module, a wheel, a UTF-16 config, a backup tarball.
      await packedPlants(w, pv);

      // --- the rest of the app: source, tests, migrations, configs, docs, static images ---
      const py = budget * (0.02 / 0.05);
      const conf = budget * (0.02 / 0.05);
      const img = budget * (0.01 / 0.05);
      const areas = ["api/routes", "api/deps", "models", "schemas", "services", "db", "workers", "utils", "core", "integrations"];
      await w.file("app/app/main.py", `"""ASGI entry point."""\nfrom fastapi import FastAPI\n\nfrom app.api.routes import router\n\napp = FastAPI(title="billing")\napp.include_router(router)\n`, "pythonText");
      await pyTree(w, "app/app", "app", py * 0.7, 0, { median: 5000, max: 60 * 1024, dirs: areas });
      await pyTree(w, "app/tests", "tests", py * 0.2, 0, { median: 4000, max: 40 * 1024, dirs: ["", "unit", "integration", "e2e"], names: ["test_api", "test_models", "test_services", "test_db"] });
      await pyTree(w, "app/alembic/versions", "migrations", py * 0.1, 0, { median: 2500, max: 20 * 1024 });
      await w.file("app/pyproject.toml", toml({ project: { name: "billing-api", version: "2.14.0", "requires-python": ">=3.12", dependencies: DEPENDENCIES.slice(0, 30).map((d) => d[0].split("/")[0]) }, tool: { ruff: { "line-length": 120 } } }), "configDocs");
      let lock = 'version = 1\nrequires-python = ">=3.12"\n';
      for (const [name] of DEPENDENCIES) {
        const n = name.split("/")[0].toLowerCase();
        const ver = `${r.range(0, 9)}.${r.range(0, 40)}.${r.range(0, 9)}`;
        lock += `\n[[package]]\nname = "${n}"\nversion = "${ver}"\nsource = { registry = "https://pypi.org/simple" }\nsdist = { url = "https://files.pythonhosted.org/packages/${hex(r, 2)}/${hex(r, 2)}/${hex(r, 60)}/${n}-${ver}.tar.gz", hash = "sha256:${hex(r, 64)}", size = ${r.range(10000, 9000000)} }\nwheels = [\n`;
        for (let i = r.range(1, 6); i > 0; i--) lock += `    { url = "https://files.pythonhosted.org/packages/${hex(r, 2)}/${hex(r, 2)}/${hex(r, 60)}/${n}-${ver}-cp312-cp312-manylinux_2_17_x86_64.whl", hash = "sha256:${hex(r, 64)}", size = ${r.range(10000, 90000000)} },\n`;
        lock += "]\n";
      }
      await w.file("app/uv.lock", lock, "configDocs");
      await w.file("app/Dockerfile", "FROM python:3.12-slim\nWORKDIR /app\nCOPY --from=deps /app/.venv /app/.venv\nCOPY . /app\nUSER 1001:1001\nCMD [\"uvicorn\", \"app.main:app\", \"--host\", \"0.0.0.0\", \"--port\", \"8000\"]\n", "configDocs");
      await fill(w, "configDocs", conf, async () => {
        const k = r.int(6);
        const name = v.name();
        if (k === 5) await w.file(w.fresh(`app/tests/fixtures/${name}.json`), JSON.stringify(Array.from({ length: r.size(40, 1.2, 2, 2000) }, () => configTree(r, v, 2, 8)), null, 2), "configDocs");
        else if (k === 0) await w.file(w.fresh(`app/docs/${name}.md`), markdown(r, v, r.size(5000, 1.0, 300, 80 * 1024)), "configDocs");
        else if (k === 1) await w.file(w.fresh(`app/config/${name}.json`), JSON.stringify(configTree(r, v, 3, 8), null, 2), "configDocs");
        else if (k === 2) await w.file(w.fresh(`app/config/${name}.yaml`), yaml(configTree(r, v, 3, 8)), "configDocs");
        else if (k === 3) await w.file(w.fresh(`app/app/templates/${name}.html`), `<!doctype html>\n<html><head><title>${v.sentence()}</title></head>\n<body>\n${v.paragraph(3, 12).map((l) => `<p>${l}</p>`).join("\n")}\n</body></html>\n`, "configDocs");
        else await w.file(w.fresh(`app/config/${name}.toml`), toml(configTree(r, v, 2, 8)), "configDocs");
      });
      await fill(w, "blobs", img, async () => {
        const path = w.fresh(`app/static/img/${v.name()}.png`);
        await w.file(path, png(r, rb, v, r.size(40 * 1024, 1.2, 600, 2 * MiB)), "blobs");
      });
    },
  };
}
