/** The six layer plans, in image order: base, runtime, deps, models, app, final. */
import type { LayerPlan } from "../layer-writer.js";
import type { PlantValues } from "../plants.js";
import { appLayer } from "./app.js";
import { baseLayer } from "./base.js";
import { depsLayer } from "./deps.js";
import { finalLayer } from "./final.js";
import { modelsLayer } from "./models.js";
import { runtimeLayer } from "./runtime.js";

export function layerPlans(pv: PlantValues): LayerPlan[] {
  return [baseLayer(pv), runtimeLayer(pv), depsLayer(pv), modelsLayer(pv), appLayer(pv), finalLayer()];
}
