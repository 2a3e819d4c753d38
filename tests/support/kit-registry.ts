/**
 * Images built here by Docker, handed to a Dagger engine through a registry it pulls from: the kit's
 * local registry (127.0.0.1:5000, plain HTTP, which Docker allows on loopback). So both runtimes judge
 * the very same base layers, and nothing leaves the machine.
 */
import { dockerOk } from "./docker.js";

/** The registry the test engine pulls from; the kit's, unless KIT_REGISTRY says otherwise. */
export const KIT_REGISTRY = process.env.KIT_REGISTRY ?? "127.0.0.1:5000";

/**
 * Push a local image as `<registry>/image-verify/<name>:<its image id>` and return that reference. The
 * tag is the content's, so pushing the same image twice is a no-op and concurrent suites agree.
 */
export async function pushToKitRegistry(localRef: string, name: string): Promise<string> {
  const id = (await dockerOk(["image", "inspect", "--format", "{{.Id}}", localRef], 30_000)).trim();
  const ref = `${KIT_REGISTRY}/image-verify/${name}:${id.replace(/^sha256:/, "").slice(0, 16)}`;
  await dockerOk(["tag", localRef, ref], 30_000);
  await dockerOk(["push", ref], 300_000);
  return ref;
}
