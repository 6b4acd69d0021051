/**
 * A model as JSON and back: its topology (a Sequential's layer stack as { className, config }
 * entries, or a graph model's graph, graph-header.ts) and its compile config
 * (compile-config.ts). model.toJSON() and the model file's header share it; building from it
 * turns every argument error of a layer, loss or optimizer into a ModelFormatError naming the
 * source and the entry.
 */
import { ModelFormatError } from '../errors';
import { layerFromConfig } from '../layers/registry';
import type { Model } from '../core/model';
import { makeModel } from '../core/registry';
import { compileToJSON } from './compile-config';
import { FORMAT_VERSION } from './container';
import { asFormatError } from './format-error';
import { buildGraphModel, frontEnd, graphToJSON } from './graph-topology';
import type { GraphTopology, ModelJSON, SerializedObject, Topology } from './header';

export const myelinVersion: string = (require('../../package.json') as { version: string }).version;

/** A model's topology: a Sequential's layers as before graph models existed (format version 1 reads them), any other model's graph. */
export function topologyToJSON(model: Model): Topology {
  const { className, name } = frontEnd(model);
  if (className === 'Sequential') return model.layers.map((layer): SerializedObject => ({ className: layer.className, config: layer.getConfig() }));
  return graphToJSON(model, name);
}

/** The topology and compile config of a model, as a plain object. */
export function modelToJSON(model: Model): ModelJSON {
  const compiled = model.compileArgs();
  return {
    formatVersion: FORMAT_VERSION,
    myelinVersion,
    topology: topologyToJSON(model),
    compile: compiled === null ? null : compileToJSON(compiled),
  };
}

/** The layers of a Sequential's topology, stacked in a new model (built, weights not yet drawn). Layer names must be distinct. */
function buildSequential(topology: readonly SerializedObject[], source: string): Model {
  const names = new Set<string>();
  const layers = topology.map((entry, i) => {
    const layer = asFormatError(source, `topology[${i}] (${entry.className})`, () => layerFromConfig(entry, `topology[${i}]`));
    if (names.has(layer.name)) throw new ModelFormatError(source, `topology[${i}] reuses the layer name '${layer.name}'`);
    names.add(layer.name);
    return layer;
  });
  if (layers.length === 0) throw new ModelFormatError(source, 'the topology has no layers');
  return asFormatError(source, 'topology', () => makeModel('Sequential', layers) as Model);
}

/** The model a checked topology describes (built, weights not yet drawn). */
export function buildModel(topology: Topology, source: string): Model {
  return Array.isArray(topology) ? buildSequential(topology as readonly SerializedObject[], source) : buildGraphModel(topology as GraphTopology, source);
}
