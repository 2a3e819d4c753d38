/**
 * Layer 3, the models: config, README and vocabulary of three models, then weights, arrays and images
 * (incompressible blobs). Plants: a GCP service-account key, the token `huggingface-cli login` left.
 */
import { blobHeader, type BlobKind } from "../binary.js";
import { MiB } from "../constants.js";
import { fill, type LayerPlan } from "../layer-writer.js";
import { Lines, type PlantValues } from "../plants.js";
import { DIGITS, hex } from "../random.js";
import { markdown } from "../text-docs.js";

export function modelsLayer(pv: PlantValues): LayerPlan {
  return {
    createdBy: "RUN --mount=type=secret,id=hf /bin/sh -c huggingface-cli download corp/invoice-layout-v3 --local-dir /opt/models/invoice-layout-v3 && python -m app.tools.export_embeddings /opt/models/embeddings # buildkit",
    share: 0.22,
    async generate(w, budget) {
      const { r, v, rb } = w;
      const blobBudget = budget * (0.215 / 0.22);
      const models = ["invoice-layout-v3", "sentence-encoder-mini", "ocr-detector", "embeddings"];
      for (const m of models.slice(0, 3)) {
        const cfg = { architectures: [`${v.camel(2)}Model`], hidden_size: r.pick([384, 768, 1024]), num_attention_heads: r.pick([8, 12, 16]), num_hidden_layers: r.range(4, 24), vocab_size: r.range(20000, 64000), torch_dtype: "float16", transformers_version: "4.44.2", model_type: v.word() };
        await w.file(`opt/models/${m}/config.json`, JSON.stringify(cfg, null, 2), "configDocs");
        await w.file(`opt/models/${m}/README.md`, markdown(r, v, r.size(3000, 0.8, 400, 20000)), "configDocs");
        const vocab = Array.from({ length: Math.min(30000, Math.max(500, Math.floor(budget / 400))) }, (_, i) => (i < 5 ? `[unused${i}]` : `${r.chance(0.3) ? "##" : ""}${v.word()}`));
        await w.file(`opt/models/${m}/vocab.txt`, `${vocab.join("\n")}\n`, "configDocs");
      }
      const kinds: Array<[BlobKind, string]> = [["safetensors", "model.safetensors"], ["bin", "pytorch_model.bin"], ["onnx", "model.onnx"], ["npy", "npy"], ["parquet", "parquet"], ["png", "png"]];
      let n = 0;
      await fill(w, "blobs", blobBudget, async () => {
        const [kind, file] = kinds[n % kinds.length];
        n++;
        const m = kind === "npy" || kind === "parquet" ? "embeddings" : kind === "png" ? "ocr-detector/samples" : models[n % 3];
        const shard = String(n).padStart(5, "0");
        const name = file.includes(".") ? file.replace(".", `-${shard}.`) : `${v.snake(2)}-${shard}.${file}`;
        const size = kind === "png" ? r.size(300 * 1024, 1.0, 2048, 4 * MiB) : r.size(6 * MiB, 1.2, 64 * 1024, Math.min(96 * MiB, Math.max(256 * 1024, blobBudget / 4)));
        const head = blobHeader(r, v, kind, size);
        await w.streamFile(`opt/models/${m}/${name}`, Math.max(size, head.length), "blobs", (off, len) => (off === 0 ? Buffer.concat([head, rb.take(Math.max(0, len - head.length))]).subarray(0, len) : rb.take(len)));
      });
      // Plants: a service account used to fetch weights from GCS, and the token huggingface-cli login left.
      const sa = new Lines().push("{", '  "type": "service_account",', '  "project_id": "corp-ml-prod",', `  "private_key_id": "${hex(r, 40)}",`);
      sa.plant("gcp-service-account-key-in-models", "gcp-service-account-key", `  "private_key": "${pv.gcpKeyJson}",`);
      sa.push('  "client_email": "model-fetcher@corp-ml-prod.iam.gserviceaccount.com",', `  "client_id": "1${r.chars(DIGITS, 20)}",`, '  "auth_uri": "https://accounts.google.com/o/oauth2/auth",', '  "token_uri": "https://oauth2.googleapis.com/token",', '  "auth_provider_x509_cert_url": "https://www.googleapis.com/oauth2/v1/certs",', '  "client_x509_cert_url": "https://www.googleapis.com/robot/v1/metadata/x509/model-fetcher%40corp-ml-prod.iam.gserviceaccount.com",', '  "universe_domain": "googleapis.com"', "}");
      await w.plantedFile("opt/models/.gcs/service-account.json", sa, "configDocs");
      await w.plantedFile("root/.cache/huggingface/token", new Lines().plant("huggingface-token-in-hf-cache", "huggingface-token", pv.huggingface), "configDocs");
    },
  };
}
