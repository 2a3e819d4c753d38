/**
 * A test fixture: a second Dagger module that installs prod-image-verify as a dependency, as a team's
 * own pipeline would, builds a small service itself and hands the Container to verifyContainer.
 * tests/dagger/prebuilt.test.ts calls it through the dagger CLI on a real engine.
 */
import { Container, dag, func, object } from "@dagger.io/dagger";

/** A standard-library web service: JSON logs on stdout, fails fast without APP_TOKEN, exits 0 on SIGTERM. */
const APP = `
import json, os, signal, sys, threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

def log(**fields):
    print(json.dumps(fields), flush=True)

if not os.environ.get("APP_TOKEN"):
    log(level="error", message="APP_TOKEN is not set: set it to the service's token")
    sys.exit(2)

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        ok = self.path == "/health"
        body = b'{"status":"ok"}' if ok else b"{}"
        self.send_response(200 if ok else 404)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        log(level="info", message="request", path=self.path)

server = ThreadingHTTPServer(("0.0.0.0", 8000), Handler)
signal.signal(signal.SIGTERM, lambda *_: threading.Thread(target=server.shutdown).start())
log(level="info", message="listening", port=8000)
server.serve_forever()
log(level="info", message="stopped")
`;

/** The settings prod-image-verify needs for this service (it is not the API of that repository). */
const SETTINGS = { healthPath: "/health", requiredEnv: ["APP_TOKEN=test-only-value"] };

@object()
export class CompositionCheck {
  /** The service as this pipeline builds it: numeric non-root user, exec form, an exec-form HEALTHCHECK. */
  @func()
  app(): Container {
    return dag
      .container()
      .from("python:3.12-slim")
      .withNewFile("/srv/app.py", APP)
      .withWorkdir("/srv")
      .withUser("1001:1001")
      .withEntrypoint(["python3", "/srv/app.py"])
      .withDockerHealthcheck(["python3", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"]);
  }

  /** verifyContainer on the service as built: the JSON report (the call fails if a check fails). */
  @func()
  async passing(): Promise<string> {
    return dag.prodImageVerify(SETTINGS).verifyContainer(this.app(), { format: "json" });
  }

  /** verifyContainer on the same service run as root: the error it fails with, or "passed" if it did not fail. */
  @func()
  async failing(): Promise<string> {
    try {
      await dag.prodImageVerify(SETTINGS).verifyContainer(this.app().withUser("0"));
      return "passed";
    } catch (error) {
      return error instanceof Error ? error.message : String(error);
    }
  }
}
