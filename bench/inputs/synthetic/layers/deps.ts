/**
 * Layer 2, the dependencies: the app's venv, ~70 packages weighted like real ones (modules, stubs, compiled
 * extensions, data files, dist-info with RECORD). Plants: an internal SDK's settings and data, a mail
 * helper's tests, a Stripe key deep in a vendored minified JS bundle.
 */
import { elf } from "../binary.js";
import { APP_UID, MiB } from "../constants.js";
import { fill, type LayerPlan, type LayerWriter } from "../layer-writer.js";
import { Lines, type PlantValues } from "../plants.js";
import { hex } from "../random.js";
import { jsLine, pyFiller } from "../text-code.js";
import { configTree, license, markdown, toml, yaml, type Tree } from "../text-docs.js";
import { pyTree, recordLine, SO_SUFFIX, SP } from "./python-tree.js";

/** Dependencies: name, relative weight, compiled extensions?, typed with stubs? */
export const DEPENDENCIES: Array<[string, number, boolean, boolean]> = [
  ["numpy", 6, true, true], ["pandas", 8, true, true], ["scipy", 9, true, true], ["sklearn", 6, true, false], ["torchvision", 3, true, false],
  ["transformers", 12, false, false], ["tokenizers", 1, true, true], ["safetensors", 0.5, true, true], ["huggingface_hub", 2, false, false],
  ["fastapi", 1.5, false, false], ["starlette", 1, false, false], ["pydantic", 2.5, false, false], ["pydantic_core", 0.5, true, true],
  ["uvicorn", 0.8, false, false], ["sqlalchemy", 5, true, false], ["alembic", 1.2, false, false], ["psycopg", 1.5, false, false],
  ["psycopg_binary", 0.4, true, false], ["boto3", 0.6, false, false], ["botocore", 7, false, false], ["s3transfer", 0.4, false, false],
  ["requests", 0.6, false, false], ["urllib3", 0.8, false, false], ["certifi", 0.2, false, false], ["charset_normalizer", 0.5, true, false],
  ["idna", 0.3, false, false], ["httpx", 0.8, false, false], ["httpcore", 0.6, false, false], ["anyio", 0.8, false, false],
  ["sniffio", 0.1, false, false], ["h11", 0.3, false, false], ["click", 0.6, false, false], ["jinja2", 0.8, false, false],
  ["markupsafe", 0.1, true, false], ["yaml", 0.7, true, false], ["orjson", 0.1, true, true], ["grpc", 2, true, false],
  ["google/protobuf", 1.5, true, false], ["opentelemetry", 2, false, false], ["redis", 1.5, false, false], ["celery", 2, false, false],
  ["kombu", 1, false, false], ["billiard", 0.4, true, false], ["cryptography", 2, true, false], ["cffi", 0.5, true, false],
  ["pycparser", 0.4, false, false], ["openai", 2.5, false, false], ["tiktoken", 0.3, true, false], ["regex", 0.5, true, false],
  ["tqdm", 0.3, false, false], ["filelock", 0.1, false, false], ["fsspec", 0.8, false, false], ["packaging", 0.3, false, false],
  ["typing_extensions", 0.2, false, false], ["dateutil", 0.4, false, false], ["pytz", 0.3, false, false], ["jmespath", 0.2, false, false],
  ["attrs", 0.4, false, false], ["rich", 1, false, false], ["pygments", 2.5, false, false], ["markdown_it", 0.4, false, false],
  ["sentry_sdk", 1.5, false, false], ["structlog", 0.4, false, false], ["tenacity", 0.3, false, false], ["aiohttp", 1.2, true, false],
  ["yarl", 0.3, true, false], ["multidict", 0.3, true, false], ["PIL", 1.5, true, false], ["lxml", 1.5, true, false],
  ["plotly", 4, false, false], ["corp_platform_sdk", 0.6, false, false], ["notify_kit", 0.4, false, false],
];

/** Module names real packages ship that scanners keyed on file names might trip on; content is plain filler. */
const TRICKY_MODULES: Record<string, string[]> = {
  botocore: ["credentials", "auth", "tokens", "signers", "session"],
  requests: ["auth", "sessions", "cookies"],
  httpx: ["_auth"],
  cryptography: ["fernet"],
  huggingface_hub: ["_login", "_commit_api"],
};

export function depsLayer(pv: PlantValues): LayerPlan {
  return {
    createdBy: "COPY --chown=1001:1001 /app/.venv /app/.venv # buildkit",
    share: 0.46,
    async generate(w, budget) {
      const { r, v, p } = w;
      w.owner = { uid: APP_UID, gid: APP_UID };
      const frac = (x: number) => budget * (x / 0.46);
      const total = DEPENDENCIES.reduce((n, d) => n + d[1], 0);
      const compiled = DEPENDENCIES.filter((d) => d[2]).reduce((n, d) => n + d[1], 0);
      const typed = DEPENDENCIES.filter((d) => d[3]).reduce((n, d) => n + d[1], 0);
      await w.file("app/.venv/pyvenv.cfg", "home = /usr/local/bin\nimplementation = CPython\nuv = 0.4.30\nversion_info = 3.12.8\ninclude-system-site-packages = false\n", "configDocs");
      for (const l of ["python", "python3", "python3.12"]) await w.symlink(`app/.venv/bin/${l}`, "/usr/local/bin/python3.12");
      for (const s of ["uvicorn", "alembic", "celery", "normalizer", "httpx", "tqdm", "pygmentize"]) {
        await w.file(`app/.venv/bin/${s}`, `#!/app/.venv/bin/python\n# -*- coding: utf-8 -*-\nimport sys\nfrom ${s}.main import main\nif __name__ == "__main__":\n    if sys.argv[0].endswith("-script.pyw"):\n        sys.argv[0] = sys.argv[0][:-11]\n    sys.exit(main())\n`, "pythonText", 0o755);
      }
      for (const [name, weight, isCompiled, isTyped] of DEPENDENCIES) {
        const share = weight / total;
        const root = `${SP}/${name}`;
        const top = name.split("/")[0];
        const record: string[] = [];
        const dirs = [""];
        const nDirs = Math.max(0, Math.round((frac(0.235) * share) / 60000));
        for (let i = 0; i < nDirs; i++) {
          const parent = r.chance(0.6) ? "" : r.pick(dirs);
          const dir = `${parent ? `${parent}/` : ""}${v.name()}`;
          if (!dirs.includes(dir)) dirs.push(dir);
        }
        // Planted files first: generated names can then never take their paths.
        if (name === "corp_platform_sdk") await corpSdk(w, pv, root, record);
        if (name === "notify_kit") await notifyKit(w, pv, root, record);
        await pyTree(w, root, name.replace(/\//g, "."), frac(0.235) * share, 0.29, { median: 7000, max: 250 * 1024, names: TRICKY_MODULES[name], dirs, record });
        if (isTyped) {
          await fill(w, "pythonText", frac(0.01) * (weight / typed), async () => {
            let s = `from typing import Any, overload\nfrom typing_extensions import Self\n\n_Array = Any\n\n`;
            const size = r.size(4000, 1.0, 200, 120 * 1024);
            while (s.length < size) s += r.pick(p.pyiBlocks);
            const d = r.pick(dirs);
            const path = w.fresh(`${root}/${d ? `${d}/` : ""}_${v.name()}.pyi`);
            record.push(recordLine(path, await w.file(path, s, "pythonText")));
          });
          await w.file(`${root}/py.typed`, "partial\n", "configDocs");
        }
        if (isCompiled) {
          const soBudget = frac(0.1) * (weight / compiled);
          await fill(w, "extensions", soBudget, async () => {
            const vendored = r.chance(0.15);
            const d = r.pick(dirs);
            const path = w.fresh(vendored
              ? `${SP}/${top}.libs/lib${v.name()}-${hex(r, 8)}.so.${r.range(1, 5)}.${r.range(0, 30)}.${r.range(0, 9)}`
              : `${root}/${d ? `${d}/` : ""}_${v.name()}${SO_SUFFIX}`);
            const size = r.size(vendored ? 2 * MiB : 160 * 1024, 1.3, 16 * 1024, Math.min(40 * MiB, Math.max(64 * 1024, soBudget / 3)));
            const body = elf(r, w.rb, p, v, size, false);
            await w.file(path, body, "extensions", 0o755);
            record.push(recordLine(path, body));
          });
        }
        if (r.chance(0.5) || name === "corp_platform_sdk") {
          await fill(w, "configDocs", frac(0.04) * share * 2, async () => {
            const k = r.int(3);
            const size = r.size(3000, 1.3, 200, 400 * 1024);
            let body = "";
            if (k === 0) {
              const items: Tree[] = [];
              for (let n = 0; n < size; ) {
                const t = configTree(r, v, 2, 8);
                items.push(t);
                n += JSON.stringify(t).length;
              }
              body = JSON.stringify(items.length === 1 ? items[0] : items, null, 2);
            } else {
              for (let i = 0; body.length < size; i++) body += k === 1 ? `---\n${yaml(configTree(r, v, 3, 8))}` : toml({ [`${v.snake(1)}_${i}`]: configTree(r, v, 2, 8) });
            }
            const path = w.fresh(`${root}/${r.pick(["data", "schemas", "resources", "templates"])}/${v.name()}.${["json", "yaml", "toml"][k]}`);
            record.push(recordLine(path, await w.file(path, body, "configDocs")));
          });
        }
        if (name === "plotly") await plotlyBundle(w, pv, root, frac(0.01), record);
        await distInfo(w, top, name, record);
      }
    },
  };
}

/** The vendored minified bundle: line 1 is hundreds of KB; a Stripe key sits deep inside it. */
async function plotlyBundle(w: LayerWriter, pv: PlantValues, root: string, budget: number, record: string[]): Promise<void> {
  const { r, p } = w;
  const line1 = 180 * 1024 + r.int(120 * 1024);
  const at = 100 * 1024 + r.int(60 * 1024);
  const head = jsLine(r, p, at);
  const l = new Lines().plant("stripe-key-in-minified-js", "stripe-live-key", `/*! plotly.js v2.35.2 | MIT */!function(t,e){"object"==typeof exports?module.exports=e():t.Plotly=e()}(self,function(){${head};var Zt={apiBase:"https://api.stripe.com/v1",sk:"${pv.stripe}"};${jsLine(r, p, line1 - at)}`);
  let n = l.lines[0].length;
  while (n < Math.max(budget, 2 * line1)) {
    const s = jsLine(r, p, r.size(16 * 1024, 1.0, 512, 96 * 1024));
    l.push(s);
    n += s.length;
  }
  l.push("}));", "//# sourceMappingURL=plotly.min.js.map");
  const path = `${root}/package_data/plotly.min.js`;
  await w.plantedFile(path, l, "pythonText");
  record.push(recordLine(path, l.text()));
}

/** An internal SDK whose settings.py carries a fine-grained GitHub token and whose data a Slack webhook. */
async function corpSdk(w: LayerWriter, pv: PlantValues, root: string, record: string[]): Promise<void> {
  const { r, v, p } = w;
  const s = new Lines().push('"""Defaults of the platform SDK; override them with environment variables."""', "from __future__ import annotations", "", "import os", "");
  s.push(`DEFAULT_TIMEOUT = ${r.range(5, 60)}`, `MAX_RETRIES = ${r.range(2, 8)}`, 'REGISTRY_URL = "https://api.github.com/orgs/corp/packages"', "");
  s.push(...pyFiller(r, p, r.range(20, 60)));
  s.push("", "# Read-only token for the package registry (CI bot).");
  s.plant("github-fine-grained-pat-in-deps-settings", "github-fine-grained-pat", `GITHUB_REGISTRY_TOKEN = "${pv.githubFineGrained}"`);
  s.push("", ...pyFiller(r, p, r.range(20, 80)));
  await w.plantedFile(`${root}/settings.py`, s, "pythonText");
  record.push(recordLine(`${root}/settings.py`, s.text()));
  const j = new Lines().push("{", '  "version": 3,', `  "service": "${v.word()}-${v.word()}",`, '  "channels": {', `    "default": "#${v.word()}-alerts",`);
  j.plant("slack-webhook-in-deps-json", "slack-webhook", `    "webhook": "${pv.slackWebhook}",`);
  j.push(`    "retry_seconds": ${r.range(5, 120)}`, "  },", `  "severity": ["critical", "warning"]`, "}");
  await w.plantedFile(`${root}/data/alerting.json`, j, "configDocs");
  record.push(recordLine(`${root}/data/alerting.json`, j.text()));
}

/** A mail helper whose own tests hardcode a SendGrid key. */
async function notifyKit(w: LayerWriter, pv: PlantValues, root: string, record: string[]): Promise<void> {
  const { r, p } = w;
  const t = new Lines().push('"""Tests of the SendGrid transport."""', "import pytest", "", "from notify_kit.transports import SendGridTransport", "");
  t.push(...pyFiller(r, p, r.range(10, 40)));
  t.plant("sendgrid-key-in-deps-tests", "sendgrid-api-key", `SENDGRID_KEY = "${pv.sendgrid}"`);
  t.push("", "", "@pytest.fixture", "def transport():", "    return SendGridTransport(SENDGRID_KEY, sandbox=True)", "", ...pyFiller(r, p, r.range(10, 40)));
  await w.plantedFile(`${root}/tests/test_sendgrid.py`, t, "pythonText");
  record.push(recordLine(`${root}/tests/test_sendgrid.py`, t.text()));
}

async function distInfo(w: LayerWriter, top: string, name: string, record: string[]): Promise<void> {
  const { r, v, p } = w;
  const dist = top === "google" ? "protobuf" : top === "PIL" ? "pillow" : top === "yaml" ? "PyYAML" : top === "sklearn" ? "scikit_learn" : top === "dateutil" ? "python_dateutil" : top;
  const version = `${r.range(0, 9)}.${r.range(0, 40)}.${r.range(0, 12)}`;
  const di = `${SP}/${dist}-${version}.dist-info`;
  const org = r.chance(0.5) ? dist.replace(/_/g, "-") : v.word();
  const sha = hex(r, 40);
  const author = r.pick(p.persons);
  let meta = `Metadata-Version: 2.1\nName: ${dist.replace(/_/g, "-")}\nVersion: ${version}\nSummary: ${v.sentence().slice(0, -1)}\nHome-page: https://github.com/${org}/${dist}\nAuthor: ${author}\nAuthor-email: ${author.toLowerCase().replace(" ", ".")}@users.noreply.github.com\nLicense: ${r.pick(["MIT", "BSD-3-Clause", "Apache-2.0"])}\nProject-URL: Source, https://github.com/${org}/${dist}/tree/${sha}\nProject-URL: Changelog, https://github.com/${org}/${dist}/blob/${hex(r, 40)}/CHANGES.md\nClassifier: Programming Language :: Python :: 3.12\nClassifier: Operating System :: OS Independent\nRequires-Python: >=3.9\n`;
  for (let i = r.range(0, 6); i > 0; i--) meta += `Requires-Dist: ${r.pick(DEPENDENCIES)[0].split("/")[0].replace(/_/g, "-")}>=${r.range(0, 5)}.${r.range(0, 20)}\n`;
  meta += `Description-Content-Type: text/markdown\n\n${markdown(r, v, r.size(6000, 1.0, 500, 60 * 1024))}`;
  const files: Array<[string, string]> = [
    ["METADATA", meta],
    ["WHEEL", `Wheel-Version: 1.0\nGenerator: ${r.pick(["setuptools (75.1.0)", "hatchling 1.25.0", "maturin (1.7.4)", "poetry-core 1.9.0"])}\nRoot-Is-Purelib: false\nTag: cp312-cp312-manylinux_2_17_x86_64\nTag: cp312-cp312-manylinux2014_x86_64\n`],
    ["INSTALLER", "uv\n"],
    ["top_level.txt", `${top}\n`],
    ["LICENSE", license(r, v, p, `${author} and contributors`)],
  ];
  if (r.chance(0.1)) files.push(["direct_url.json", JSON.stringify({ url: `https://github.com/${org}/${dist}.git`, vcs_info: { vcs: "git", commit_id: sha, requested_revision: `v${version}` } })]);
  for (const [f, text] of files) {
    const body = await w.file(`${di}/${f}`, text, f === "METADATA" ? "pythonText" : "configDocs");
    record.push(recordLine(`${di}/${f}`, body));
  }
  record.push(`${dist}-${version}.dist-info/RECORD,,`);
  await w.file(`${di}/RECORD`, `${record.join("\n")}\n`, "pythonText");
}
