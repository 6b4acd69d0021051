/**
 * The serving namespace: what a Node server needs around a trained model
 * (serving.batcher(model) gathers concurrent single-sample predictions into batches).
 */
export { Batcher, batcher, type BatcherOptions, type BatcherPredictOptions, type BatcherStats } from './batcher';
