/** Model files made by hand for the reader's tests: a long Dense chain, and a float changed in a saved file. */
import { CHECKSUM_BYTES, encodeContainer, FORMAT_VERSION, PREAMBLE_BYTES } from '../../lib/io/container';
import { crc32 } from '../../lib/io/crc32';

/**
 * The bytes of a model file of `layers` one-unit Dense layers named d0, d1, ... (kernel [1, 1]
 * and bias [1] each), written straight from a header: no model of that size is built to make it.
 */
export function denseChainFile(layers: number): Buffer {
  const topology = Array.from({ length: layers }, (_, i) => ({ className: 'Dense', config: { name: `d${i}`, units: 1, ...(i === 0 ? { inputShape: [1] } : {}) } }));
  const weights = topology.flatMap((_, i) => [
    { layer: `d${i}`, name: 'kernel', shape: [1, 1], trainable: true, offset: 2 * i },
    { layer: `d${i}`, name: 'bias', shape: [1], trainable: true, offset: 2 * i + 1 },
  ]);
  const header = { formatVersion: FORMAT_VERSION, myelinVersion: '0.1.0', topology, weights, compile: null, optimizerState: null, training: null };
  return Buffer.concat(encodeContainer(header, [new Float32Array(2 * layers).fill(0.5), new Float32Array(0)]));
}

/**
 * A copy of a model file with the body's float number `index` (counted from the start of the
 * parameter arena, across the state array and slots) set to `value`, and the checksum made
 * right again: the change reaches the reader's checks of values.
 */
export function withBodyFloat(file: Uint8Array, index: number, value: number): Buffer {
  const bytes = Buffer.from(file);
  const bodyStart = PREAMBLE_BYTES + bytes.readUInt32LE(12);
  bytes.writeFloatLE(value, bodyStart + 4 * index);
  bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - CHECKSUM_BYTES)), bytes.length - CHECKSUM_BYTES);
  return bytes;
}
